// One way to write time in the window: the core sends RFC 3339 timestamps in UTC and
// YYYY-MM-DD calendar dates, and they are written here in the owner's locale and time zone,
// in three styles (a date and time, a time of day, a date), with how long ago or how soon
// where that helps. Formatters are made per call so they follow the system's current time
// zone.

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

const pad = (n: number) => String(n).padStart(2, "0");

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function written(iso: string, options: Intl.DateTimeFormatOptions): string {
  const date = parse(iso);
  return date ? new Intl.DateTimeFormat(undefined, options).format(date) : iso;
}

/** "Dec 6, 2026, 2:35 PM": a local date and time; the raw text if unparsable. */
export function formatDateTime(iso: string): string {
  return written(iso, { dateStyle: "medium", timeStyle: "short" });
}

/** "Dec 6, 2026": the local day of a moment; the raw text if unparsable. */
export function formatDay(iso: string): string {
  return written(iso, { dateStyle: "medium" });
}

/** "2:35 PM": a local time of day; the raw text if unparsable. */
export function formatTime(iso: string): string {
  return written(iso, { timeStyle: "short" });
}

/** "Dec 6, 2027" for a YYYY-MM-DD date, read as a local calendar day; the raw text otherwise. */
export function formatDate(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(y, m - 1, d);
  return Number.isNaN(date.getTime()) ? day : new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(date);
}

/** A local calendar date as YYYY-MM-DD (what date inputs and the core's date filters take). */
export function isoDate(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
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

/** A moment as Home shows it: "Dec 7, 2026, 4:00 AM (in 5 hours)". */
export function moment(iso: string, now: Date = new Date()): string {
  const relative = relativeTime(iso, now);
  return relative ? `${formatDateTime(iso)} (${relative})` : iso;
}

/** "03:00 UTC": the nightly run's time is fixed in UTC, and written the same everywhere. */
function utcClock(date: Date): string {
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

/**
 * A time of day fixed in UTC, with what it is here: "03:00 UTC — 4:00 AM here" (the nightly
 * run). The local time is that of the next such moment, so it follows daylight saving.
 */
export function dailyUtc(hour: number, now: Date = new Date()): string {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return `${utcClock(next)} — ${formatTime(next.toISOString())} here`;
}

/**
 * "Next automatic run: Dec 8, 2026 at 03:00 UTC (4:00 AM here)". The local date is added
 * only when it differs from the UTC one (03:00 UTC is the evening before in the Americas):
 * "(Dec 7, 2026, 10:00 PM here)".
 */
export function nextRunText(iso: string): string {
  const date = parse(iso);
  if (!date) return `Next automatic run: ${iso}`;
  const utcDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(date);
  const sameDay = formatDate(isoDate(date)) === utcDate;
  const here = sameDay ? formatTime(iso) : formatDateTime(iso);
  return `Next automatic run: ${utcDate} at ${utcClock(date)} (${here} here)`;
}

/**
 * "4 h 12 min", "2 d 3 h", "12 min", "under 1 min": how long something took, to the
 * precision a person reads; "—" when there is nothing to measure (a manual deactivation).
 */
export function formatDelay(seconds: number | null): string {
  if (seconds === null) return "—";
  const minutes = Math.floor(Math.max(0, seconds) / 60);
  if (minutes < 1) return "under 1 min";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}
