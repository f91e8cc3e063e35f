// Settings → General: the Organization card (rename, plan change), Your password and About UniAsset.
import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../src/App.svelte";
import Main from "../src/screens/Main.svelte";
import type { Organization } from "../src/bindings/Organization";
import type { Plan } from "../src/bindings/Plan";
import type { PlanEffect } from "../src/bindings/PlanEffect";
import type { SettingsAccess } from "../src/bindings/SettingsAccess";
import type { User } from "../src/bindings/User";
import { adminMay, callsTo, makeBackupStatus, makeEmailSettings, makeUser, memberMay, mockCore, noAssets, org, ownerMay, type Handlers, makeAppStatus } from "./fixtures";

const owner = makeUser(1, { display_name: "Olivia Owner", role: "owner" });
const admin = makeUser(3, { display_name: "Adam Admin", role: "admin" });

/** Main as `me`, on Settings → General. */
async function openGeneral(me: User, may: SettingsAccess, handlers: Handlers = {}) {
  const calls = mockCore({ ...noAssets, autostart_enabled: () => false,
      app_version: () => "0.1.0", email_settings: () => makeEmailSettings(), backup_status: () => makeBackupStatus(), ...handlers });
  render(Main, { org, user: me, may, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
  await userEvent.click(screen.getByRole("button", { name: "Settings" }));
  return calls;
}

/** The whole app, signed in as the Owner; the core's organization changes as the handlers say. */
async function openAppAsOwner(state: { org: Organization }, handlers: Handlers) {
  const calls = mockCore({
    app_status: () => makeAppStatus({ organization: state.org, signed_in: owner, may: ownerMay }),
    ...noAssets,
    autostart_enabled: () => false,
      app_version: () => "0.1.0",
    email_settings: () => makeEmailSettings(),
    backup_status: () => makeBackupStatus(),
    ...handlers,
  });
  render(App);
  await userEvent.click(await screen.findByRole("button", { name: "Settings" }));
  return calls;
}

const region = (name: string) => screen.getByRole("region", { name });

describe("the Organization card", () => {
  it("is editable for an Owner", async () => {
    await openGeneral(owner, ownerMay);
    const card = region("Organization");
    expect(within(card).getByRole("textbox", { name: "Organization name" })).toHaveValue("Acme Ltd");
    const plan = within(card).getByRole("combobox", { name: "Plan" });
    expect(plan).toHaveValue("team");
    expect(within(card).getByRole("option", { name: "Team (current)" })).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "Rename" })).toBeEnabled();
    // Nothing to change until another plan is chosen.
    expect(within(card).getByRole("button", { name: "Change plan…" })).toBeDisabled();
    await userEvent.selectOptions(plan, "enterprise");
    expect(within(card).getByRole("button", { name: "Change plan…" })).toBeEnabled();
  });

  it.each([
    ["an Admin", admin, adminMay],
    ["a Member", makeUser(2, { role: "member" }), memberMay],
  ])("is read-only for %s", async (_, me, may) => {
    await openGeneral(me, may);
    const card = region("Organization");
    expect(within(card).queryByRole("textbox")).not.toBeInTheDocument();
    expect(within(card).queryByRole("combobox")).not.toBeInTheDocument();
    expect(within(card).queryByRole("button")).not.toBeInTheDocument();
    expect(within(card).getByText("Organization name").nextElementSibling).toHaveTextContent("Acme Ltd");
    expect(within(card).getByText("Plan").nextElementSibling).toHaveTextContent("Team");
  });

  it("renames with the trimmed name, then the sidebar shows what the core now says", async () => {
    const state = { org };
    const calls = await openAppAsOwner(state, {
      rename_organization: (args) => {
        state.org = { ...state.org, name: args.name as string };
        return state.org;
      },
    });
    const card = region("Organization");
    const name = within(card).getByRole("textbox", { name: "Organization name" });
    await userEvent.clear(name);
    await userEvent.type(name, "  Acme Group  ");
    await userEvent.click(within(card).getByRole("button", { name: "Rename" }));

    expect(callsTo(calls, "rename_organization").map((c) => c.args)).toEqual([{ name: "Acme Group" }]);
    expect(await within(card).findByText("The organization is now called Acme Group.")).toBeInTheDocument();
    expect(name).toHaveValue("Acme Group");
    // The app asked the core again: the sidebar has the new name.
    await waitFor(() => expect(callsTo(calls, "app_status")).toHaveLength(2));
    expect(document.querySelector(".sidebar")).toHaveTextContent("Acme Group");
  });

  it("shows the core's refusal of a name verbatim and changes nothing", async () => {
    const state = { org };
    const calls = await openAppAsOwner(state, {
      rename_organization: () => {
        throw { code: "invalid_name", message: "Give the organization a name." };
      },
    });
    const card = region("Organization");
    await userEvent.clear(within(card).getByRole("textbox", { name: "Organization name" }));
    await userEvent.click(within(card).getByRole("button", { name: "Rename" }));
    await waitFor(() =>
      expect(within(card).getAllByRole("alert")[0]).toHaveTextContent(/^Give the organization a name\.$/),
    );
    expect(callsTo(calls, "rename_organization").map((c) => c.args)).toEqual([{ name: "" }]);
    expect(callsTo(calls, "app_status")).toHaveLength(1);
    expect(document.querySelector(".sidebar")).toHaveTextContent("Acme Ltd");
  });

  const leavingEnterprise: PlanEffect = {
    from: "enterprise",
    to: "team",
    summary: "Auto-deprovisioning needs Enterprise: it will be turned off and nightly runs stop.",
    turns_off_auto_deprovision: true,
  };

  it("shows the core's summary before changing the plan, then the new plan and its effect", async () => {
    const state = { org: { ...org, plan: "enterprise" as Plan } };
    const calls = await openAppAsOwner(state, {
      preview_plan_change: () => leavingEnterprise,
      change_plan: (args) => {
        state.org = { ...state.org, plan: args.plan as Plan };
        return { organization: state.org, effect: leavingEnterprise };
      },
    });
    const card = region("Organization");
    await userEvent.selectOptions(within(card).getByRole("combobox", { name: "Plan" }), "team");
    await userEvent.click(within(card).getByRole("button", { name: "Change plan…" }));

    const dialog = await screen.findByRole("alertdialog", { name: "Change the plan to Team?" });
    expect(dialog).toHaveTextContent(leavingEnterprise.summary);
    expect(dialog).toHaveTextContent("From Enterprise to Team.");
    expect(callsTo(calls, "preview_plan_change").map((c) => c.args)).toEqual([{ plan: "team" }]);
    // Nothing has changed yet; the safe choice has focus.
    expect(callsTo(calls, "change_plan")).toHaveLength(0);
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();

    await userEvent.click(within(dialog).getByRole("button", { name: "Change to Team" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "change_plan").map((c) => c.args)).toEqual([{ plan: "team" }]);
    expect(
      within(card).getByText(`The plan is now Team. ${leavingEnterprise.summary}`),
    ).toBeInTheDocument();
    // The app asked the core again, so the plan everywhere is the new one.
    await waitFor(() => expect(callsTo(calls, "app_status")).toHaveLength(2));
    expect(await within(card).findByRole("option", { name: "Team (current)" })).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "Change plan…" })).toBeDisabled();
    expect(within(card).getByRole("combobox", { name: "Plan" })).toHaveFocus();
  });

  it("changes nothing when the confirmation is cancelled, by button or Escape", async () => {
    const state = { org: { ...org, plan: "enterprise" as Plan } };
    const calls = await openAppAsOwner(state, {
      preview_plan_change: () => leavingEnterprise,
      change_plan: () => {
        throw new Error("must not be called");
      },
    });
    const card = region("Organization");
    await userEvent.selectOptions(within(card).getByRole("combobox", { name: "Plan" }), "team");
    const change = within(card).getByRole("button", { name: "Change plan…" });

    await userEvent.click(change);
    await userEvent.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(change).toHaveFocus();

    await userEvent.click(change);
    await screen.findByRole("alertdialog");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();

    expect(callsTo(calls, "preview_plan_change")).toHaveLength(2);
    expect(callsTo(calls, "change_plan")).toHaveLength(0);
    expect(callsTo(calls, "app_status")).toHaveLength(1);
    expect(within(card).getByRole("option", { name: "Enterprise (current)" })).toBeInTheDocument();
  });

  it("shows the core's refusal of a plan change verbatim", async () => {
    await openGeneral(owner, ownerMay, {
      preview_plan_change: () => {
        throw { code: "needs_owner", message: "Only an Owner can change the plan." };
      },
    });
    const card = region("Organization");
    await userEvent.selectOptions(within(card).getByRole("combobox", { name: "Plan" }), "free");
    await userEvent.click(within(card).getByRole("button", { name: "Change plan…" }));
    await waitFor(() =>
      expect(within(card).getAllByRole("alert")[1]).toHaveTextContent(/^Only an Owner can change the plan\.$/),
    );
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  });
});

