import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import IntegrationsTab from "../src/screens/settings/IntegrationsTab.svelte";
import EntraPage from "../src/screens/settings/entra/EntraPage.svelte";
import type { EntraOverview } from "../src/bindings/EntraOverview";
import type { RunRecord } from "../src/bindings/RunRecord";
import { formatDate } from "../src/lib/time";
import { callsTo, connection, makeLine, makeOverview, makeRun, mockCore } from "./fixtures";

const connected = (overrides: Partial<EntraOverview> = {}, settings = {}) =>
  makeOverview(overrides, { connection, ...settings });

/** The auto-deprovisioning card's Save (the frequent checks card has its own). */
const autoSave = () =>
  within(screen.getByRole("region", { name: "Auto-deprovisioning" })).getByRole("button", { name: "Save" });

function renderPage() {
  return render(EntraPage, { onBack: () => {} });
}

describe("integrations list", () => {
  it("shows Microsoft Entra ID with its status, opens its page and comes back", async () => {
    const calls = mockCore({ entra_overview: () => connected() });
    render(IntegrationsTab);
    const entry = await screen.findByRole("button", { name: /^Microsoft Entra ID .*Connected$/ });

    await userEvent.click(entry);
    expect(await screen.findByRole("heading", { name: "Microsoft Entra ID", level: 2 })).toHaveFocus();
    expect(await screen.findByText(connection.tenant)).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Integrations" }));
    const again = await screen.findByRole("button", { name: /^Microsoft Entra ID/ });
    await waitFor(() => expect(again).toHaveFocus());
    expect(callsTo(calls, "entra_overview").length).toBeGreaterThanOrEqual(3);
  });

  it("says Not connected", async () => {
    mockCore({ entra_overview: () => makeOverview() });
    render(IntegrationsTab);
    expect(await screen.findByRole("button", { name: /Not connected$/ })).toBeInTheDocument();
  });
});

