import type { BackupSettingsInput } from "../../../../bindings/BackupSettingsInput";
import type { BackupStatus } from "../../../../bindings/BackupStatus";

/** The settings as the core has them, for a save that changes one of them. */
export function settingsOf(status: BackupStatus): BackupSettingsInput {
  return {
    // The default folder is kept as "no folder chosen", so it follows the system's Documents.
    folder: status.default_folder ? null : status.folder,
    automatic: status.automatic,
    keep_daily: status.keep_daily,
    keep_weekly: status.keep_weekly,
  };
}