describe("Your password", () => {
  async function fill(current: string, next: string, confirm: string) {
    const card = region("Your password");
    await userEvent.type(within(card).getByLabelText("Current password"), current);
    await userEvent.type(within(card).getByLabelText("New password"), next);
    await userEvent.type(within(card).getByLabelText("Confirm new password"), confirm);
    await userEvent.click(within(card).getByRole("button", { name: "Change password" }));
    return card;
  }

  it("catches two different new passwords without asking the core", async () => {
    const calls = await openGeneral(admin, adminMay, { change_own_password: () => null });
    const card = await fill("old secret words", "a new long passphrase", "a new long passphrasE");
    expect(within(card).getByRole("alert")).toHaveTextContent(
      "The new passwords do not match. Type the same new password twice.",
    );
    expect(within(card).getByLabelText("Confirm new password")).toHaveFocus();
    expect(callsTo(calls, "change_own_password")).toHaveLength(0);
  });

  it("shows a wrong current password verbatim and goes back to that field", async () => {
    const calls = await openGeneral(admin, adminMay, {
      change_own_password: () => {
        throw { code: "wrong_password", message: "That is not your current password." };
      },
    });
    const card = await fill("not it", "a new long passphrase", "a new long passphrase");
    await waitFor(() =>
      expect(within(card).getByRole("alert")).toHaveTextContent(/^That is not your current password\.$/),
    );
    expect(within(card).getByLabelText("Current password")).toHaveFocus();
    expect(within(card).getByRole("status")).toHaveTextContent(/^$/);
    expect(callsTo(calls, "change_own_password").map((c) => c.args)).toEqual([
      { current: "not it", newPassword: "a new long passphrase" },
    ]);
  });

  it("shows the core's strength rule verbatim and goes to the new password", async () => {
    await openGeneral(admin, adminMay, {
      change_own_password: () => {
        throw { code: "weak_password", message: "Use at least 12 characters." };
      },
    });
    const card = await fill("old secret words", "short", "short");
    await waitFor(() => expect(within(card).getByRole("alert")).toHaveTextContent(/^Use at least 12 characters\.$/));
    expect(within(card).getByLabelText("New password")).toHaveFocus();
  });

  it("changes it and says so, clearing the fields", async () => {
    const calls = await openGeneral(makeUser(2, { role: "member" }), memberMay, { change_own_password: () => null });
    const card = await fill("old secret words", "a new long passphrase", "a new long passphrase");
    await waitFor(() =>
      expect(within(card).getByRole("status")).toHaveTextContent(
        "Your password has been changed. You stay signed in here; other sessions have ended.",
      ),
    );
    expect(within(card).getByRole("alert")).toHaveTextContent(/^$/);
    for (const label of ["Current password", "New password", "Confirm new password"]) {
      expect(within(card).getByLabelText(label)).toHaveValue("");
    }
    expect(callsTo(calls, "change_own_password")).toHaveLength(1);
  });

  it("is not offered to someone who signs in with Microsoft", async () => {
    await openGeneral(makeUser(4, { role: "member", sign_in: "microsoft" }), memberMay);
    const card = region("Your password");
    expect(within(card).queryByLabelText("Current password")).not.toBeInTheDocument();
    expect(card).toHaveTextContent("You sign in with Microsoft, so your password is changed there, not in UniAsset.");
  });
});

