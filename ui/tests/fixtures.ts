// Test data and a mocked core. Every test talks to the UI through the real api module and
// @tauri-apps/api's invoke; only the Rust side is replaced.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { Organization } from "../src/bindings/Organization";
import type { User } from "../src/bindings/User";

export const org: Organization = { name: "Acme Ltd", plan: "team", created_at: "2025-01-02T10:00:00Z" };

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
    ...overrides,
  };
}

export type Call = { cmd: string; args: Record<string, unknown> };
type Handler = (args: Record<string, unknown>) => unknown;

/** Installs the handlers as the core and returns the log of every command invoked. */
export function mockCore(handlers: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = handlers[cmd];
    if (!handler) throw new Error(`test did not expect command ${cmd}`);
    return handler(args);
  });
  return calls;
}

export const callsTo = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd);
