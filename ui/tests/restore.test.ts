// Restoring from a backup (issue 14): the one dialog used at first run and in Settings →
// General. The native file dialog is the shell's; the tests answer for the person choosing.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { open } from "@tauri-apps/plugin-dialog";
import App from "../src/App.svelte";
import type { RestoreOutcome } from "../src/bindings/RestoreOutcome";
import { formatDateTime } from "../src/lib/time";
import {
  adminMay,
  callsTo,
  makeBackupFile,
  makeBackupInfo,
  makeBackupStatus,
  makeEmailSettings,
  makeUser,
  mockCore,
  noAssets,
  org,
  ownerMay, type Handlers, makeAppStatus,
} from "./fixtures";

vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn(), open: vi.fn() }));

const PLAIN = "/media/usb/UniAsset-backup-2025-03-03T03-05-00Z.uabackup";
const ENCRYPTED = "/media/usb/UniAsset-backup-2025-03-03T03-05-00Z.uabackup.age";
const info = makeBackupInfo(makeBackupFile("2025-03-03T03:05:00Z", { path: PLAIN }));
const outcome: RestoreOutcome = {
  organization: "Acme Ltd",
  people: 42,
  assets: 118,
  set_aside: "",
  entra_secret_needed: false,
};

beforeEach(() => {
  vi.mocked(open).mockReset();
});

/** First run: no organization until restore_backup succeeds; then one, nobody signed in. */
function firstRun(handlers: Handlers = {}) {
  const state: { restored: boolean } = { restored: false };
  const calls = mockCore({
    app_status: () => makeAppStatus({ organization: state.restored ? org : null }),
    inspect_backup: () => info,
    restore_backup: () => {
      state.restored = true;
      return outcome;
    },
    take_sign_in_notice: () => null,
    ...handlers,
  });
  render(App);
  return calls;
}

async function openFromSetup() {
  const button = await screen.findByRole("button", { name: "Restore from a backup" });
  expect(button).toHaveAttribute("id", "restore-backup-open");
  await userEvent.click(button);
  return screen.getByRole("dialog", { name: "Restore from a backup" });
}

async function chooseFile(dialog: HTMLElement, path: string) {
  vi.mocked(open).mockResolvedValueOnce(path);
  await userEvent.click(within(dialog).getByRole("button", { name: "Choose file…" }));
  await within(dialog).findByText(path.split("/").pop()!);
}

