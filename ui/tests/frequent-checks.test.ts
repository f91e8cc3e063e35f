import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import EntraPage from "../src/screens/settings/entra/EntraPage.svelte";
import type { EntraOverview } from "../src/bindings/EntraOverview";
import type { FrequentChecks } from "../src/bindings/FrequentChecks";
import { checkMinutesProblem, lastCheckedText } from "../src/lib/frequentChecks";
import { formatDateTime, formatTime } from "../src/lib/time";
import { callsTo, connection, makeFrequentChecks, makeOverview, makeRun, mockCore } from "./fixtures";

const connected = (overrides: Partial<EntraOverview> = {}) =>
  makeOverview(overrides, { connection, auto_deprovision: true });

const LAST = "2025-03-03T10:15:00Z";
const NEXT = "2025-03-03T10:20:00Z";
const on = (overrides: Partial<FrequentChecks> = {}) =>
  makeFrequentChecks({
    every_minutes: 5,
    active: true,
    last_checked_at: LAST,
    last_result: "nothing new",
    next_check_at: NEXT,
    ...overrides,
  });

async function card() {
  render(EntraPage, { onBack: () => {} });
  return screen.findByRole("region", { name: "Frequent checks" });
}

const checkbox = () =>
  screen.getByRole("checkbox", { name: /^Also check for changes every \d* ?minutes while UniAsset is running$/ });