describe("connection", () => {
  /** Not connected: "Enter the details yourself" shows the guided steps and the form. */
  async function openForm() {
    await userEvent.click(await screen.findByRole("button", { name: "Enter the details yourself" }));
  }

  async function fillForm() {
    const user = userEvent.setup();
    await openForm();
    await user.type(await screen.findByLabelText("Tenant ID or domain"), " contoso.onmicrosoft.com ");
    await user.type(screen.getByLabelText("Application (client) ID"), connection.client_id);
    await user.type(screen.getByLabelText("Client secret"), "s3cr3t~value");
    return user;
  }

  it("shows the form when not connected; the custom cloud fields only for Custom", async () => {
    mockCore({ entra_overview: () => makeOverview(), entra_check: () => [] });
    renderPage();
    await openForm();
    const secret = await screen.findByLabelText("Client secret");
    expect(secret).toHaveAttribute("type", "password");
    expect(screen.getByLabelText("Secret expires on (optional)")).toHaveAttribute("type", "date");
    const cloud = screen.getByLabelText("Cloud");
    expect(within(cloud).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Global",
      "US Government",
      "US Government DoD",
      "China",
      "Custom",
    ]);
    expect(screen.queryByLabelText("Sign-in URL")).not.toBeInTheDocument();
    await userEvent.selectOptions(cloud, "Custom");
    expect(screen.getByLabelText("Sign-in URL")).toBeInTheDocument();
    expect(screen.getByLabelText("Microsoft Graph URL")).toBeInTheDocument();
  });

  it("Test connection sends the form and shows success, or the core's error verbatim", async () => {
    let fail = false;
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      entra_check: () => [],
      entra_test: () => {
        if (fail)
          throw {
            code: "entra_wrong_secret",
            message: "Microsoft rejected the client secret. Check that you copied the secret's Value. (AADSTS7000215)",
          };
        return null;
      },
    });
    renderPage();
    const user = await fillForm();
    await user.selectOptions(screen.getByLabelText("Cloud"), "Custom");
    await user.type(screen.getByLabelText("Sign-in URL"), "http://127.0.0.1:8400");
    await user.type(screen.getByLabelText("Microsoft Graph URL"), "http://127.0.0.1:8400");

    await user.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByText("Connection works: UniAsset got a token and read a user.")).toBeInTheDocument();
    expect(callsTo(calls, "entra_test")[0].args).toEqual({
      input: {
        tenant: "contoso.onmicrosoft.com",
        client_id: connection.client_id,
        cloud: "custom",
        login_url: "http://127.0.0.1:8400",
        graph_url: "http://127.0.0.1:8400",
        secret_expires_on: null,
      },
      secret: "s3cr3t~value",
    });

    fail = true;
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    await waitFor(() =>
      expect(within(screen.getByRole("form", { name: "Connect Microsoft Entra ID" })).getByRole("alert")).toHaveTextContent(
        /^Microsoft rejected the client secret\. Check that you copied the secret's Value\. \(AADSTS7000215\)$/,
      ),
    );
    expect(screen.queryByText("Connection works: UniAsset got a token and read a user.")).not.toBeInTheDocument();
  });

  it("Connect sends the input and secret, clears the secret and shows the connection", async () => {
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      entra_check: () => [],
      entra_connect: () => connected(),
    });
    renderPage();
    const user = await fillForm();
    await user.type(screen.getByLabelText("Secret expires on (optional)"), "2026-09-30");
    await user.click(screen.getByRole("button", { name: "Connect" }));

    expect(await screen.findByText(connection.tenant)).toBeInTheDocument();
    expect(callsTo(calls, "entra_connect")[0].args).toEqual({
      input: {
        tenant: "contoso.onmicrosoft.com",
        client_id: connection.client_id,
        cloud: "global",
        login_url: null,
        graph_url: null,
        secret_expires_on: "2026-09-30",
      },
      secret: "s3cr3t~value",
    });
    expect(screen.queryByLabelText("Client secret")).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue("s3cr3t~value")).not.toBeInTheDocument();

    // Replace secret opens the form again, filled in except for the secret.
    await user.click(screen.getByRole("button", { name: "Replace secret" }));
    expect(screen.getByLabelText("Tenant ID or domain")).toHaveValue(connection.tenant);
    expect(screen.getByLabelText("Application (client) ID")).toHaveValue(connection.client_id);
    expect(screen.getByLabelText("Client secret")).toHaveValue("");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.getByText(connection.tenant)).toBeInTheDocument();
  });

  it("shows the saved connection and disconnects only after confirmation", async () => {
    const calls = mockCore({
      entra_overview: () => connected(),
      entra_disconnect: () => makeOverview(),
    });
    renderPage();
    const card = await screen.findByRole("region", { name: "Connection" });
    expect(await within(card).findByText(connection.tenant)).toBeInTheDocument();
    expect(within(card).getByText(connection.client_id)).toBeInTheDocument();
    expect(within(card).getByText("Global")).toBeInTheDocument();
    expect(within(card).getByText(/ by Olivia Owner$/)).toBeInTheDocument();

    await userEvent.click(within(card).getByRole("button", { name: "Disconnect" }));
    const dialog = screen.getByRole("alertdialog", { name: "Disconnect Microsoft Entra ID?" });
    expect(dialog).toHaveTextContent(
      "Disconnecting removes the client secret from this computer's keychain and turns auto-deprovision off. Nobody is reactivated.",
    );
    expect(callsTo(calls, "entra_disconnect")).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole("button", { name: "Disconnect" }));

    expect(await screen.findByRole("button", { name: "Set it up for me" })).toBeInTheDocument();
    expect(callsTo(calls, "entra_disconnect")).toHaveLength(1);
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  });

  it("writes the secret's expiry as a date in the owner's style", async () => {
    mockCore({ entra_overview: () => connected({}, { connection: { ...connection, secret_expires_on: "2027-12-06" } }) });
    renderPage();
    const card = await screen.findByRole("region", { name: "Connection" });
    expect((await within(card).findByText("Secret expires on")).nextElementSibling).toHaveTextContent(formatDate("2027-12-06"));
    expect(within(card).queryByText("2027-12-06")).not.toBeInTheDocument();
  });

  it("shows when the secret expires, with Renew secret, once renewal is due", async () => {
    const notice = "The client secret expires on 2025-03-10, in 5 days. Renew it with Renew secret in Settings.";
    mockCore({
      entra_overview: () =>
        connected({}, { secret_warning: "expires in 5 days", renewal_due: true, secret_renewal: notice }),
    });
    renderPage();
    expect((await screen.findByText(notice)).closest(".warning")).not.toBeNull();
    expect(screen.getByRole("button", { name: "Renew secret" })).toBeInTheDocument();
    expect(screen.queryByText("expires in 5 days")).not.toBeInTheDocument();
  });
});

