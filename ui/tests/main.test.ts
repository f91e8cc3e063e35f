import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import Main from "../src/screens/Main.svelte";
import type { Asset } from "../src/bindings/Asset";
import type { UserStatus } from "../src/bindings/UserStatus";
import {
  adminMay,
  callsTo,
  makeAsset,
  makeAssetPage,
  makeAuditPage,
  makeHome,
  makeOverview,
  makeUser,
  memberMay,
  mockCore,
  noAssets,
  org,
  usersWindow,
} from "./fixtures";

const owner = makeUser(1, { display_name: "Olivia Owner", role: "owner" });
const member = makeUser(2, { display_name: "Mia Member", role: "member" });

describe("assets", () => {
  it("marks deactivated assignees and leaves assets assigned", async () => {
    const asset = (id: number, name: string, holder: string | null, status: UserStatus | null): Asset =>
      makeAsset(id, {
        name,
        status: holder ? "in_use" : "in_stock",
        assigned_to: holder ? id + 100 : null,
        assigned_to_name: holder,
        assigned_to_status: status,
      });
    mockCore({
      list_assets: () =>
        makeAssetPage([
          asset(1, "ThinkPad T14", "Dan Disabled", "deactivated"),
          asset(2, "MacBook Air", "Ann Active", "active"),
          asset(3, "Monitor", null, null),
        ]),
      leaver_count: () => 1,
      home: () => makeHome(),
    });
    render(Main, { org, user: owner, may: adminMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    await userEvent.click(screen.getByRole("button", { name: /^Assets/ }));

    const dan = (await screen.findByText("ThinkPad T14")).closest("tr") as HTMLElement;
    expect(within(dan).getByText("Dan Disabled")).toBeInTheDocument();
    expect(within(dan).getByText("Deactivated")).toBeInTheDocument();
    const ann = screen.getByText("MacBook Air").closest("tr") as HTMLElement;
    expect(within(ann).queryByText("Deactivated")).not.toBeInTheDocument();
    expect(screen.getByText("Unassigned")).toBeInTheDocument();
  });

  it("has an empty state", async () => {
    mockCore({ ...noAssets });
    render(Main, { org, user: owner, may: adminMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Assets" }));
    expect(await screen.findByText(/^No assets yet\./)).toBeInTheDocument();
  });
});

describe("the tray's Renew client secret…", () => {
  const core = () => ({
    ...noAssets,
    list_users: usersWindow([], { all: 0, active: 0, deactivated: 0 }),
    autostart_enabled: () => false,
    app_version: () => "0.1.0",
    entra_overview: () => makeOverview(),
  });

  it("opens Settings → Integrations → Microsoft Entra ID once, for an Admin", async () => {
    let pending: string | null = "entra";
    const calls = mockCore({ ...core(), take_page_request: () => [pending, (pending = null)][0] });
    render(Main, { org, user: owner, may: adminMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    expect(await screen.findByRole("heading", { name: "Connection" })).toBeInTheDocument();
    expect(screen.getByRole("tab", { name: "Integrations" })).toHaveAttribute("aria-selected", "true");
    expect(callsTo(calls, "take_page_request")).toHaveLength(1);
  });

  it("opens Assets → Leavers for the tray's overdue assets", async () => {
    mockCore({ ...core(), leavers: () => [], take_page_request: () => "leavers" });
    render(Main, { org, user: owner, may: adminMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    expect(await screen.findByRole("heading", { name: "Assets" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("tab", { name: /^Leavers/ })).toHaveAttribute("aria-selected", "true"));
  });

  it("is ignored for someone who may not manage integrations", async () => {
    mockCore({ ...core(), take_page_request: () => "entra" });
    render(Main, { org, user: member, may: memberMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    expect(await screen.findByRole("heading", { name: "Home" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Connection" })).not.toBeInTheDocument();
  });
});

describe("settings", () => {
  it("has a tablist driven by click and arrow keys", async () => {
    mockCore({
      ...noAssets,
      list_users: usersWindow([], { all: 0, active: 0, deactivated: 0 }),
      autostart_enabled: () => false,
      app_version: () => "0.1.0",
      entra_overview: () => makeOverview(),
      audit_actions: () => [],
      audit_log: () => makeAuditPage([]),
    });
    render(Main, { org, user: owner, may: adminMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    expect(screen.getByRole("button", { name: "Settings" })).toHaveAttribute("aria-current", "page");

    const general = screen.getByRole("tab", { name: "General" });
    expect(general).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("tabpanel", { name: "General" })).toHaveTextContent("Acme Ltd");
    expect(screen.getByRole("tabpanel")).toHaveTextContent("Team");

    general.focus();
    await userEvent.keyboard("{ArrowRight}");
    const users = screen.getByRole("tab", { name: "Users" });
    expect(users).toHaveFocus();
    expect(users).toHaveAttribute("aria-selected", "true");
    expect(await screen.findByRole("button", { name: "All (0)" })).toBeInTheDocument();

    await userEvent.keyboard("{End}");
    expect(screen.getByRole("tab", { name: "Audit log" })).toHaveFocus();
    expect(await screen.findByText("Nothing has been recorded yet.")).toBeInTheDocument();
    await userEvent.keyboard("{ArrowLeft}");
    expect(screen.getByRole("tabpanel", { name: "Integrations" })).toHaveTextContent("Microsoft Entra ID");
    expect(await screen.findByText("Not connected")).toBeInTheDocument();
    expect(general).toHaveAttribute("tabindex", "-1");
  });

  it("shows Members only General and Users", async () => {
    mockCore({
      ...noAssets,
      list_users: usersWindow([], { all: 0, active: 0, deactivated: 0 }),
      autostart_enabled: () => false,
      app_version: () => "0.1.0",
    });
    render(Main, { org, user: member, may: memberMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));

    const tabs = screen.getAllByRole("tab").map((tab) => tab.textContent?.trim());
    expect(tabs).toEqual(["General", "Users"]);
    // Wrapping from the last tab goes back to General, not to a hidden Integrations tab.
    await userEvent.click(screen.getByRole("tab", { name: "Users" }));
    await userEvent.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "General" })).toHaveAttribute("aria-selected", "true");
  });

  it("shows Owners and Admins the Integrations and Audit log tabs", async () => {
    mockCore({ ...noAssets, autostart_enabled: () => false });
    render(Main, { org, user: makeUser(3, { role: "admin" }), may: adminMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    expect(screen.getAllByRole("tab").map((tab) => tab.textContent?.trim())).toEqual([
      "General",
      "Users",
      "Integrations",
      "Audit log",
    ]);
  });
});

describe("settings → general", () => {
  async function openGeneral(
    me: typeof owner,
    handlers: Record<string, (args: Record<string, unknown>) => unknown> = {},
  ) {
    const calls = mockCore({ ...noAssets, ...handlers });
    render(Main, { org, user: me, may: me.role === "member" ? memberMay : adminMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    return calls;
  }

  it("reflects autostart_enabled and turns start at login on with set_autostart", async () => {
    const calls = await openGeneral(owner, {
      autostart_enabled: () => false,
      app_version: () => "0.1.0",
      set_autostart: (args) => args.enabled,
    });
    const box = screen.getByRole("checkbox", { name: "Start UniAsset at login" });
    await waitFor(() => expect(box).toBeEnabled());
    expect(box).not.toBeChecked();
    expect(screen.getByText("Plan").nextElementSibling).toHaveTextContent("Team");
    expect(screen.getByText(/follows your system's light or dark theme/)).toBeInTheDocument();

    await userEvent.click(box);
    expect(callsTo(calls, "set_autostart")).toEqual([{ cmd: "set_autostart", args: { enabled: true } }]);
    await waitFor(() => expect(box).toBeChecked());
  });

  it("shows a checked box when already on, and the error verbatim when the change fails", async () => {
    await openGeneral(makeUser(3, { role: "admin" }), {
      autostart_enabled: () => true,
      app_version: () => "0.1.0",
      set_autostart: () => {
        throw { code: "autostart", message: "The login item could not be removed: permission denied." };
      },
    });
    const box = screen.getByRole("checkbox", { name: "Start UniAsset at login" });
    await waitFor(() => expect(box).toBeChecked());

    await userEvent.click(box);
    await waitFor(() =>
      expect(within(screen.getByRole("region", { name: "This computer" })).getByRole("alert")).toHaveTextContent(
        /^The login item could not be removed: permission denied\.$/,
      ),
    );
    expect(box).toBeChecked();
  });

  it("shows Members neither the start-at-login toggle nor the idle time field", async () => {
    const calls = await openGeneral(member);
    const panel = screen.getByRole("tabpanel", { name: "General" });
    expect(within(panel).queryByRole("checkbox")).not.toBeInTheDocument();
    expect(within(panel).queryByRole("spinbutton")).not.toBeInTheDocument();
    expect(screen.getByText("Idle sign-out").nextElementSibling).toHaveTextContent(
      "After 15 minutes without use",
    );
    expect(within(panel).getByText(/follows your system's light or dark theme/)).toBeInTheDocument();
    // It does not even ask: the answer is not the Member's to act on.
    expect(callsTo(calls, "autostart_enabled")).toHaveLength(0);
  });

  it("saves when idle sessions end, and shows the core's refusal verbatim", async () => {
    const calls = await openGeneral(owner, {
      autostart_enabled: () => false,
      app_version: () => "0.1.0",
      set_idle_timeout: (args) => {
        if ((args.minutes as number) > 480) {
          throw {
            code: "invalid_idle_timeout",
            message: "Choose between 1 and 480 minutes without use before a session ends.",
          };
        }
        return { ...org, idle_timeout_minutes: args.minutes };
      },
    });
    const field = screen.getByRole("spinbutton", { name: "Sign out after this many minutes without use" });
    expect(field).toHaveValue(15);
    const section = screen.getByRole("region", { name: "Sign-in" });

    await userEvent.clear(field);
    await userEvent.type(field, "600");
    await userEvent.click(within(section).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(within(section).getByRole("alert")).toHaveTextContent(
        /^Choose between 1 and 480 minutes without use before a session ends\.$/,
      ),
    );

    await userEvent.clear(field);
    await userEvent.type(field, "30");
    await userEvent.click(within(section).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(within(section).getByRole("status")).toHaveTextContent("Saved."));
    expect(within(section).getByRole("alert")).toHaveTextContent(/^$/);
    expect(callsTo(calls, "set_idle_timeout").map((c) => c.args)).toEqual([{ minutes: 600 }, { minutes: 30 }]);
    expect(field).toHaveValue(30);
  });
});
