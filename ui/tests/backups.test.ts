// Settings → General → Backups (issue 14): the last good copy and the warning, Back up now,
// the folder, the schedule, encryption and the copies. Restoring is in restore.test.ts.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { open } from "@tauri-apps/plugin-dialog";
import Main from "../src/screens/Main.svelte";
import type { BackupSettingsInput } from "../src/bindings/BackupSettingsInput";
import type { BackupStatus } from "../src/bindings/BackupStatus";
import type { SettingsAccess } from "../src/bindings/SettingsAccess";
import type { User } from "../src/bindings/User";
import { formatBytes } from "../src/lib/labels";
import { formatDateTime } from "../src/lib/time";
import {
  adminMay,
  callsTo,
  makeBackupFile,
  makeBackupStatus,
  makeEmailSettings,
  makeUser,
  memberMay,
  mockCore,
  noAssets,
  org,
  ownerMay, type Handlers,
} from "./fixtures";

vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn(), open: vi.fn() }));

const owner = makeUser(1, { display_name: "Olivia Owner", role: "owner" });
const admin = makeUser(3, { display_name: "Adam Admin", role: "admin" });

beforeEach(() => {
  vi.mocked(open).mockReset();
});

/** Main as `me` on Settings → General, with the core's backups as `status` (changed by saves). */
async function openBackups(status: BackupStatus = makeBackupStatus(), handlers: Handlers = {}, me: User = owner, may: SettingsAccess = ownerMay) {
  const core = { status };
  const calls = mockCore({
    ...noAssets,
    autostart_enabled: () => false,
    app_version: () => "0.1.0",
    email_settings: () => makeEmailSettings(),
    backup_status: () => core.status,
    save_backup_settings: (args) => {
      const input = args.input as BackupSettingsInput;
      core.status = {
        ...core.status,
        ...input,
        folder: input.folder ?? "/home/olivia/Documents/UniAsset Backups",
        default_folder: input.folder === null,
      };
      return core.status;
    },
    ...handlers,
  });
  render(Main, { org, user: me, may, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
  await userEvent.click(screen.getByRole("button", { name: "Settings" }));
  const card = screen.getByRole("region", { name: "Backups" });
  await within(card).findByRole("button", { name: "Back up now" });
  return { calls, card, core };
}

const inputs = (calls: ReturnType<typeof mockCore>) => callsTo(calls, "save_backup_settings").map((c) => c.args.input);

describe("who sees it", () => {
  it("an Admin", async () => {
    await openBackups(makeBackupStatus(), {}, admin, adminMay);
    expect(screen.getByRole("region", { name: "Backups" })).toBeInTheDocument();
  });

  it("not a Member, and the core is not asked", async () => {
    const calls = mockCore({ ...noAssets, app_version: () => "0.1.0" });
    render(Main, { org, user: makeUser(2), may: memberMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    expect(screen.queryByRole("region", { name: "Backups" })).not.toBeInTheDocument();
    expect(callsTo(calls, "backup_status")).toHaveLength(0);
  });
});

describe("the last backup", () => {
  it("shows when, how big and where; no warning when recent", async () => {
    const { card } = await openBackups();
    const last = makeBackupStatus().last_good!;
    expect(within(card).getByText("Last good backup").nextElementSibling).toHaveTextContent(
      `${formatDateTime(last.created_at)} · ${formatBytes(last.size_bytes)}`,
    );
    expect(card.querySelector("#backup-folder")).toHaveTextContent("/home/olivia/Documents/UniAsset Backups");
    expect(within(card).getByText("(the default)")).toBeInTheDocument();
    expect(card.querySelector(".warning")).not.toBeInTheDocument();
  });

  it("shows the core's warning prominently, and None yet without a backup", async () => {
    const warning = "There is no backup yet. Back up now, and choose a folder synced off this computer.";
    const { card } = await openBackups(makeBackupStatus({ last_good: null, copies: [], warning }));
    const shown = within(card).getByText(warning);
    expect(shown).toHaveClass("warning");
    expect(shown).toHaveAttribute("role", "alert");
    expect(within(card).getByText("Last good backup").nextElementSibling).toHaveTextContent("None yet");
    expect(within(card).getByText("No copies yet.")).toBeInTheDocument();
  });
});

describe("Back up now", () => {
  it("is busy while the core works, then says what it made", async () => {
    let finish!: (s: BackupStatus) => void;
    const made = makeBackupFile("2025-03-05T10:00:00Z", { size_bytes: 3 * 1024 * 1024 });
    const { calls, card } = await openBackups(makeBackupStatus(), {
      backup_now: () => new Promise<BackupStatus>((resolve) => (finish = resolve)),
    });
    const button = within(card).getByRole("button", { name: "Back up now" });
    expect(button).toHaveAttribute("id", "backup-now");
    await userEvent.click(button);
    expect(within(card).getByRole("button", { name: "Backing up…" })).toBeDisabled();
    finish(makeBackupStatus({ last_good: made, copies: [made, ...makeBackupStatus().copies] }));
    expect(await within(card).findByText(`Backed up: ${made.file_name} (3.0 MB).`)).toHaveAttribute("role", "status");
    expect(within(card).getByText("Last good backup").nextElementSibling).toHaveTextContent(formatDateTime(made.created_at));
    expect(within(card).getByRole("button", { name: "Back up now" })).toBeEnabled();
    expect(callsTo(calls, "backup_now")).toHaveLength(1);
  });

  it("shows the core's refusal verbatim and the last error it now keeps", async () => {
    const failure = "UniAsset cannot write to the backup folder /mnt/nas/backups: permission denied.";
    const { card, core } = await openBackups(makeBackupStatus(), {
      backup_now: () => {
        core.status = { ...core.status, last_error: failure, last_error_at: "2025-03-05T10:00:00Z" };
        throw { code: "backup_folder_unwritable", message: failure };
      },
    });
    await userEvent.click(within(card).getByRole("button", { name: "Back up now" }));
    await waitFor(() => expect(within(card).getAllByRole("alert").some((a) => a.textContent === failure)).toBe(true));
    expect(await within(card).findByText("Last attempt failed")).toBeInTheDocument();
    expect(within(card).getByText("Last attempt failed").nextElementSibling).toHaveTextContent(
      `${formatDateTime("2025-03-05T10:00:00Z")}: ${failure}`,
    );
  });
});

describe("the folder", () => {
  it("Change… picks a folder and saves it with the other settings as they are", async () => {
    const { calls, card } = await openBackups();
    vi.mocked(open).mockResolvedValueOnce("/home/olivia/OneDrive/UniAsset");
    await userEvent.click(within(card).getByRole("button", { name: "Change…" }));
    expect(vi.mocked(open)).toHaveBeenCalledWith(
      expect.objectContaining({ directory: true, multiple: false, defaultPath: "/home/olivia/Documents/UniAsset Backups" }),
    );
    await waitFor(() => expect(card.querySelector("#backup-folder")).toHaveTextContent("/home/olivia/OneDrive/UniAsset"));
    expect(inputs(calls)).toEqual([{ folder: "/home/olivia/OneDrive/UniAsset", automatic: true, keep_daily: 7, keep_weekly: 4 }]);
    expect(within(card).queryByText("(the default)")).not.toBeInTheDocument();

    // Back to the default: no folder chosen.
    await userEvent.click(within(card).getByRole("button", { name: "Use the default folder" }));
    await waitFor(() => expect(within(card).getByText("(the default)")).toBeInTheDocument());
    expect(inputs(calls)[1]).toEqual({ folder: null, automatic: true, keep_daily: 7, keep_weekly: 4 });
  });

  it("changes nothing when no folder is chosen, and shows an unwritable folder's refusal", async () => {
    const refusal = "UniAsset cannot write to /read-only: permission denied. Choose another folder.";
    const { calls, card } = await openBackups(makeBackupStatus(), {
      save_backup_settings: () => {
        throw { code: "backup_folder_unwritable", message: refusal };
      },
    });
    vi.mocked(open).mockResolvedValueOnce(null);
    await userEvent.click(within(card).getByRole("button", { name: "Change…" }));
    expect(inputs(calls)).toHaveLength(0);
    vi.mocked(open).mockResolvedValueOnce("/read-only");
    await userEvent.click(within(card).getByRole("button", { name: "Change…" }));
    await waitFor(() => expect(within(card).getAllByRole("alert").some((a) => a.textContent === refusal)).toBe(true));
    expect(card.querySelector("#backup-folder")).toHaveTextContent("/home/olivia/Documents/UniAsset Backups");
  });

  it("Open folder asks the shell", async () => {
    const { calls, card } = await openBackups(makeBackupStatus(), { open_backup_folder: () => null });
    await userEvent.click(within(card).getByRole("button", { name: "Open folder" }));
    expect(callsTo(calls, "open_backup_folder")).toHaveLength(1);
  });
});

describe("the schedule", () => {
  it("the daily switch saves at once", async () => {
    const { calls, card } = await openBackups();
    const box = within(card).getByRole("checkbox", { name: "Automatically every day" });
    expect(box).toBeChecked();
    await userEvent.click(box);
    await waitFor(() => expect(inputs(calls)).toEqual([{ folder: null, automatic: false, keep_daily: 7, keep_weekly: 4 }]));
    expect(within(card).getByText("Manual only")).toBeInTheDocument();
    expect(box).not.toBeChecked();
  });

  it("shows what the core still has when the switch is refused", async () => {
    const { card } = await openBackups(makeBackupStatus(), {
      save_backup_settings: () => {
        throw { code: "forbidden", message: "Only an Owner or Admin can change backups." };
      },
    });
    const box = within(card).getByRole("checkbox", { name: "Automatically every day" });
    await userEvent.click(box);
    await waitFor(() => expect(box).toBeChecked());
    expect(within(card).getByText("Only an Owner or Admin can change backups.")).toHaveAttribute("role", "alert");
  });

  it("saves how many copies to keep, and shows the core's range refusal verbatim", async () => {
    let refuse = false;
    const range = "Keep between 1 and 60 daily copies.";
    const { calls, card, core } = await openBackups(makeBackupStatus(), {
      save_backup_settings: (args) => {
        if (refuse) throw { code: "invalid_backup_settings", message: range };
        core.status = { ...core.status, ...(args.input as BackupSettingsInput), folder: core.status.folder };
        return core.status;
      },
    });
    const daily = within(card).getByRole("spinbutton", { name: "Daily copies to keep" });
    const weekly = within(card).getByRole("spinbutton", { name: "Weekly copies to keep" });
    expect(daily).toHaveValue(7);
    expect(weekly).toHaveValue(4);
    await userEvent.clear(daily);
    await userEvent.type(daily, "14");
    await userEvent.clear(weekly);
    await userEvent.type(weekly, "0");
    await userEvent.click(within(card).getByRole("button", { name: "Save" }));
    expect(await within(card).findByText("Saved.")).toBeInTheDocument();
    expect(inputs(calls)).toEqual([{ folder: null, automatic: true, keep_daily: 14, keep_weekly: 0 }]);

    refuse = true;
    await userEvent.clear(daily);
    await userEvent.type(daily, "99");
    await userEvent.click(within(card).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(within(card).getAllByRole("alert").some((a) => a.textContent === range)).toBe(true));
    expect(within(card).queryByText("Saved.")).not.toBeInTheDocument();
  });

  it.each([
    ["empty", ""],
    ["negative", "-1"],
  ])("an %s field is not sent", async (_, typed) => {
    const { calls, card } = await openBackups();
    const weekly = within(card).getByRole("spinbutton", { name: "Weekly copies to keep" });
    await userEvent.clear(weekly);
    if (typed) await userEvent.type(weekly, typed);
    await userEvent.click(within(card).getByRole("button", { name: "Save" }));
    expect(within(card).getByText("Enter how many daily and weekly copies to keep.")).toHaveAttribute("role", "alert");
    expect(inputs(calls)).toHaveLength(0);
  });
});

describe("encryption", () => {
  const LOST = "If you lose this passphrase, encrypted backups cannot be restored by anyone, including UniAsset support.";

  it("sets a passphrase typed twice, with the plain warning", async () => {
    const { calls, card } = await openBackups(makeBackupStatus(), {
      set_backup_passphrase: () => makeBackupStatus({ encrypted: true }),
    });
    expect(within(card).getByText(/^Backups are not encrypted\./)).toBeInTheDocument();
    await userEvent.click(within(card).getByRole("button", { name: "Set passphrase…" }));
    const dialog = screen.getByRole("dialog", { name: "Encrypt backups" });
    expect(within(dialog).getByText(LOST)).toHaveClass("warning");
    const first = within(dialog).getByLabelText("Passphrase");
    expect(first).toHaveFocus();
    await userEvent.type(first, "correct horse");
    await userEvent.type(within(dialog).getByLabelText("Type it again"), "correct hors");
    await userEvent.click(within(dialog).getByRole("button", { name: "Encrypt backups" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("The passphrases do not match.");
    expect(callsTo(calls, "set_backup_passphrase")).toHaveLength(0);

    await userEvent.type(within(dialog).getByLabelText("Type it again"), "e");
    await userEvent.click(within(dialog).getByRole("button", { name: "Encrypt backups" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "set_backup_passphrase").map((c) => c.args)).toEqual([{ passphrase: "correct horse" }]);
    expect(within(card).getByText("New backups are encrypted.")).toHaveAttribute("role", "status");
    expect(within(card).getByRole("button", { name: "Change passphrase…" })).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "Turn encryption off" })).toBeInTheDocument();
  });

  it("shows the core's refusal of a passphrase verbatim and keeps the dialog", async () => {
    const weak = "Use a passphrase of at least 12 characters.";
    const { card } = await openBackups(makeBackupStatus(), {
      set_backup_passphrase: () => {
        throw { code: "backup_passphrase_weak", message: weak };
      },
    });
    await userEvent.click(within(card).getByRole("button", { name: "Set passphrase…" }));
    const dialog = screen.getByRole("dialog", { name: "Encrypt backups" });
    await userEvent.type(within(dialog).getByLabelText("Passphrase"), "short");
    await userEvent.type(within(dialog).getByLabelText("Type it again"), "short");
    await userEvent.click(within(dialog).getByRole("button", { name: "Encrypt backups" }));
    await waitFor(() => expect(within(dialog).getByRole("alert")).toHaveTextContent(new RegExp(`^${weak}$`)));
  });

  it("changes the passphrase, and turns encryption off only after confirmation", async () => {
    const { calls, card } = await openBackups(makeBackupStatus({ encrypted: true }), {
      set_backup_passphrase: (args) => makeBackupStatus({ encrypted: args.passphrase !== null }),
    });
    expect(within(card).getByText("Encrypted")).toBeInTheDocument();
    await userEvent.click(within(card).getByRole("button", { name: "Change passphrase…" }));
    const dialog = screen.getByRole("dialog", { name: "Change the backup passphrase" });
    expect(dialog).toHaveTextContent(LOST);
    expect(dialog).toHaveTextContent("Copies made before keep the old passphrase.");
    await userEvent.type(within(dialog).getByLabelText("New passphrase"), "second one");
    await userEvent.type(within(dialog).getByLabelText("Type it again"), "second one");
    await userEvent.click(within(dialog).getByRole("button", { name: "Change passphrase" }));
    expect(await within(card).findByText("Passphrase changed.")).toBeInTheDocument();

    await userEvent.click(within(card).getByRole("button", { name: "Turn encryption off" }));
    const confirm = screen.getByRole("alertdialog", { name: "Turn encryption off?" });
    expect(confirm).toHaveTextContent("Copies already made stay encrypted: restoring one of them still needs the passphrase.");
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();
    expect(callsTo(calls, "set_backup_passphrase")).toHaveLength(1);
    await userEvent.click(within(confirm).getByRole("button", { name: "Turn encryption off" }));
    expect(await within(card).findByText("Encryption is off. New backups are not encrypted.")).toBeInTheDocument();
    expect(callsTo(calls, "set_backup_passphrase").map((c) => c.args)).toEqual([
      { passphrase: "second one" },
      { passphrase: null },
    ]);
    expect(within(card).getByRole("button", { name: "Set passphrase…" })).toBeInTheDocument();
  });

  it("says when this computer's keychain has no passphrase, and offers to set it", async () => {
    const { card } = await openBackups(makeBackupStatus({ encrypted: true, passphrase_missing: true }));
    const warning = within(card).getByText((_, el) => el?.classList.contains("warning") ?? false);
    expect(warning).toHaveTextContent(/^The passphrase is not in this computer's keychain, so backups cannot be made/);
    expect(within(warning).getByRole("button", { name: "What does “keychain” mean?" })).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "Set passphrase…" })).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "Turn encryption off" })).toBeInTheDocument();
  });

  it("is the Owner's: an Admin sees it, without the buttons", async () => {
    const { card } = await openBackups(makeBackupStatus({ encrypted: true }), {}, admin, adminMay);
    expect(within(card).getByText("New backups are encrypted with a passphrase.")).toBeInTheDocument();
    expect(within(card).getByText("Only an Owner can set or change the passphrase.")).toBeInTheDocument();
    expect(within(card).queryByRole("button", { name: /passphrase|encryption/ })).not.toBeInTheDocument();
  });
});

describe("the copies", () => {
  it("lists them newest first, with size and whether encrypted", async () => {
    const older = makeBackupFile("2025-02-23T03:05:00Z");
    const newest = makeBackupFile("2025-03-03T03:05:00Z", { encrypted: true, size_bytes: 1536 });
    const middle = makeBackupFile("2025-03-02T03:05:00Z");
    const { card } = await openBackups(makeBackupStatus({ copies: [middle, newest, older] }));
    const list = within(card).getByRole("list", { name: "Copies in the folder" });
    const items = within(list).getAllByRole("listitem");
    expect(items.map((li) => li.getAttribute("title"))).toEqual([newest.file_name, middle.file_name, older.file_name]);
    expect(items[0]).toHaveTextContent(`${formatDateTime(newest.created_at)} 1.5 KB Encrypted`);
    expect(items[1]).not.toHaveTextContent("Encrypted");
  });
});
