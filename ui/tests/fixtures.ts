// Test data and a mocked core. Every test talks to the UI through the real api module and
// @tauri-apps/api's invoke; only the Rust side is replaced.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { CommandMap } from "../src/bindings/commands";
import type { AppStatus } from "../src/bindings/AppStatus";
import type { Asset } from "../src/bindings/Asset";
import type { AssetPage } from "../src/bindings/AssetPage";
import type { AuditEntry } from "../src/bindings/AuditEntry";
import type { AuditPage } from "../src/bindings/AuditPage";
import type { BackupFile } from "../src/bindings/BackupFile";
import type { BackupInfo } from "../src/bindings/BackupInfo";
import type { BackupStatus } from "../src/bindings/BackupStatus";
import type { Connection } from "../src/bindings/Connection";
import type { Checklist } from "../src/bindings/Checklist";
import type { Home } from "../src/bindings/Home";
import type { Place } from "../src/bindings/Place";
import type { Step } from "../src/bindings/Step";
import type { StepKind } from "../src/bindings/StepKind";
import type { EmailSettings } from "../src/bindings/EmailSettings";
import type { EntraOverview } from "../src/bindings/EntraOverview";
import type { EntraSettings } from "../src/bindings/EntraSettings";
import type { EvidenceRow } from "../src/bindings/EvidenceRow";
import type { FrequentChecks } from "../src/bindings/FrequentChecks";
import type { Leaver } from "../src/bindings/Leaver";
import type { Organization } from "../src/bindings/Organization";
import type { RunLine } from "../src/bindings/RunLine";
import type { RunRecord } from "../src/bindings/RunRecord";
import type { SettingsAccess } from "../src/bindings/SettingsAccess";
import type { User } from "../src/bindings/User";
import type { UserActions } from "../src/bindings/UserActions";
import type { UserCounts } from "../src/bindings/UserCounts";
import type { UserPage } from "../src/bindings/UserPage";
import type { UserRow } from "../src/bindings/UserRow";

export const org: Organization = {
  name: "Acme Ltd",
  plan: "team",
  created_at: "2025-01-02T10:00:00Z",
  demo: false,
  idle_timeout_minutes: 15,
};

/** What the core says on start; by default an organization with nobody signed in. */
export function makeAppStatus(overrides: Partial<AppStatus> = {}): AppStatus {
  return { organization: org, signed_in: null, demo_sign_in: null, may: null, ...overrides };
}

export function makeUser(id: number, overrides: Partial<User> = {}): User {
  return {
    id,
    email: `user${id}@acme.test`,
    display_name: `User ${id}`,
    role: "member",
    sign_in: "password",
    entra_object_id: null,
    status: "active",
    deactivated_at: null,
    deactivated_by: null,
    deactivation_reason: null,
    created_at: "2025-01-02T10:00:00Z",
    protected: false,
    entra_tenant_id: null,
    ...overrides,
  };
}

/** A Users-page row; by default what an Owner may do to someone else (the core decides). */
export function asRow(user: User, may: Partial<UserActions> = {}): UserRow {
  if ("may" in user) return user as UserRow;
  return {
    ...user,
    assets_held: 0,
    gap: null,
    may: {
      deactivate: user.status === "active",
      reactivate: user.status === "deactivated",
      protect: true,
      edit: false,
      set_password: false,
      check: false,
      offboard: false,
      manager: false,
      manager_from_entra: false,
      ...may,
    },
  };
}

/** What an Owner, an Admin and a Member may manage in Settings (the core decides). */
export const adminMay: SettingsAccess = {
  integrations: true,
  start_at_login: true,
  idle_timeout: true,
  organization: false,
  audit_log: true,
  support: true,
  backups: true,
  backup_keys: false,
  updates: true,
};
export const ownerMay: SettingsAccess = { ...adminMay, organization: true, backup_keys: true };
export const memberMay: SettingsAccess = {
  integrations: false,
  start_at_login: false,
  idle_timeout: false,
  organization: false,
  audit_log: false,
  support: false,
  backups: false,
  backup_keys: false,
  updates: false,
};

