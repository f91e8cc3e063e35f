// Frequent checks (issue 15) in words. The range and the default mirror the core's
// entra::CHECK_INTERVAL_MINUTES and DEFAULT_CHECK_MINUTES; the core checks the range again
// when the setting is saved.
import type { FrequentChecks } from "../bindings/FrequentChecks";
import { formatDateTime, formatTime } from "./labels";

export const DEFAULT_CHECK_MINUTES = 15;
const MIN_MINUTES = 5;
const MAX_MINUTES = 60;

/** Why `minutes` cannot be saved, or "" when it can. */
export function checkMinutesProblem(minutes: number): string {
  return Number.isInteger(minutes) && minutes >= MIN_MINUTES && minutes <= MAX_MINUTES
    ? ""
    : `Enter a whole number of minutes from ${MIN_MINUTES} to ${MAX_MINUTES}.`;
}

/** "Last checked 3 Mar 2025, 10:15: nothing new", or that no check has run yet. */
export function lastCheckedText(checks: FrequentChecks): string {
  if (!checks.last_checked_at) return "Not checked yet.";
  const at = `Last checked ${formatDateTime(checks.last_checked_at)}`;
  return checks.last_result ? `${at}: ${checks.last_result}` : at;
}

/** "Next check at 10:20" (local time; checks are at most an hour apart). */
export function nextCheckText(nextCheckAt: string): string {
  return `Next check at ${formatTime(nextCheckAt)}`;
}
