// The only module that talks to the Rust core. Screens call `backend`, never `invoke`,
// so the IPC contract lives in one place and every failure arrives as a ErrorReport.
import { invoke } from "@tauri-apps/api/core";
import type { AppStatus } from "../bindings/AppStatus";
import type { Asset } from "../bindings/Asset";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { NewOrganization } from "../bindings/NewOrganization";
import type { Organization } from "../bindings/Organization";
import type { User } from "../bindings/User";
import type { UserPage } from "../bindings/UserPage";
import type { UserQuery } from "../bindings/UserQuery";

export interface Backend {
  appStatus(): Promise<AppStatus>;
  setupOrganization(input: NewOrganization): Promise<Organization>;
  signIn(email: string, password: string): Promise<User>;
  signOut(): Promise<null>;
  listUsers(query: UserQuery): Promise<UserPage>;
  listAssets(): Promise<Asset[]>;
}

/** Any rejection as a ErrorReport; the core's messages are kept verbatim. */
export function toErrorReport(e: unknown): ErrorReport {
  if (typeof e === "object" && e !== null) {
    const { code, message } = e as Record<string, unknown>;
    if (typeof code === "string" && typeof message === "string") return { code, message };
  }
  return { code: "unexpected", message: String(e) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toErrorReport(e);
  }
}

export const backend: Backend = {
  appStatus: () => call("app_status"),
  setupOrganization: (input) => call("setup_organization", { input }),
  signIn: (email, password) => call("sign_in", { email, password }),
  signOut: () => call("sign_out"),
  listUsers: (query) => call("list_users", { query }),
  listAssets: () => call("list_assets"),
};