export const connection: Connection = {
  tenant: "contoso.onmicrosoft.com",
  client_id: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
  cloud: "global",
  endpoints: { login_url: "https://login.microsoftonline.com", graph_url: "https://graph.microsoft.com" },
  secret_expires_on: null,
  connected_at: "2025-03-01T09:00:00Z",
  connected_by: "Olivia Owner",
  tenant_id: "7e1b2c3d-0000-4000-8000-00000000c0de",
  set_up_by_uniasset: false,
};

const NOT_CONNECTED =
  "Microsoft Entra ID is not connected yet, so there is nobody to check. Connect it first (Set it up for me takes one sign-in).";

/** An Enterprise organization, not connected, auto-deprovision off, no runs. */
export function makeOverview(
  overrides: Partial<EntraOverview> = {},
  settings: Partial<EntraSettings> = {},
): EntraOverview {
  return {
    plan: "enterprise",
    deprovision_blocked: settings.connection ? null : NOT_CONNECTED,
    match_blocked: settings.connection ? null : NOT_CONNECTED,
    next_run_utc: null,
    last_run: null,
    history: [],
    held: [],
    ...overrides,
    settings: {
      connection: null,
      auto_deprovision: false,
      enabled_at: null,
      guard: { min_users: 5, percent: 20 },
      run_deadline_minutes: 30,
      secret_warning: null,
      renewal_due: false,
      secret_renewal: null,
      auto_add_new_users: false,
      auto_add_since: null,
      secret_needed: false,
      check_every_minutes: null,
      end_sessions_since: null,
      end_sessions_blocked: null,
      offboard_blocked: null,
      ...settings,
    },
  };
}

export function makeLine(email: string, overrides: Partial<RunLine> = {}): RunLine {
  return {
    user_id: 7,
    email,
    entra_object_id: "6f1d0c2a-0000-4000-8000-000000000007",
    outcome: "deactivated",
    reason: "disabled_in_entra",
    detail: "",
    display_name: null,
    detected_at: null,
    assets_to_recover: 0,
    sessions: null,
    sessions_at: null,
    ...overrides,
  };
}

export function makeRun(id: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    trigger: "manual",
    dry_run: false,
    started_at: "2025-03-03T03:00:00Z",
    ended_at: "2025-03-03T03:00:04Z",
    result: "succeeded",
    counts: { checked: 40, disabled_found: 1, deleted_found: 0, deactivated: 1, skipped: 0, errors: 0, added: 0, linked: 0 },
    lines: [],
    error: null,
    graph_requests: 3,
    started_by: "Olivia Owner",
    review: null,
    applies_run_id: null,
    headline: "1 deactivated",
    secret_notice: null,
    ...overrides,
  };
}

export function makeAuditEntry(id: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: "2025-03-03T10:00:00Z",
    actor: "Olivia Owner <olivia@acme.test>",
    action: "user.added",
    subject_user_id: 7,
    asset_id: null,
    detail: `entry ${id}`,
    subject: "Ann Active <ann@acme.test>",
    ...overrides,
  };
}

/** One page of the audit log: these entries, then `next` (null at the end) and the total. */
export function makeAuditPage(entries: AuditEntry[], next: number | null = null, total = entries.length): AuditPage {
  return { entries, next, total };
}

/** Frequent checks off and never run, as for a new organization. */
export function makeFrequentChecks(overrides: Partial<FrequentChecks> = {}): FrequentChecks {
  return {
    every_minutes: null,
    min_minutes: 5,
    max_minutes: 60,
    default_minutes: 15,
    active: false,
    inactive_reason: null,
    turn_on_refused: null,
    last_checked_at: null,
    last_result: null,
    last_run_id: null,
    paused: null,
    next_check_at: null,
    ...overrides,
  };
}

export type Call = { cmd: string; args: Record<string, unknown> };

export type Command = keyof CommandMap;
/**
 * A stand-in for one command of the core: it gets the arguments the window sent and answers
 * what the command answers (or throws, as the core refuses). Typed from the generated
 * bindings, so a renamed command, argument or answer fails the type check.
 */
