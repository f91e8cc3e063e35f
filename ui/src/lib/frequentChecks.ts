// Frequent checks (issue 15) in words. The range comes from the core, which checks it again
// when the setting is saved.
import type { FrequentChecks } from "../bindings/FrequentChecks";
import { formatDateTime, formatTime } from "./time";

/** Why `minutes` cannot be saved, or "" when it can. */
export function checkMinutesProblem(minutes: number, checks: FrequentChecks): string {
  const { min_minutes: min, max_minutes: max } = checks;
  return Number.isInteger(minutes) && minutes >= min && minutes <= max
    ? ""
    : `Enter a whole number of minutes from ${min} to ${max}.`;
}

/** "Last checked Mar 3, 2025, 10:15 AM: nothing new", or that no check has run yet. */
export function lastCheckedText(checks: FrequentChecks): string {
  if (!checks.last_checked_at) return "Not checked yet.";
  const at = `Last checked ${formatDateTime(checks.last_checked_at)}`;
  return checks.last_result ? `${at}: ${checks.last_result}` : at;
}

/** "Next check at 10:20 AM" (local time; checks are at most an hour apart). */
export function nextCheckText(nextCheckAt: string): string {
  return `Next check at ${formatTime(nextCheckAt)}`;
}