describe("auto-deprovision sync", () => {
  const toggle = () => screen.getByRole("switch", { name: "Auto-deprovision sync" });

  it("is disabled with the core's reason when it cannot be turned on", async () => {
    const reason = "Auto-deprovisioning needs the Enterprise plan; this organization is on the Team plan.";
    mockCore({ entra_overview: () => connected({ plan: "team", deprovision_blocked: reason }) });
    renderPage();
    // Shown beside the toggle and beside Sync Now: one reason from the core.
    expect(await screen.findAllByText(reason)).toHaveLength(2);
    expect(toggle()).toBeDisabled();
    expect(toggle()).toHaveAttribute("aria-checked", "false");
    expect(toggle()).toHaveAccessibleDescription(reason);
  });

  it("changes nothing until Save; Save sends the toggle and the guard", async () => {
    const calls = mockCore({
      entra_overview: () => connected(),
      entra_save: (args) =>
        connected(
          { next_run_utc: "2025-03-04T03:00:00Z" },
          { auto_deprovision: args.autoDeprovision as boolean, guard: args.guard },
        ),
    });
    renderPage();
    await screen.findByText(connection.tenant);
    expect(screen.getByText("Automatic runs are off.")).toBeInTheDocument();
    expect(screen.getByText(/^Every night \(03:00 UTC — .+ here\), UniAsset checks/)).toBeInTheDocument();
    expect(screen.queryByText("Unsaved changes")).not.toBeInTheDocument();
    expect(autoSave()).toBeDisabled();

    await userEvent.click(toggle());
    expect(toggle()).toHaveAttribute("aria-checked", "true");
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();
    expect(
      screen.getByText(/^The sync will run for the first time at the next scheduled window: the nightly run at 03:00 UTC — .+ here\.$/),
    ).toBeInTheDocument();

    const users = screen.getByLabelText("Number of users");
    await userEvent.clear(users);
    await userEvent.type(users, "10");
    const percent = screen.getByLabelText("Percentage of the users checked");
    await userEvent.clear(percent);
    await userEvent.type(percent, "30");
    expect(callsTo(calls, "entra_save")).toHaveLength(0);

    await userEvent.click(autoSave());
    await waitFor(() => expect(screen.getByText(/^Saved\./)).toBeInTheDocument());
    expect(callsTo(calls, "entra_save")).toEqual([
      { cmd: "entra_save", args: { autoDeprovision: true, guard: { min_users: 10, percent: 30 } } },
    ]);
    expect(screen.queryByText("Unsaved changes")).not.toBeInTheDocument();
    expect(screen.getByText(/^Next automatic run: /)).toBeInTheDocument();
  });

  it("says what turning it off means, and going back to the saved state is not a change", async () => {
    mockCore({ entra_overview: () => connected({ next_run_utc: "2025-03-04T03:00:00Z" }, { auto_deprovision: true }) });
    renderPage();
    await screen.findByText(connection.tenant);
    expect(toggle()).toHaveAttribute("aria-checked", "true");

    await userEvent.click(toggle());
    expect(
      screen.getByText(
        "Existing deactivated users are not reactivated when you disable the sync. It only stops future automatic deactivations.",
      ),
    ).toBeInTheDocument();
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();

    await userEvent.click(toggle());
    expect(screen.queryByText("Unsaved changes")).not.toBeInTheDocument();
    expect(autoSave()).toBeDisabled();
  });

  it("refuses a guard that is not a whole number", async () => {
    mockCore({ entra_overview: () => connected() });
    renderPage();
    await screen.findByText(connection.tenant);
    await userEvent.clear(screen.getByLabelText("Percentage of the users checked"));
    await userEvent.type(screen.getByLabelText("Percentage of the users checked"), "150");
    expect(screen.getByText("Enter whole numbers; the percentage must be between 0 and 100.")).toBeInTheDocument();
    expect(autoSave()).toBeDisabled();
  });
});