export type Handler<C extends Command> = (
  args: CommandMap[C]["args"],
) => CommandMap[C]["returns"] | Promise<CommandMap[C]["returns"]>;
export type Handlers = { [C in Command]?: Handler<C> };

/**
 * Installs the handlers as the core and returns the log of every command invoked. Events
 * are mocked too: `emit` from @tauri-apps/api/event reaches the page's `listen`, as the
 * shell's events would, and listen/unlisten never reach the handlers or the log.
 */
export function mockCore(handlers: Handlers): Call[] {
  const calls: Call[] = [];
  // The Entra page always asks about frequent checks too; tests about something else get
  // them off.
  if (handlers.entra_overview && !handlers.frequent_checks) {
    handlers = { ...handlers, frequent_checks: () => makeFrequentChecks() };
  }
  // The audit log shows the trail's latest check; tests about something else find none yet.
  if (handlers.audit_log && !handlers.audit_trail_verdict) {
    handlers = { ...handlers, audit_trail_verdict: () => null };
  }
  // Connecting shows the first run's preview; tests about something else find nobody leaving.
  if (handlers.entra_overview && !handlers.preview_run) {
    handlers = { ...handlers, preview_run: () => makeRun(0, { id: null, dry_run: true }) };
  }
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const handler = handlers[cmd as Command] as ((args: unknown) => unknown) | undefined;
      if (!handler) throw new Error(`test did not expect command ${cmd}`);
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

export const callsTo = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd);

export function makeAsset(id: number, overrides: Partial<Asset> = {}): Asset {
  return {
    id,
    tag: `A-${id}`,
    name: `Asset ${id}`,
    category: null,
    serial: null,
    status: "in_stock",
    assigned_to: null,
    assigned_to_name: null,
    assigned_to_email: null,
    assigned_to_status: null,
    return_due: null,
    return_state: null,
    ...overrides,
  };
}

/** The register as the core answers it; Owners and Admins may manage by default. */
export function makeAssetPage(assets: Asset[], may_manage = true): AssetPage {
  return { assets, may_manage };
}

const STEPS: [StepKind, string, string, Place][] = [
  ["add_people", "Add your people", "Add people", "people"],
  ["connect_entra", "Connect Microsoft Entra ID", "Connect", "entra"],
  ["turn_on_auto_deprovisioning", "Turn on auto-deprovisioning", "Turn on", "entra"],
  ["record_assets", "Record your assets and who holds them", "Add an asset", "assets"],
  ["email_alerts", "Set up email alerts", "Set up", "email_alerts"],
  ["backups", "Check backups", "Open Backups", "backups"],
];

/** The getting-started list with the steps in `done` ticked off. */
export function makeChecklist(done: StepKind[] = []): Checklist {
  const steps: Step[] = STEPS.map(([kind, title, label, place]) => ({
    kind,
    title,
    hint: `How to ${title.toLowerCase()}.`,
    done: done.includes(kind),
    blocked: null,
    action: { label, place },
  }));
  return { steps, remaining: steps.filter((s) => !s.done).length };
}

/** Home as the core answers it: nothing to show unless overridden. */
export function makeHome(overrides: Partial<Home> = {}): Home {
  return { organization: org.name, manages: true, items: [], checklist: null, ...overrides };
}

/** The signed-in window's first questions (Home, the register and the sidebar's leaver count) with nothing to show. */
export const noAssets: Handlers = {
  home: () => makeHome(),
  list_assets: () => makeAssetPage([]),
  leaver_count: () => 0,
};

export function makeLeaver(user: User, assets: Asset[], overrides: Partial<Leaver> = {}): Leaver {
  return {
    user: { ...user, status: "deactivated" },
    reason: "disabled_in_entra",
    trigger: "disabled_in_entra",
    deactivated_at: "2025-03-03T03:00:04Z",
    deactivated_by: "Microsoft Entra ID sync, run #12",
    assets,
    ...overrides,
  };
}

