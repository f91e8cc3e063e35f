import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import EntraPage from "../src/screens/settings/entra/EntraPage.svelte";
import RunLines from "../src/screens/settings/entra/RunLines.svelte";
import type { DeviceCodePrompt } from "../src/bindings/DeviceCodePrompt";
import type { EntraSettings } from "../src/bindings/EntraSettings";
import { callsTo, connection, makeLine, makeOverview, mockCore } from "./fixtures";

const BLOCKED =
  "UniAsset is not allowed to end sessions yet: its app registration lacks the User.RevokeSessions.All permission.";
const prompt: DeviceCodePrompt = {
  user_code: "GRANT123",
  verification_uri: "https://microsoft.com/devicelogin",
  expires_at: "2030-01-01T00:15:00Z",
  message: "To sign in, enter the code GRANT123.",
};

const settingsWith = (patch: Partial<EntraSettings>) => makeOverview({}, { connection, ...patch });

async function card() {
  render(EntraPage, { onBack: () => {} });
  return screen.findByRole("region", { name: "Leavers in Microsoft Entra ID" });
}

describe("ending leavers' Microsoft sessions", () => {
  it("is off by default and saved as soon as it is ticked; the core's refusal shows in the card", async () => {
    const calls = mockCore({
      entra_overview: () => settingsWith({}),
      save_end_sessions: () => {
        throw { code: "needs_enterprise", message: "Ending Microsoft sessions needs the Enterprise plan." };
      },
    });
    const region = await card();
    const box = within(region).getByRole("checkbox", {
      name: "End a leaver's Microsoft sessions when they are deactivated",
    });
    expect(box).not.toBeChecked();
    expect(within(region).queryByText("On")).not.toBeInTheDocument();
    await userEvent.click(box);
    expect(callsTo(calls, "save_end_sessions")).toEqual([{ cmd: "save_end_sessions", args: { on: true } }]);
    expect(await within(region).findByRole("alert")).toHaveTextContent("needs the Enterprise plan");
    expect(box).not.toBeChecked();
  });

  it("turned on without the permission, offers the administrator's sign-in that allows it", async () => {
    const on = settingsWith({ end_sessions_since: "2026-12-01T10:00:00Z", end_sessions_blocked: BLOCKED });
    const allowed = settingsWith({ end_sessions_since: "2026-12-01T10:00:00Z" });
    const calls = mockCore({
      entra_overview: () => settingsWith({}),
      save_end_sessions: () => on.settings,
      entra_grant_begin: () => prompt,
      entra_grant_finish: () => allowed,
      entra_sign_in_cancel: () => true,
    });
    const region = await card();
    await userEvent.click(within(region).getByRole("checkbox"));
    expect(await within(region).findByText(BLOCKED)).toBeInTheDocument();
    expect(within(region).getByRole("status")).toHaveTextContent("Allow UniAsset to end sessions below");

    await userEvent.click(within(region).getByRole("button", { name: "Allow UniAsset to end sessions" }));
    const dialog = await screen.findByRole("dialog", { name: "Allow UniAsset to end sessions" });
    expect(dialog).toHaveTextContent("a Global Administrator or Privileged Role Administrator");
    expect(dialog).toHaveTextContent("User.RevokeSessions.All");
    await userEvent.click(within(dialog).getByRole("button", { name: "Start" }));
    expect(await within(region).findByRole("status")).toHaveTextContent("Allowed. UniAsset now ends leavers' sessions");
    expect(callsTo(calls, "entra_grant_finish")).toEqual([
      { cmd: "entra_grant_finish", args: { feature: "end-sessions" } },
    ]);
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(within(region).queryByText(BLOCKED)).not.toBeInTheDocument();
    expect(within(region).getByText("On")).toBeInTheDocument();
  });

  it("says when Offboard… may not disable accounts yet, and allows it with a sign-in", async () => {
    const OFFBOARD = "UniAsset may not disable accounts in Microsoft Entra ID yet (User.EnableDisableAccount.All).";
    const calls = mockCore({
      entra_overview: () => settingsWith({ offboard_blocked: OFFBOARD }),
      entra_grant_begin: () => prompt,
      entra_grant_finish: () => settingsWith({}),
      entra_sign_in_cancel: () => true,
    });
    const region = await card();
    expect(within(region).getByText(OFFBOARD)).toBeInTheDocument();
    await userEvent.click(within(region).getByRole("button", { name: "Allow UniAsset to offboard" }));
    const dialog = await screen.findByRole("dialog", { name: "Allow UniAsset to offboard" });
    expect(dialog).toHaveTextContent("User.EnableDisableAccount.All and User.RevokeSessions.All");
    await userEvent.click(within(dialog).getByRole("button", { name: "Start" }));
    expect(await within(region).findByRole("status")).toHaveTextContent("“Offboard…” now disables");
    expect(callsTo(calls, "entra_grant_finish")).toEqual([{ cmd: "entra_grant_finish", args: { feature: "offboard" } }]);
    expect(within(region).queryByText(OFFBOARD)).not.toBeInTheDocument();
  });

  it("a run's report says what became of each leaver's sessions", () => {
    render(RunLines, {
      label: "Users in the last run",
      lines: [
        makeLine("ann@northwind.example", {
          outcome: "deactivated",
          sessions: "ended",
          sessions_at: "2026-12-01T03:00:05Z",
        }),
        makeLine("bob@northwind.example", { outcome: "deactivated", sessions: "refused" }),
        makeLine("cy@northwind.example", { outcome: "deactivated" }),
      ],
    });
    const rows = screen.getAllByRole("row");
    expect(rows[1]).toHaveTextContent("Microsoft sessions ended, ");
    expect(rows[2]).toHaveTextContent("Microsoft sessions not ended: permission missing.");
    expect(rows[3]).not.toHaveTextContent("sessions");
  });
});