describe("schedule", () => {
  // Node applies a changed TZ at once; New York is 5 hours behind UTC in March.
  beforeEach(() => vi.stubEnv("TZ", "America/New_York"));
  afterEach(() => vi.unstubAllEnvs());

  it("shows the next run in UTC and in local time, with the local date when it differs", async () => {
    mockCore({ entra_overview: () => connected({ next_run_utc: "2025-03-04T03:00:00Z" }, { auto_deprovision: true }) });
    renderPage();
    const line = await screen.findByText(/^Next automatic run: /);
    const utcDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(
      new Date("2025-03-04T12:00:00Z"),
    );
    // 03:00 UTC on 4 March is 22:00 on 3 March in New York (EST, UTC−5).
    const here = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: "America/New_York" }).format(
      new Date("2025-03-04T03:00:00Z"),
    );
    expect(line).toHaveTextContent(`Next automatic run: ${utcDate} at 03:00 UTC (${here} here)`);
  });
});

describe("Sync Now", () => {
  it("is disabled, with the core's reason, until Entra is connected", async () => {
    mockCore({ entra_overview: () => makeOverview() });
    renderPage();
    const button = await screen.findByRole("button", { name: "Sync Now" });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription(
      "Microsoft Entra ID is not connected yet, so there is nobody to check. Connect it first (Set it up for me takes one sign-in).",
    );
  });

  it("gives the same reason as the toggle, because the core gives one", async () => {
    const reason = "Auto-deprovisioning needs the Enterprise plan; this organization is on the Team plan.";
    mockCore({ entra_overview: () => makeOverview({ plan: "team", deprovision_blocked: reason }) });
    renderPage();
    const button = await screen.findByRole("button", { name: "Sync Now" });
    expect(button).toHaveAccessibleDescription(reason);
    expect(screen.getByRole("switch", { name: "Auto-deprovision sync" })).toHaveAccessibleDescription(reason);
  });

  it("runs while the toggle is off, shows progress, then the result and its lines", async () => {
    let finish: (run: RunRecord) => void = () => {};
    const run = makeRun(12, {
      counts: { checked: 40, disabled_found: 1, deleted_found: 1, deactivated: 2, skipped: 0, errors: 1, added: 0, linked: 0 },
      result: "completed_with_errors",
      headline: "2 deactivated, 1 error",
      lines: [
        makeLine("dan@acme.test"),
        makeLine("dora@acme.test", { reason: "deleted_from_entra" }),
        makeLine("erin@acme.test", {
          outcome: "error",
          reason: null,
          detail: "Microsoft Graph answered 500 for this user.",
        }),
      ],
    });
    let overview = connected();
    const calls = mockCore({
      entra_overview: () => overview,
      sync_now: () => new Promise<RunRecord>((resolve) => (finish = resolve)),
    });
    renderPage();
    const button = await screen.findByRole("button", { name: "Sync Now" });
    expect(button).toBeEnabled();

    await userEvent.click(button);
    expect(button).toBeDisabled();
    expect(screen.getByText("Syncing with Microsoft Entra ID…")).toHaveAttribute("role", "status");
    expect(callsTo(calls, "sync_now")).toEqual([{ cmd: "sync_now", args: {} }]);

    overview = connected({ last_run: run, history: [{ ...run, lines: [] }] });
    finish(run);
    expect(
      await screen.findByText(
        "Sync finished: 2 deactivated, 1 error. Checked 40 Microsoft-linked users.",
      ),
    ).toBeInTheDocument();
    expect(button).toBeEnabled();

    const lines = within(screen.getByRole("table", { name: "Users in the last run" }));
    const dan = lines.getByRole("cell", { name: "dan@acme.test" }).closest("tr") as HTMLElement;
    expect(within(dan).getByRole("cell", { name: "Deactivated" })).toBeInTheDocument();
    expect(within(dan).getByRole("cell", { name: "Disabled in Entra" })).toBeInTheDocument();
    const dora = lines.getByRole("cell", { name: "dora@acme.test" }).closest("tr") as HTMLElement;
    expect(within(dora).getByRole("cell", { name: "Deleted from Entra" })).toBeInTheDocument();
    const erin = lines.getByRole("cell", { name: "erin@acme.test" }).closest("tr") as HTMLElement;
    expect(within(erin).getByRole("cell", { name: "Error" })).toBeInTheDocument();
    expect(within(erin).getByRole("cell", { name: "Microsoft Graph answered 500 for this user." })).toBeInTheDocument();
  });

  it("shows the core's refusal verbatim", async () => {
    mockCore({
      entra_overview: () => connected(),
      sync_now: () => {
        throw { code: "needs_admin", message: "Only an Owner or Admin can run a sync." };
      },
    });
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "Sync Now" }));
    expect(await screen.findByText("Only an Owner or Admin can run a sync.")).toHaveAttribute("role", "alert");
  });
});

