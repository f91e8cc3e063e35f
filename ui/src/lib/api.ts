// The only module that talks to the Rust core. Screens call `backend`, never `invoke` or
// `listen`, so the IPC contract lives in one place and every failure arrives as a ErrorReport.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AppStatus } from "../bindings/AppStatus";
import type { Asset } from "../bindings/Asset";
import type { ConnectionInput } from "../bindings/ConnectionInput";
import type { EntraOverview } from "../bindings/EntraOverview";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { MassDeactivationGuard } from "../bindings/MassDeactivationGuard";
import type { MatchReport } from "../bindings/MatchReport";
import type { NewOrganization } from "../bindings/NewOrganization";
import type { Organization } from "../bindings/Organization";
import type { RunRecord } from "../bindings/RunRecord";
import type { User } from "../bindings/User";
import type { UserDetails } from "../bindings/UserDetails";
import type { UserPage } from "../bindings/UserPage";
import type { UserQuery } from "../bindings/UserQuery";

/** The event the shell emits whenever a sync run ends, whoever started it. */
export const SYNC_FINISHED = "sync-finished";

/** The core's code for "Entra still says disabled or deleted: confirm to reactivate". */
export const NEEDS_CONFIRMATION = "reactivation_needs_confirmation";

/** The core's code for a session that has ended (idle too long, signed in elsewhere, deactivated). */
export const SESSION_ENDED = "session_ended";

export interface Backend {
  appStatus(): Promise<AppStatus>;
  setupOrganization(input: NewOrganization): Promise<Organization>;
  setupDemo(): Promise<AppStatus>;
  signIn(email: string, password: string): Promise<User>;
  signOut(): Promise<null>;
  listUsers(query: UserQuery): Promise<UserPage>;
  userDetails(userId: number): Promise<UserDetails>;
  deactivateUser(userId: number): Promise<User>;
  reactivateUser(userId: number, confirmed: boolean): Promise<User>;
  setUserProtected(userId: number, isProtected: boolean): Promise<User>;
  listAssets(): Promise<Asset[]>;
  entraOverview(): Promise<EntraOverview>;
  entraTest(input: ConnectionInput, secret: string): Promise<null>;
  entraConnect(input: ConnectionInput, secret: string): Promise<EntraOverview>;
  entraDisconnect(): Promise<EntraOverview>;
  entraSave(autoDeprovision: boolean, guard: MassDeactivationGuard): Promise<EntraOverview>;
  syncNow(): Promise<RunRecord>;
  runDetails(runId: number): Promise<RunRecord>;
  applyHeld(runId: number): Promise<RunRecord>;
  dismissHeld(runId: number): Promise<EntraOverview>;
  matchAccounts(): Promise<MatchReport>;
  autostartEnabled(): Promise<boolean>;
  setAutostart(enabled: boolean): Promise<boolean>;
  setIdleTimeout(minutes: number): Promise<Organization>;
  /** Calls `handler` with each run that ends; resolves to the function that stops listening. */
  onSyncFinished(handler: (run: RunRecord) => void): Promise<() => void>;
}

/** Any rejection as a ErrorReport; the core's messages are kept verbatim. */
export function toErrorReport(e: unknown): ErrorReport {
  if (typeof e === "object" && e !== null) {
    const { code, message } = e as Record<string, unknown>;
    if (typeof code === "string" && typeof message === "string") return { code, message };
  }
  return { code: "unexpected", message: String(e) };
}

const sessionEndedHandlers = new Set<() => void>();

/**
 * Calls `handler` whenever any command is refused because the session has ended, so the app
 * can go back to sign-in from wherever it is. Returns the function that stops it.
 */
export function onSessionEnded(handler: () => void): () => void {
  sessionEndedHandlers.add(handler);
  return () => sessionEndedHandlers.delete(handler);
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    const report = toErrorReport(e);
    if (report.code === SESSION_ENDED) sessionEndedHandlers.forEach((handler) => handler());
    throw report;
  }
}

export const backend: Backend = {
  appStatus: () => call("app_status"),
  setupOrganization: (input) => call("setup_organization", { input }),
  setupDemo: () => call("setup_demo"),
  signIn: (email, password) => call("sign_in", { email, password }),
  signOut: () => call("sign_out"),
  listUsers: (query) => call("list_users", { query }),
  userDetails: (userId) => call("user_details", { userId }),
  deactivateUser: (userId) => call("deactivate_user", { userId }),
  reactivateUser: (userId, confirmed) => call("reactivate_user", { userId, confirmed }),
  setUserProtected: (userId, isProtected) => call("set_user_protected", { userId, protected: isProtected }),
  listAssets: () => call("list_assets"),
  entraOverview: () => call("entra_overview"),
  entraTest: (input, secret) => call("entra_test", { input, secret }),
  entraConnect: (input, secret) => call("entra_connect", { input, secret }),
  entraDisconnect: () => call("entra_disconnect"),
  entraSave: (autoDeprovision, guard) => call("entra_save", { autoDeprovision, guard }),
  syncNow: () => call("sync_now"),
  runDetails: (runId) => call("run_details", { runId }),
  applyHeld: (runId) => call("apply_held", { runId }),
  dismissHeld: (runId) => call("dismiss_held", { runId }),
  matchAccounts: () => call("match_accounts"),
  autostartEnabled: () => call("autostart_enabled"),
  setAutostart: (enabled) => call("set_autostart", { enabled }),
  setIdleTimeout: (minutes) => call("set_idle_timeout", { minutes }),
  onSyncFinished: (handler) => listen<RunRecord>(SYNC_FINISHED, (event) => handler(event.payload)),
};