describe("first run", () => {
  it("offers restoring next to creating an organization and the demo", async () => {
    firstRun();
    const button = await screen.findByRole("button", { name: "Restore from a backup" });
    expect(button).toHaveAccessibleDescription(/from a UniAsset backup file\.$/);
    expect(screen.getByRole("button", { name: "Create organization" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Explore with a demo organization" })).toBeInTheDocument();
  });

  it("chooses a .uabackup file, shows what comes back, restores, then signs in to it", async () => {
    const calls = firstRun();
    const dialog = await openFromSetup();
    const next = within(dialog).getByRole("button", { name: "Continue" });
    expect(next).toBeDisabled();
    await chooseFile(dialog, PLAIN);
    expect(vi.mocked(open)).toHaveBeenCalledWith({
      title: "Restore from a backup",
      multiple: false,
      directory: false,
      filters: [{ name: "UniAsset backups", extensions: ["uabackup", "uabackup.age"] }],
    });
    // Not encrypted: no passphrase asked.
    expect(within(dialog).queryByLabelText("Backup passphrase")).not.toBeInTheDocument();
    await userEvent.click(next);

    const confirm = await screen.findByRole("alertdialog", { name: "Restore Acme Ltd?" });
    expect(callsTo(calls, "inspect_backup").map((c) => c.args)).toEqual([{ path: PLAIN, passphrase: null }]);
    const held = within(confirm).getByLabelText("In the backup");
    const fact = (term: string) => within(held).getByText(term).nextElementSibling;
    expect(fact("Organization")).toHaveTextContent("Acme Ltd");
    expect(fact("Backed up")).toHaveTextContent(formatDateTime("2025-03-03T03:05:00Z"));
    expect(fact("People")).toHaveTextContent(/^42$/);
    expect(fact("Assets")).toHaveTextContent(/^118$/);
    expect(fact("Documents")).toHaveTextContent(/^9$/);
    expect(confirm).toHaveTextContent("UniAsset starts with this organization. You sign in with your account from the backup.");
    expect(confirm).not.toHaveTextContent("set aside");
    expect(confirm).not.toHaveTextContent("earlier version");
    expect(callsTo(calls, "restore_backup")).toHaveLength(0);
    // The safe choice has the focus: Enter does not replace anything.
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();

    const restore = within(confirm).getByRole("button", { name: "Restore" });
    expect(restore).toHaveAttribute("id", "restore-confirm");
    await userEvent.click(restore);
    const done = await screen.findByRole("dialog", { name: "Backup restored" });
    expect(callsTo(calls, "restore_backup").map((c) => c.args)).toEqual([{ path: PLAIN, passphrase: null }]);
    expect(within(done).getByRole("status")).toHaveTextContent("Acme Ltd is restored, with 42 people and 118 assets.");
    expect(done).not.toHaveTextContent("client secret is not kept");
    expect(within(done).getByRole("button", { name: "Continue" })).toHaveFocus();

    await userEvent.click(within(done).getByRole("button", { name: "Continue" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(
      screen.getByText("Acme Ltd was restored from the backup. Sign in with your account from the backup."),
    ).toHaveAttribute("role", "status");
    expect(callsTo(calls, "app_status")).toHaveLength(2);
  });

  it("asks for the passphrase of a .uabackup.age file and sends it with both steps", async () => {
    const calls = firstRun();
    const dialog = await openFromSetup();
    await chooseFile(dialog, ENCRYPTED);
    const field = within(dialog).getByLabelText("Backup passphrase");
    expect(field).toHaveAttribute("id", "restore-passphrase");
    expect(field).toHaveAttribute("type", "password");
    // Typing goes where it is needed next.
    expect(field).toHaveFocus();

    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("Enter the passphrase the backup was encrypted with.");
    expect(callsTo(calls, "inspect_backup")).toHaveLength(0);

    await userEvent.type(field, "correct horse battery");
    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));
    await userEvent.click(await screen.findByRole("button", { name: "Restore" }));
    await screen.findByRole("dialog", { name: "Backup restored" });
    const sent = { path: ENCRYPTED, passphrase: "correct horse battery" };
    expect(callsTo(calls, "inspect_backup").map((c) => c.args)).toEqual([sent]);
    expect(callsTo(calls, "restore_backup").map((c) => c.args)).toEqual([sent]);
  });

  it("shows a wrong passphrase verbatim and stays on the file", async () => {
    const wrong = "The passphrase does not open this backup. Check it and try again.";
    const calls = firstRun({
      inspect_backup: () => {
        throw { code: "backup_wrong_passphrase", message: wrong };
      },
    });
    const dialog = await openFromSetup();
    await chooseFile(dialog, ENCRYPTED);
    await userEvent.type(within(dialog).getByLabelText("Backup passphrase"), "nope");
    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));
    await waitFor(() => expect(within(dialog).getByRole("alert")).toHaveTextContent(new RegExp(`^${wrong}$`)));
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(within(dialog).getByLabelText("Backup passphrase")).toHaveValue("nope");
    expect(callsTo(calls, "restore_backup")).toHaveLength(0);
  });

  it("asks for a passphrase when the core finds an encrypted copy under another name", async () => {
    const needed = "This backup is encrypted. Enter its passphrase.";
    let first = true;
    const calls = firstRun({
      inspect_backup: () => {
        if (first) {
          first = false;
          throw { code: "backup_passphrase_needed", message: needed };
        }
        return info;
      },
    });
    const dialog = await openFromSetup();
    await chooseFile(dialog, PLAIN);
    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));
    await waitFor(() => expect(within(dialog).getByRole("alert")).toHaveTextContent(needed));
    await waitFor(() => expect(within(dialog).getByLabelText("Backup passphrase")).toHaveFocus());
    await userEvent.type(within(dialog).getByLabelText("Backup passphrase"), "pw");
    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));
    await screen.findByRole("alertdialog", { name: "Restore Acme Ltd?" });
    expect(callsTo(calls, "inspect_backup").map((c) => c.args)).toEqual([
      { path: PLAIN, passphrase: null },
      { path: PLAIN, passphrase: "pw" },
    ]);
  });

  it("shows a damaged or foreign file's refusal verbatim", async () => {
    const damaged = "This file is not a UniAsset backup.";
    firstRun({
      inspect_backup: () => {
        throw { code: "backup_not_a_backup", message: damaged };
      },
    });
    const dialog = await openFromSetup();
    await chooseFile(dialog, PLAIN);
    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));
    await waitFor(() => expect(within(dialog).getByRole("alert")).toHaveTextContent(new RegExp(`^${damaged}$`)));
  });

  it("changes nothing when the restore fails: the core's message, Restore again, still at first run", async () => {
    const failed = "The backup's database is damaged (integrity check failed). Nothing was changed.";
    let fail = true;
    const calls = firstRun({
      restore_backup: () => {
        if (fail) throw { code: "backup_damaged", message: failed };
        return outcome;
      },
    });
    const dialog = await openFromSetup();
    await chooseFile(dialog, PLAIN);
    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));
    const confirm = await screen.findByRole("alertdialog", { name: "Restore Acme Ltd?" });
    await userEvent.click(within(confirm).getByRole("button", { name: "Restore" }));
    await waitFor(() => expect(within(confirm).getByRole("alert")).toHaveTextContent(new RegExp(`^${failed.replace(/[().]/g, "\\$&")}$`)));
    expect(within(confirm).getByRole("button", { name: "Restore" })).toBeEnabled();
    expect(callsTo(calls, "app_status")).toHaveLength(1);

    // Cancel goes back to the setup screen, as it was, focus on what opened the restore.
    await userEvent.click(within(confirm).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Set up your organization" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /^Restore from a backup/ })).toHaveFocus();
    fail = false;
  });

  it("cannot be closed while restoring; choosing no file changes nothing", async () => {
    let finish!: (o: RestoreOutcome) => void;
    const calls = firstRun({ restore_backup: () => new Promise<RestoreOutcome>((resolve) => (finish = resolve)) });
    const dialog = await openFromSetup();
    vi.mocked(open).mockResolvedValueOnce(null);
    await userEvent.click(within(dialog).getByRole("button", { name: "Choose file…" }));
    expect(within(dialog).getByRole("button", { name: "Continue" })).toBeDisabled();
    await chooseFile(dialog, PLAIN);
    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));
    const confirm = await screen.findByRole("alertdialog", { name: "Restore Acme Ltd?" });
    await userEvent.click(within(confirm).getByRole("button", { name: "Restore" }));
    expect(within(confirm).getByRole("button", { name: "Restoring…" })).toBeDisabled();
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toBeDisabled();
    await userEvent.keyboard("{Escape}");
    expect(screen.getByRole("alertdialog", { name: "Restore Acme Ltd?" })).toBeInTheDocument();
    finish(outcome);
    await screen.findByRole("dialog", { name: "Backup restored" });
    expect(callsTo(calls, "restore_backup")).toHaveLength(1);
  });

  it("says when the copy is from an earlier version, and when Entra needs its secret again", async () => {
    firstRun({
      inspect_backup: () => ({ ...info, older_schema: true, app_version: "0.0.9", schema_version: 11 }),
      restore_backup: () => ({ ...outcome, entra_secret_needed: true }),
    });
    const dialog = await openFromSetup();
    await chooseFile(dialog, PLAIN);
    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));
    const confirm = await screen.findByRole("alertdialog", { name: "Restore Acme Ltd?" });
    expect(confirm).toHaveTextContent(
      "It was made by an earlier version of UniAsset (0.0.9); it is brought up to date as it is restored.",
    );
    await userEvent.click(within(confirm).getByRole("button", { name: "Restore" }));
    const done = await screen.findByRole("dialog", { name: "Backup restored" });
    expect(done).toHaveTextContent(
      "The Microsoft Entra ID client secret is not kept in backups. After signing in, enter it again in Settings → Integrations → Microsoft Entra ID; automatic runs stay off until then.",
    );
  });
});