describe("last run", () => {
  it("shows result, trigger, counts, error and lines in words", async () => {
    const run = makeRun(3, {
      trigger: "scheduled",
      result: "failed",
      counts: { checked: 0, disabled_found: 0, deleted_found: 0, deactivated: 0, skipped: 1, errors: 0, added: 0, linked: 0 },
      error: "Microsoft Entra ID could not be reached: connection refused.",
      lines: [makeLine("olivia@acme.test", { outcome: "skipped_last_owner", detail: "The last active Owner." })],
    });
    mockCore({ entra_overview: () => connected({ last_run: run, history: [run] }) });
    renderPage();
    const last = await screen.findByRole("region", { name: "Last run" });
    await within(last).findByText("Failed");
    expect(within(last).getByText(/^Nightly · started by Olivia Owner$/)).toBeInTheDocument();
    expect(within(last).getByText("Microsoft Entra ID could not be reached: connection refused.")).toBeInTheDocument();
    expect(within(last).getByText("Skipped").nextElementSibling).toHaveTextContent("1");
    expect(within(last).getByRole("cell", { name: "Skipped: last Owner" })).toBeInTheDocument();
  });

  it("says when the client secret expires, from the run's own notice", async () => {
    const notice = "The client secret expires on 2025-03-20, in 17 days. Renew it with Renew secret in Settings.";
    const run = makeRun(4, { secret_notice: notice });
    mockCore({ entra_overview: () => connected({ last_run: run, history: [run] }) });
    renderPage();
    const last = await screen.findByRole("region", { name: "Last run" });
    expect(await within(last).findByText(notice)).toHaveClass("warning");
  });
});

describe("held runs", () => {
  const held = makeRun(21, {
    result: "held_for_review",
    review: "pending",
    counts: { checked: 30, disabled_found: 7, deleted_found: 0, deactivated: 0, skipped: 0, errors: 0, added: 0, linked: 0 },
    lines: Array.from({ length: 7 }, (_, i) =>
      makeLine(`user${i}@acme.test`, {
        outcome: "held",
        detail: "Held for review: that is more than the mass-deactivation guard allows.",
      }),
    ),
  });

  it("shows the held run and applies it", async () => {
    const calls = mockCore({
      entra_overview: () => connected({ held: [held] }),
      apply_held: () => makeRun(22, { applies_run_id: 21, counts: { ...held.counts, deactivated: 6 } }),
    });
    renderPage();
    const card = await screen.findByRole("region", { name: "Run held for review" });
    expect(card).toHaveTextContent(
      "This run would deactivate 7 users. Held for review: that is more than the mass-deactivation guard allows. Nobody was deactivated.",
    );
    expect(within(card).getAllByRole("cell", { name: "Disabled in Entra" })).toHaveLength(7);
    expect(card).toHaveTextContent(
      "Apply asks Entra again about each user and deactivates those still disabled or deleted",
    );

    await userEvent.click(within(card).getByRole("button", { name: "Apply" }));
    expect(await screen.findByText("Held run applied: 6 users deactivated.")).toBeInTheDocument();
    expect(callsTo(calls, "apply_held")).toEqual([{ cmd: "apply_held", args: { runId: 21 } }]);
  });

  it("dismisses it", async () => {
    const calls = mockCore({
      entra_overview: () => connected({ held: [held] }),
      dismiss_held: () => connected(),
    });
    renderPage();
    const card = await screen.findByRole("region", { name: "Run held for review" });
    await userEvent.click(within(card).getByRole("button", { name: "Dismiss" }));
    expect(await screen.findByText("Held run dismissed. Nobody was deactivated.")).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Run held for review" })).not.toBeInTheDocument();
    expect(callsTo(calls, "dismiss_held")).toEqual([{ cmd: "dismiss_held", args: { runId: 21 } }]);
  });
});

