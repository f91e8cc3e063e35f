// Words shown for the core's enum values. Records keyed by the generated unions, so a new
// variant added on the Rust side fails type checking here until it has a label.
import type { AssetStatus } from "../bindings/AssetStatus";
import type { AccountGap } from "../bindings/AccountGap";
import type { Cloud } from "../bindings/Cloud";
import type { DeactivationReason } from "../bindings/DeactivationReason";
import type { DeactivationTrigger } from "../bindings/DeactivationTrigger";
import type { HoldingOutcome } from "../bindings/HoldingOutcome";
import type { LineOutcome } from "../bindings/LineOutcome";
import type { SessionsOutcome } from "../bindings/SessionsOutcome";
import type { Plan } from "../bindings/Plan";
import type { Review } from "../bindings/Review";
import type { Role } from "../bindings/Role";
import type { RunResult } from "../bindings/RunResult";
import type { SignInMethod } from "../bindings/SignInMethod";
import type { SmtpTls as TlsMode } from "../bindings/SmtpTls";
import type { Trigger } from "../bindings/Trigger";
import type { ReturnState } from "../bindings/ReturnState";
import type { WebhookKind } from "../bindings/WebhookKind";
import type { WriteOffReason } from "../bindings/WriteOffReason";
import type { User } from "../bindings/User";
import { formatDateTime } from "./time";

export const planLabel: Record<Plan, string> = {
  free: "Free",
  team: "Team",
  enterprise: "Enterprise",
};

/** What each plan includes, as first-run setup explains it (R-D6). */
export const planIncludes: Record<Plan, string> = {
  enterprise:
    "People, assets and auto-deprovisioning: every night UniAsset deactivates the people Microsoft Entra ID says have left.",
  team: "People and assets, checked by hand. Auto-deprovisioning needs Enterprise.",
  free: "People and assets, checked by hand. Auto-deprovisioning needs Enterprise.",
};

export const roleLabel: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  member: "Member",
};

export const signInLabel: Record<SignInMethod, string> = {
  password: "Password",
  google: "Google",
  microsoft: "Microsoft",
};

/** How the Users list names an account gap: its mark, its filter, and the mark's tooltip. */
export const gapLabel: Record<AccountGap, { short: string; filter: string; explained: string }> = {
  cannot_sign_in: {
    short: "Cannot sign in",
    filter: "Cannot sign in",
    explained: "Signs in with a password but has none yet: Set password from the ⋮ menu.",
  },
  not_linked: {
    short: "Not checked",
    filter: "Not linked to Entra",
    explained:
      "Signs in with Microsoft but is not linked to an Entra account, so the nightly check cannot see if they leave. Link them with Edit, or Match Microsoft accounts on the Entra page.",
  },
};

export const reasonLabel: Record<DeactivationReason, string> = {
  disabled_in_entra: "Disabled in Entra",
  deleted_from_entra: "Deleted from Entra",
  manual: "Deactivated manually",
};

/** What started a deactivation, in the evidence and on Leavers. */
export const deactivationTriggerLabel: Record<DeactivationTrigger, string> = {
  disabled_in_entra: "Disabled in Entra",
  deleted_from_entra: "Deleted from Entra",
  by_hand: "Deactivated manually",
  offboarded: "Offboarded here",
};

/** Whether a deactivation was within the organization's target from detection (short: a table cell). */
export function targetWords(met: boolean | null): string {
  if (met === null) return "Not measured: a person acted";
  return met ? "Within target" : "Over target";
}

/** "Disabled in Entra · Mar 3, 2025, 3:00 AM · by Microsoft Entra ID sync", parts omitted when unknown. */
export function deactivationSummary(user: User): string {
  const parts: string[] = [];
  if (user.deactivation_reason) parts.push(reasonLabel[user.deactivation_reason]);
  if (user.deactivated_at) parts.push(formatDateTime(user.deactivated_at));
  if (user.deactivated_by) parts.push(`by ${user.deactivated_by}`);
  return parts.join(" · ");
}

export const cloudLabel: Record<Cloud, string> = {
  global: "Global",
  usgov: "US Government",
  usgov_dod: "US Government DoD",
  china: "China",
  custom: "Custom",
};

export const triggerLabel: Record<Trigger, string> = {
  scheduled: "Nightly",
  "catch-up": "Catch-up",
  manual: "Manual",
  tray: "Tray",
  cli: "Command line",
  interval: "Frequent check",
  person: "Check one person",
};

export const resultLabel: Record<RunResult, string> = {
  running: "Running",
  succeeded: "Succeeded",
  completed_with_errors: "Completed with errors",
  failed: "Failed",
  held_for_review: "Held for review",
};

/** Badge colour per result: green only when nothing needs a look. */
export const resultBadge: Record<RunResult, string> = {
  running: "badge-off",
  succeeded: "badge-ok",
  completed_with_errors: "badge-warn",
  failed: "badge-danger",
  held_for_review: "badge-warn",
};

export const reviewLabel: Record<Review, string> = {
  pending: "waiting for review",
  applied: "applied",
  dismissed: "dismissed",
};

