// The only module that talks to the Rust core. Screens call `backend`, never `invoke` or
// `listen`. The commands, their arguments, the events and the error codes are generated from
// the shell's Rust tables (bindings/commands.ts); this module adds the one error model: every
// failure arrives as an ErrorReport, and an ended session is announced wherever it happens.
import { invoke } from "@tauri-apps/api/core";
import { ErrorCodes, commands, events } from "../bindings/commands";
import type { ErrorReport } from "../bindings/ErrorReport";

export { ErrorCodes } from "../bindings/commands";
export type { ErrorCode } from "../bindings/commands";

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
    if (report.code === ErrorCodes.sessionEnded) sessionEndedHandlers.forEach((handler) => handler());
    throw report;
  }
}

export const backend = { ...commands(call), ...events };