describe("history", () => {
  it("lists past runs and shows a run's lines when chosen", async () => {
    const older = makeRun(5, { trigger: "tray", started_at: "2025-03-01T08:00:00Z" });
    const newer = makeRun(6, { trigger: "catch-up", result: "held_for_review", review: "dismissed" });
    const calls = mockCore({
      entra_overview: () => connected({ history: [newer, older] }),
      run_details: () => ({ ...older, lines: [makeLine("tom@acme.test", { outcome: "enabled_again", reason: null })] }),
    });
    renderPage();
    const history = within(await screen.findByRole("table", { name: "History" }));
    const rows = history.getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("Catch-up");
    expect(rows[0]).toHaveTextContent("Held for review");
    expect(rows[1]).toHaveTextContent("Tray");

    const open = within(rows[1]).getByRole("button");
    await userEvent.click(open);
    expect(open).toHaveAttribute("aria-expanded", "true");
    const details = await screen.findByRole("region", { name: "Run details" });
    expect(await within(details).findByRole("cell", { name: "Enabled again in Entra" })).toBeInTheDocument();
    expect(callsTo(calls, "run_details")).toEqual([{ cmd: "run_details", args: { runId: 5 } }]);

    await userEvent.click(open);
    expect(screen.queryByRole("region", { name: "Run details" })).not.toBeInTheDocument();
  });
});

describe("match Microsoft accounts", () => {
  it("shows who was linked and who was not", async () => {
    const calls = mockCore({
      entra_overview: () => connected(),
      match_accounts: () => ({
        matched: [{ email: "dan@acme.test", entra_object_id: "6f1d0c2a-0000-4000-8000-000000000002" }],
        unmatched: [{ email: "zoe@acme.test", reason: "No Entra user has this address." }],
      }),
    });
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "Match Microsoft accounts" }));
    expect(await screen.findByText("Linked: 1 user")).toBeInTheDocument();
    expect(screen.getByText(/^dan@acme\.test →/)).toHaveTextContent("6f1d0c2a-0000-4000-8000-000000000002");
    expect(screen.getByText("Not matched: 1 user")).toBeInTheDocument();
    expect(screen.getByText("zoe@acme.test: No Entra user has this address.")).toBeInTheDocument();
    expect(callsTo(calls, "match_accounts")).toHaveLength(1);
  });
});

describe("sync-finished event", () => {
  it("refreshes the page when a run started elsewhere ends, and stops listening when closed", async () => {
    const trayRun = makeRun(31, { trigger: "tray", lines: [makeLine("dan@acme.test")] });
    let overview = connected();
    const calls = mockCore({ entra_overview: () => overview });
    const { unmount } = renderPage();
    expect(await screen.findByText("No sync has run yet.")).toBeInTheDocument();
    // Let the listener register before the shell "emits".
    await new Promise((resolve) => setTimeout(resolve, 0));

    overview = connected({ last_run: trayRun, history: [trayRun] });
    await emit("sync-finished", trayRun);
    const last = await screen.findByRole("region", { name: "Last run" });
    expect(await within(last).findByText(/^Tray · started by/)).toBeInTheDocument();
    const asked = callsTo(calls, "entra_overview").length;
    expect(asked).toBe(2);

    unmount();
    await emit("sync-finished", trayRun);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(callsTo(calls, "entra_overview")).toHaveLength(asked);
  });

  it("waits until the window is shown again, so a hidden window's session can time out", async () => {
    const calls = mockCore({ entra_overview: () => connected() });
    renderPage();
    expect(await screen.findByText("No sync has run yet.")).toBeInTheDocument();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const asked = callsTo(calls, "entra_overview").length;

    const visibility = vi.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    await emit("sync-finished", makeRun(32));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(callsTo(calls, "entra_overview")).toHaveLength(asked);

    visibility.mockReturnValue("visible");
    document.dispatchEvent(new Event("visibilitychange"));
    await waitFor(() => expect(callsTo(calls, "entra_overview")).toHaveLength(asked + 1));
    visibility.mockRestore();
  });
});
