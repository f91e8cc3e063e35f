// One way to write time in the window: the core sends RFC 3339 timestamps in UTC, and they are
// written here in the owner's locale and time zone, with how long ago or how soon where that
// helps. Formatters are made per call so they follow the system's current time zone.

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "in 5 hours", "2 days ago", "now" (within a minute): the largest whole unit, rounded toward zero. */
export function relativeTime(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return "";
  const seconds = (date.getTime() - now.getTime()) / 1000;
  const words = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    const amount = Math.trunc(seconds / size);
    if (amount !== 0) return words.format(amount, unit);
  }
  return words.format(0, "second");
}

/** "Mon, Dec 7, 2026, 4:00 AM": local date and time; the raw text if unparsable. */
export function localDateTime(iso: string): string {
  const date = parse(iso);
  if (!date) return iso;
  return new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
  }).format(date);
}

/** A moment as Home shows it: "Mon, Dec 7, 2026, 4:00 AM (in 5 hours)". */
export function moment(iso: string, now: Date = new Date()): string {
  const relative = relativeTime(iso, now);
  return relative ? `${localDateTime(iso)} (${relative})` : iso;
}

/**
 * A time of day fixed in UTC, with what it is here: "03:00 UTC — 4:00 AM here" (the nightly
 * run). The local time is that of the next such moment, so it follows daylight saving.
 */
export function dailyUtc(hour: number, now: Date = new Date()): string {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  const here = new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(next);
  return `${String(hour).padStart(2, "0")}:00 UTC — ${here} here`;
}
