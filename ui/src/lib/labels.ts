// Words shown for the core's enum values. Records keyed by the generated unions, so a new
// variant added on the Rust side fails type checking here until it has a label.
import type { DeactivationReason } from "../bindings/DeactivationReason";
import type { Plan } from "../bindings/Plan";
import type { Role } from "../bindings/Role";
import type { SignInMethod } from "../bindings/SignInMethod";
import type { User } from "../bindings/User";

export const planLabel: Record<Plan, string> = {
  free: "Free",
  team: "Team",
  enterprise: "Enterprise",
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

export const reasonLabel: Record<DeactivationReason, string> = {
  disabled_in_entra: "Disabled in Entra",
  deleted_from_entra: "Deleted from Entra",
  manual: "Deactivated manually",
};

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Local date and time; the raw text if the core ever sends something unparsable. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** "Disabled in Entra · 3 Mar 2025, 03:00 · by Microsoft Entra ID sync", parts omitted when unknown. */
export function deactivationSummary(user: User): string {
  const parts: string[] = [];
  if (user.deactivation_reason) parts.push(reasonLabel[user.deactivation_reason]);
  if (user.deactivated_at) parts.push(formatDateTime(user.deactivated_at));
  if (user.deactivated_by) parts.push(`by ${user.deactivated_by}`);
  return parts.join(" · ");
}