export function makeEvidenceRow(overrides: Partial<EvidenceRow> = {}): EvidenceRow {
  return {
    user_id: 7,
    email: "dana@acme.test",
    name: "Dana Driver",
    object_id: "0f1e2d3c-aaaa-4bbb-8ccc-000000000007",
    reason: "disabled_in_entra",
    trigger: "disabled_in_entra",
    detected_at: "2025-03-02T22:48:00Z",
    deactivated_at: "2025-03-03T03:00:04Z",
    deactivated_by: "Microsoft Entra ID sync, run #12",
    run_id: 12,
    applied_by: null,
    applied_at: null,
    delay_seconds: 4 * 3600 + 12 * 60 + 4,
    target_hours: 24,
    target_met: true,
    disabled_in_entra_at: null,
    sessions: null,
    sessions_ended_at: null,
    assets: [],
    assets_outstanding: [],
    assets_returned: [],
    assets_lost: [],
    assets_written_off: [],
    ...overrides,
  };
}

/** Email alerts as the core reports them: off unless overridden. */
export function makeEmailSettings(overrides: Partial<EmailSettings> = {}): EmailSettings {
  return {
    enabled: false,
    host: null,
    port: 587,
    tls: "starttls",
    username: null,
    sender: null,
    recipients: [],
    password_set: false,
    last_send: null,
    tested_at: null,
    ...overrides,
  };
}

/**
 * The core's list_users over `rows` (every user matching, in order): the window the query's
 * offset and limit ask for, with how many match in all.
 */
/** Counts over the whole organization; the gaps none unless given. */
export function makeCounts(counts: Pick<UserCounts, "all" | "active" | "deactivated"> & Partial<UserCounts>): UserCounts {
  return { cannot_sign_in: 0, not_linked: 0, ...counts };
}

export function usersWindow(
  rows: UserRow[],
  partialCounts: Pick<UserCounts, "all" | "active" | "deactivated"> & Partial<UserCounts>,
  mayAdd?: boolean,
): Handler<"list_users"> {
  const counts = makeCounts(partialCounts);
  return (args) => {
    const { offset, limit } = args.query;
    const from = offset ?? 0;
    const users = rows.slice(from, limit == null ? undefined : from + limit);
    return { users, offset: from, matching: rows.length, counts, may_add: mayAdd } as UserPage;
  };
}

/** A copy in the backup folder, made at `created_at` (UTC). */
export function makeBackupFile(created_at: string, overrides: Partial<BackupFile> = {}): BackupFile {
  const stamp = created_at.replace(/:/g, "-");
  const encrypted = overrides.encrypted ?? false;
  const file_name = `UniAsset-backup-${stamp}.uabackup${encrypted ? ".age" : ""}`;
  return {
    path: `/home/olivia/Documents/UniAsset Backups/${file_name}`,
    file_name,
    created_at,
    size_bytes: 2_516_582,
    encrypted,
    ...overrides,
  };
}

/** Backups as the core reports them: defaults, one good copy, no warning. */
export function makeBackupStatus(overrides: Partial<BackupStatus> = {}): BackupStatus {
  const last = makeBackupFile("2025-03-03T03:05:00Z");
  return {
    folder: "/home/olivia/Documents/UniAsset Backups",
    default_folder: true,
    automatic: true,
    keep_daily: 7,
    keep_weekly: 4,
    encrypted: false,
    passphrase_missing: false,
    last_good: last,
    last_error: null,
    last_error_at: null,
    warning: null,
    overdue: false,
    copies: [last, makeBackupFile("2025-03-02T03:05:00Z")],
    ...overrides,
  };
}

/** What inspect_backup says about a good copy from this version. */
export function makeBackupInfo(file: BackupFile, overrides: Partial<BackupInfo> = {}): BackupInfo {
  return {
    file,
    organization: "Acme Ltd",
    created_at: file.created_at,
    app_version: "0.1.0",
    people: 42,
    assets: 118,
    documents: 9,
    schema_version: 13,
    older_schema: false,
    ...overrides,
  };
}