describe("frequent checks", () => {
  it("are off by default, the minutes waiting at 15", async () => {
    mockCore({ entra_overview: () => connected() });
    const region = await card();
    expect(await within(region).findByRole("checkbox")).not.toBeChecked();
    expect(checkbox()).toBe(within(region).getByRole("checkbox"));
    expect(within(region).getByLabelText("Minutes between checks")).toHaveValue(15);
    expect(within(region).getByLabelText("Minutes between checks")).toBeDisabled();
    expect(within(region).getByRole("button", { name: "Save" })).toBeDisabled();
    expect(within(region).queryByText(/^Last checked/)).not.toBeInTheDocument();
  });

  it("turn on at 5 minutes with Save, and the card shows the core's last and next check", async () => {
    let checks = makeFrequentChecks();
    const calls = mockCore({
      entra_overview: () => connected(),
      frequent_checks: () => checks,
      save_check_interval: ({ minutes }) => {
        checks = on({ every_minutes: minutes as number, last_checked_at: null, last_result: null });
        return makeOverview({}, { connection, check_every_minutes: minutes as number }).settings;
      },
    });
    const region = await card();
    const user = userEvent.setup();
    await user.click(await within(region).findByRole("checkbox"));
    expect(within(region).getByText("Unsaved changes")).toBeInTheDocument();
    const minutes = within(region).getByLabelText("Minutes between checks");
    await user.clear(minutes);
    await user.type(minutes, "5");
    await user.click(within(region).getByRole("button", { name: "Save" }));

    expect(
      await within(region).findByText("Saved. UniAsset checks every 5 minutes while it is running."),
    ).toBeInTheDocument();
    expect(callsTo(calls, "save_check_interval").map((c) => c.args)).toEqual([{ minutes: 5 }]);
    expect(within(region).getByRole("checkbox")).toBeChecked();
    expect(within(region).queryByText("Unsaved changes")).not.toBeInTheDocument();
    expect(within(region).getByText("Not checked yet.")).toBeInTheDocument();
    expect(within(region).getByText(`Next check at ${formatTime(NEXT)}`)).toBeInTheDocument();
  });

  it("refuse minutes outside 5 to 60 before asking the core", async () => {
    const calls = mockCore({ entra_overview: () => connected(), frequent_checks: () => on() });
    const region = await card();
    const user = userEvent.setup();
    const minutes = await within(region).findByLabelText("Minutes between checks");
    await user.clear(minutes);
    await user.type(minutes, "3");
    expect(within(region).getByText("Enter a whole number of minutes from 5 to 60.")).toBeInTheDocument();
    expect(within(region).getByRole("button", { name: "Save" })).toBeDisabled();
    expect(callsTo(calls, "save_check_interval")).toHaveLength(0);
  });

  it("turn off with Save (no minutes), and show the core's error verbatim", async () => {
    let refuse = true;
    const calls = mockCore({
      entra_overview: () => connected(),
      frequent_checks: () => on(),
      save_check_interval: () => {
        if (refuse) throw { code: "needs_admin", message: "Only an Owner or Admin may do this." };
        return makeOverview({}, { connection }).settings;
      },
    });
    const region = await card();
    const user = userEvent.setup();
    await user.click(await within(region).findByRole("checkbox"));
    await user.click(within(region).getByRole("button", { name: "Save" }));
    expect(await within(region).findByText("Only an Owner or Admin may do this.")).toBeInTheDocument();

    refuse = false;
    await user.click(within(region).getByRole("button", { name: "Save" }));
    expect(await within(region).findByText("Saved. Only the nightly run checks now.")).toBeInTheDocument();
    expect(callsTo(calls, "save_check_interval").map((c) => c.args)).toEqual([{ minutes: null }, { minutes: null }]);
  });

  it("say when they are paused or why they do not run, and Save starts paused checks again", async () => {
    const paused = "Frequent checks are paused: 3 checks in a row were throttled.";
    const calls = mockCore({
      entra_overview: () => connected(),
      frequent_checks: () => on({ active: false, paused, next_check_at: null }),
      save_check_interval: () => makeOverview({}, { connection, check_every_minutes: 5 }).settings,
    });
    const region = await card();
    expect(await within(region).findByText(paused)).toHaveClass("warning");
    expect(within(region).queryByText(/^Next check/)).not.toBeInTheDocument();
    await userEvent.click(within(region).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(callsTo(calls, "save_check_interval").map((c) => c.args)).toEqual([{ minutes: 5 }]));
  });

  it("shows why checks that are on do not run", async () => {
    const why = "Frequent checks run only while auto-deprovisioning is on (Enterprise plan, Entra ID connected).";
    mockCore({
      entra_overview: () => connected(),
      frequent_checks: () => on({ active: false, inactive_reason: why, next_check_at: null }),
    });
    const region = await card();
    expect(await within(region).findByText(why)).toBeInTheDocument();
  });

  it("cannot be turned on on a plan without them, and say so", async () => {
    const team = "Frequent checks need the Enterprise plan.";
    mockCore({
      entra_overview: () => connected({ plan: "team", deprovision_blocked: "Automatic deprovisioning needs the Enterprise plan." }),
      frequent_checks: () => makeFrequentChecks({ turn_on_refused: team }),
    });
    const region = await card();
    expect(await within(region).findByRole("checkbox")).toBeDisabled();
    expect(checkbox()).toHaveAccessibleDescription(team);
    expect(within(region).queryByRole("button", { name: /switch/ })).not.toBeInTheDocument();
  });

  it("wait for auto-deprovisioning: disabled, the core's reason, and a way to the switch", async () => {
    const why = "Frequent checks look for changes between the nightly runs, so they need auto-deprovisioning on.";
    mockCore({
      entra_overview: () => makeOverview({}, { connection, auto_deprovision: false }),
      frequent_checks: () => makeFrequentChecks({ turn_on_refused: why }),
    });
    const region = await card();
    expect(await within(region).findByRole("checkbox")).toBeDisabled();
    expect(checkbox()).toHaveAccessibleDescription(why);
    await userEvent.click(within(region).getByRole("button", { name: "Go to the auto-deprovisioning switch" }));
    expect(screen.getByRole("switch", { name: "Auto-deprovision sync" })).toHaveFocus();
  });

  it("already on, can still be turned off while they cannot be turned on", async () => {
    const why = "Frequent checks look for changes between the nightly runs, so they need auto-deprovisioning on.";
    mockCore({
      entra_overview: () => makeOverview({}, { connection, auto_deprovision: false }),
      frequent_checks: () => on({ active: false, turn_on_refused: why, next_check_at: null }),
    });
    const region = await card();
    expect(await within(region).findByRole("checkbox")).toBeEnabled();
    expect(within(region).queryByText(why)).not.toBeInTheDocument();
  });

  it("are not offered before Entra ID is connected", async () => {
    const calls = mockCore({ entra_overview: () => makeOverview() });
    render(EntraPage, { onBack: () => {} });
    expect(await screen.findByRole("region", { name: "Auto-deprovisioning" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Frequent checks" })).not.toBeInTheDocument();
    expect(callsTo(calls, "frequent_checks")).toHaveLength(0);
  });

  it("a quiet check updates Last checked from its event, asking nothing (the session can still time out)", async () => {
    const calls = mockCore({ entra_overview: () => connected(), frequent_checks: () => on() });
    const region = await card();
    expect(await within(region).findByText(`Last checked ${formatDateTime(LAST)}: nothing new`)).toBeInTheDocument();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const commands = () => calls.filter((c) => !c.cmd.startsWith("plugin:"));
    const asked = commands().length;

    const later = "2025-03-03T10:20:02Z";
    await emit("frequent-check", on({ last_checked_at: later, next_check_at: "2025-03-03T10:25:02Z" }));
    expect(await within(region).findByText(`Last checked ${formatDateTime(later)}: nothing new`)).toBeInTheDocument();
    expect(commands()).toHaveLength(asked);
    expect(screen.getByText("No sync has run yet.")).toBeInTheDocument();
    expect(screen.queryByText(/^Sync finished/)).not.toBeInTheDocument();
  });

  it("a check that acted is in the history as a Frequent check", async () => {
    const run = makeRun(9, { trigger: "interval" });
    mockCore({ entra_overview: () => connected({ last_run: run, history: [run] }), frequent_checks: () => on() });
    render(EntraPage, { onBack: () => {} });
    const last = await screen.findByRole("region", { name: "Last run" });
    expect(await within(last).findByText(/^Frequent check · started by/)).toBeInTheDocument();
  });
});

describe("frequent checks in words", () => {
  it("minutes from 5 to 60, whole", () => {
    expect(checkMinutesProblem(5, makeFrequentChecks())).toBe("");
    expect(checkMinutesProblem(60, makeFrequentChecks())).toBe("");
    expect(checkMinutesProblem(4, makeFrequentChecks())).not.toBe("");
    expect(checkMinutesProblem(61, makeFrequentChecks())).not.toBe("");
    expect(checkMinutesProblem(7.5, makeFrequentChecks())).not.toBe("");
    expect(checkMinutesProblem(Number.NaN, makeFrequentChecks())).not.toBe("");
  });

  it("last checked, with what it found when known", () => {
    expect(lastCheckedText(makeFrequentChecks())).toBe("Not checked yet.");
    expect(lastCheckedText(on({ last_result: null }))).toBe(`Last checked ${formatDateTime(LAST)}`);
    expect(lastCheckedText(on())).toBe(`Last checked ${formatDateTime(LAST)}: nothing new`);
  });
});