export const outcomeLabel: Record<LineOutcome, string> = {
  deactivated: "Deactivated",
  would_deactivate: "Would deactivate",
  held: "Held",
  skipped_last_owner: "Skipped: last Owner",
  skipped_protected: "Skipped: protected",
  other_tenant: "Linked to another tenant — match again",
  enabled_again: "Enabled again in Entra",
  added: "Added from Entra",
  linked: "Linked to Entra",
  would_add: "Would add",
  would_link: "Would link",
  error: "Error",
};

/** What became of a leaver's Microsoft sessions (R-E7), in a few words; the core's sentence says more. */
export const sessionsLabel: Record<SessionsOutcome, string> = {
  ended: "Microsoft sessions ended",
  nothing_to_end: "No Microsoft sessions to end (account deleted)",
  refused: "Microsoft sessions not ended: permission missing",
  failed: "Microsoft sessions not ended yet: tried again at the next run",
};

// Audit actions are open-ended strings in the core; known ones get words, others show as is.
const auditActionLabel: Record<string, string> = {
  "user.added": "Added",
  "user.deactivated": "Deactivated",
  "user.reactivated": "Reactivated",
  "user.linked_to_entra": "Linked to Microsoft Entra ID",
  "user.password_set": "Password set",
  "user.protected": "Protected from automatic deactivation",
  "user.unprotected": "Protection from automatic deactivation removed",
  "user.sign_in_locked": "Sign-in locked after failed attempts",
  "user.edited": "Edited",
  "user.password_changed": "Password changed",
  "organization.created": "Organization created",
  "organization.renamed": "Organization renamed",
  "organization.idle_timeout_changed": "Idle sign-out time changed",
  "organization.plan_changed": "Plan changed",
  "updates.settings_changed": "Update settings changed",
  "updates.installed": "Update installed",
  "updates.installer_started": "Update installer started",
  "entra.connected": "Microsoft Entra ID connected",
  "entra.disconnected": "Microsoft Entra ID disconnected",
  "entra.auto_deprovision_on": "Auto-deprovision turned on",
  "entra.auto_deprovision_off": "Auto-deprovision turned off",
  "entra.auto_add_on": "Automatic adding from Entra turned on",
  "entra.auto_add_off": "Automatic adding from Entra turned off",
  "entra.guard_changed": "Mass-deactivation guard changed",
  "entra.run_deadline_changed": "Run time limit changed",
  "entra.frequent_checks_on": "Frequent checks turned on",
  "entra.frequent_checks_off": "Frequent checks turned off",
  "entra.end_sessions_on": "Ending leavers' Microsoft sessions turned on",
  "entra.end_sessions_off": "Ending leavers' Microsoft sessions turned off",
  "entra.permission_granted": "Permission granted in Microsoft Entra ID",
  "user.sessions_ended": "Microsoft sessions ended",
  "user.sessions_not_ended": "Microsoft sessions not ended",
  "entra.links_adopted": "Entra links adopted by the connection",
  "sync.held_run_applied": "Held run applied",
  "sync.held_run_dismissed": "Held run dismissed",
  "sync.held_runs_dismissed": "Held runs dismissed",
  "asset.created": "Asset created",
  "asset.edited": "Asset edited",
  "asset.assigned": "Asset assigned",
  "asset.checked_in": "Asset checked in",
  "asset.lost": "Asset marked lost",
  "asset.document_attached": "Document attached",
  "asset.maintenance_logged": "Maintenance logged",
  "alerts.saved": "Email alerts saved",
  "alerts.off": "Email alerts turned off",
};

export function auditAction(action: string): string {
  return auditActionLabel[action] ?? action;
}

/** "12 KB": sizes as people read them. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} ${units[0]}` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "1 user", "3 users". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

export const assetStatusLabel: Record<AssetStatus, string> = {
  in_use: "In use",
  in_stock: "In stock",
  in_repair: "In repair",
  retired: "Retired",
  lost: "Lost",
  written_off: "Written off",
};

/** Badge colour per asset status: a lost asset is the one to worry about. */
export const assetStatusBadge: Record<AssetStatus, string> = {
  in_use: "badge-ok",
  in_stock: "badge-off",
  in_repair: "badge-warn",
  retired: "badge-off",
  lost: "badge-danger",
  written_off: "badge-danger",
};

export const holdingOutcomeLabel: Record<HoldingOutcome, string> = {
  returned: "Returned",
  lost: "Lost",
  written_off: "Written off",
};

export const writeOffReasonLabel: Record<WriteOffReason, string> = {
  not_returned: "Not returned",
  bought_out: "Bought out by the leaver",
  destroyed: "Destroyed",
};

/** A leaver's asset against its due date: the words and the badge's tone. */
export const returnStateLabel: Record<ReturnState, string> = {
  due: "Due",
  due_soon: "Due soon",
  overdue: "Overdue",
};
export const returnStateTone: Record<ReturnState, "off" | "warn" | "danger"> = {
  due: "off",
  due_soon: "warn",
  overdue: "danger",
};

export const webhookKindLabel: Record<WebhookKind, string> = {
  teams: "Microsoft Teams",
  slack: "Slack",
  json: "JSON (any service)",
};

export const tlsLabel: Record<TlsMode, string> = {
  none: "None",
  starttls: "STARTTLS",
  tls: "TLS",
};