describe("About UniAsset", () => {
  const diagnostics = "UniAsset Desktop 0.1.0\nSystem: linux x86_64\nLast 20 sync runs, newest first:\n";

  it("shows everyone the version, and Members no support buttons", async () => {
    await openGeneral(makeUser(2, { role: "member" }), memberMay);
    const card = region("About UniAsset");
    await waitFor(() => expect(card).toHaveTextContent("Version 0.1.0"));
    expect(within(card).queryByRole("button")).not.toBeInTheDocument();
  });

  it("copies the core's diagnostics to the clipboard and shows what was copied", async () => {
    const user = userEvent.setup();
    const calls = await openGeneral(admin, adminMay, { diagnostics: () => diagnostics });
    const card = region("About UniAsset");
    expect(card).toHaveTextContent("Secrets, password hashes and tokens are left out.");
    await user.click(within(card).getByRole("button", { name: "Copy diagnostics" }));

    await waitFor(() => expect(within(card).getByRole("status")).toHaveTextContent(/^Copied\./));
    expect(await navigator.clipboard.readText()).toBe(diagnostics);
    expect(within(card).getByRole("textbox", { name: "Diagnostics" })).toHaveValue(diagnostics);
    expect(within(card).getByRole("alert")).toHaveTextContent(/^$/);
    expect(callsTo(calls, "diagnostics")).toHaveLength(1);
  });

  it("still shows the diagnostics to copy by hand when the clipboard refuses", async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, "writeText").mockRejectedValueOnce(new DOMException("denied", "NotAllowedError"));
    await openGeneral(owner, ownerMay, { diagnostics: () => diagnostics });
    const card = region("About UniAsset");
    await user.click(within(card).getByRole("button", { name: "Copy diagnostics" }));

    await waitFor(() =>
      expect(within(card).getByRole("alert")).toHaveTextContent(
        "The clipboard could not be used. Select the diagnostics below and copy them.",
      ),
    );
    expect(within(card).getByRole("textbox", { name: "Diagnostics" })).toHaveValue(diagnostics);
    expect(within(card).getByRole("status")).toHaveTextContent(/^$/);
  });

  it("shows the core's refusal verbatim and copies nothing", async () => {
    const user = userEvent.setup();
    await navigator.clipboard.writeText("what was there before");
    await openGeneral(admin, adminMay, {
      diagnostics: () => {
        throw { code: "needs_admin", message: "Only an Owner or Admin can copy diagnostics or open the logs folder." };
      },
    });
    const card = region("About UniAsset");
    await user.click(within(card).getByRole("button", { name: "Copy diagnostics" }));
    await waitFor(() =>
      expect(within(card).getByRole("alert")).toHaveTextContent(
        /^Only an Owner or Admin can copy diagnostics or open the logs folder\.$/,
      ),
    );
    expect(await navigator.clipboard.readText()).toBe("what was there before");
    expect(within(card).queryByRole("textbox")).not.toBeInTheDocument();
  });

  it("opens the logs folder through the core, and says why not when it cannot", async () => {
    let refuse = false;
    const calls = await openGeneral(owner, ownerMay, {
      open_logs_folder: () => {
        if (refuse) throw { code: "open_failed", message: "The logs folder /x could not be opened: no file manager" };
        return null;
      },
    });
    const card = region("About UniAsset");
    const open = within(card).getByRole("button", { name: "Open logs folder" });
    await userEvent.click(open);
    expect(callsTo(calls, "open_logs_folder")).toHaveLength(1);
    expect(within(card).getByRole("alert")).toHaveTextContent(/^$/);
    refuse = true;
    await userEvent.click(open);
    await waitFor(() =>
      expect(within(card).getByRole("alert")).toHaveTextContent(
        /^The logs folder \/x could not be opened: no file manager$/,
      ),
    );
  });
});