describe("in Settings → General", () => {
  const owner = makeUser(1, { display_name: "Olivia Owner", role: "owner" });
  const admin = makeUser(3, { display_name: "Adam Admin", role: "admin" });

  /** The app signed in as `me`; after restore_backup nobody is signed in. */
  async function openGeneral(me = owner, handlers: Handlers = {}) {
    const state = { restored: false };
    const calls = mockCore({
      app_status: () =>
        state.restored
          ? makeAppStatus({ organization: { ...org, name: "Acme Restored" } })
          : makeAppStatus({ signed_in: me, may: me.role === "owner" ? ownerMay : adminMay }),
      ...noAssets,
      autostart_enabled: () => false,
      app_version: () => "0.1.0",
      email_settings: () => makeEmailSettings(),
      backup_status: () => makeBackupStatus(),
      inspect_backup: () => ({ ...info, organization: "Acme Restored" }),
      restore_backup: () => {
        state.restored = true;
        return { ...outcome, organization: "Acme Restored", set_aside: "/home/olivia/.local/share/uniasset/replaced-2025-03-05T10-00-00Z" };
      },
      take_sign_in_notice: () => null,
      ...handlers,
    });
    render(App);
    await userEvent.click(await screen.findByRole("button", { name: "Settings" }));
    await screen.findByRole("region", { name: "Backups" });
    return calls;
  }

  it("is offered to an Owner only", async () => {
    await openGeneral(admin);
    expect(await screen.findByRole("button", { name: "Back up now" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Restore from a backup…" })).not.toBeInTheDocument();
  });

  it("says the current organization is set aside, not deleted, then starts the app again", async () => {
    const calls = await openGeneral();
    const button = await screen.findByRole("button", { name: "Restore from a backup…" });
    expect(button).toHaveAttribute("id", "restore-backup-open");
    await userEvent.click(button);
    const dialog = screen.getByRole("dialog", { name: "Restore from a backup" });
    await chooseFile(dialog, PLAIN);
    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));

    const confirm = await screen.findByRole("alertdialog", { name: "Restore Acme Restored?" });
    expect(confirm).toHaveTextContent(
      "The current organization, Acme Ltd, with its people, assets, documents and history, will be replaced by the backup. It will be set aside in the data folder, not deleted.",
    );
    const restore = within(confirm).getByRole("button", { name: "Restore" });
    expect(restore).toHaveClass("btn-danger");
    await userEvent.click(restore);

    const done = await screen.findByRole("dialog", { name: "Backup restored" });
    expect(done).toHaveTextContent(
      "The organization that was here is set aside, not deleted, in /home/olivia/.local/share/uniasset/replaced-2025-03-05T10-00-00Z.",
    );
    await userEvent.click(within(done).getByRole("button", { name: "Continue" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByText("Acme Restored was restored from the backup. Sign in with your account from the backup.")).toBeInTheDocument();
    expect(callsTo(calls, "app_status")).toHaveLength(2);
  });

  it("Escape on the confirmation cancels and nothing is restored", async () => {
    const calls = await openGeneral();
    await userEvent.click(await screen.findByRole("button", { name: "Restore from a backup…" }));
    const dialog = screen.getByRole("dialog", { name: "Restore from a backup" });
    await chooseFile(dialog, PLAIN);
    await userEvent.click(within(dialog).getByRole("button", { name: "Continue" }));
    await screen.findByRole("alertdialog", { name: "Restore Acme Restored?" });
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(callsTo(calls, "restore_backup")).toHaveLength(0);
    expect(screen.getByRole("region", { name: "Backups" })).toBeInTheDocument();
  });
});
