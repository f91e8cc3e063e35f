// lib/time: the one way the window writes time. Expected texts are made with Intl from the
// same instants, so the tests pass in any time zone and locale; where the zone decides what
// is written (a local date that differs from the UTC one), the zone is set for the test.
import { afterEach, describe, expect, it, vi } from "vitest";
import { render } from "@testing-library/svelte";
import DateTime from "../src/components/DateTime.svelte";
import { dailyUtc, formatDate, formatDateTime, formatDelay, formatTime, isoDate, moment, nextRunText, relativeTime, formatDay } from "../src/lib/time";

const intl = (options: Intl.DateTimeFormatOptions, iso: string) =>
  new Intl.DateTimeFormat(undefined, options).format(new Date(iso));

const INSTANT = "2026-12-06T14:35:00Z";

describe("the three styles", () => {
  it("writes a date and time in the medium date and short time styles", () => {
    expect(formatDateTime(INSTANT)).toBe(intl({ dateStyle: "medium", timeStyle: "short" }, INSTANT));
  });

  it("writes a time of day in the short style, hours as the locale writes them", () => {
    expect(formatTime(INSTANT)).toBe(intl({ timeStyle: "short" }, INSTANT));
  });

  it("writes a calendar date in the medium style, as that day wherever the owner is", () => {
    expect(formatDate("2027-12-06")).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(2027, 11, 6)));
  });

  it("keeps text it cannot read as it came", () => {
    expect(formatDateTime("soon")).toBe("soon");
    expect(formatTime("soon")).toBe("soon");
    expect(formatDate("someday")).toBe("someday");
  });

  it("gives a local calendar day as YYYY-MM-DD, what date inputs take", () => {
    expect(isoDate(new Date(2025, 0, 5, 23, 30))).toBe("2025-01-05");
  });
});

describe("how soon, how long ago", () => {
  const now = new Date("2026-12-06T22:00:00Z");

  it("says how soon or how long ago in whole units", () => {
    expect(relativeTime("2026-12-07T03:00:00Z", now)).toBe("in 5 hours");
    expect(relativeTime("2026-12-04T21:00:00Z", now)).toBe("2 days ago");
    expect(relativeTime("2026-12-06T21:59:30Z", now)).toBe("now");
    expect(relativeTime("2026-12-06T21:30:00Z", now)).toBe("30 minutes ago");
  });

  it("writes a moment as a date and time with how soon it is", () => {
    expect(moment("2026-12-07T03:00:00Z", now)).toBe(`${formatDateTime("2026-12-07T03:00:00Z")} (in 5 hours)`);
  });

  it("keeps a moment it cannot read as it came", () => {
    expect(relativeTime("soon", now)).toBe("");
    expect(moment("soon", now)).toBe("soon");
  });

  it("says how long something took as people say it", () => {
    expect(formatDelay(null)).toBe("—");
    expect(formatDelay(20)).toBe("under 1 min");
    expect(formatDelay(12 * 60 + 59)).toBe("12 min");
    expect(formatDelay(3600)).toBe("1 h");
    expect(formatDelay(4 * 3600 + 12 * 60)).toBe("4 h 12 min");
    expect(formatDelay(2 * 86400 + 3 * 3600 + 59)).toBe("2 d 3 h");
    expect(formatDelay(86400)).toBe("1 d");
  });
});

describe("times fixed in UTC, and what they are here", () => {
  afterEach(() => vi.unstubAllEnvs());

  const utcDay = (iso: string) => intl({ dateStyle: "medium", timeZone: "UTC" }, iso);

  it("writes the next run in UTC, then in local time", () => {
    const run = "2026-12-08T03:00:00Z";
    const here = intl({ dateStyle: "medium" }, run) === utcDay(run) ? formatTime(run) : formatDateTime(run);
    expect(nextRunText(run)).toBe(`Next automatic run: ${utcDay(run)} at 03:00 UTC (${here} here)`);
  });

  it("adds the local date only when it is another day than in UTC", () => {
    const run = "2026-12-08T03:00:00Z";
    // Berlin is an hour ahead in December, the same day; New York 5 hours behind, the day before.
    vi.stubEnv("TZ", "Europe/Berlin");
    expect(nextRunText(run)).toBe(`Next automatic run: ${utcDay(run)} at 03:00 UTC (${formatTime(run)} here)`);
    vi.stubEnv("TZ", "America/New_York");
    expect(nextRunText(run)).toBe(`Next automatic run: ${utcDay(run)} at 03:00 UTC (${formatDateTime(run)} here)`);
    expect(formatDateTime(run)).toContain(formatDate("2026-12-07"));
  });

  it("keeps a next run it cannot read as it came", () => {
    expect(nextRunText("tomorrow")).toBe("Next automatic run: tomorrow");
  });

  it("writes a UTC time of day with the local time of its next occurrence", () => {
    const now = new Date("2026-12-07T01:00:00Z");
    expect(dailyUtc(3, now)).toBe(`03:00 UTC — ${intl({ timeStyle: "short" }, "2026-12-07T03:00:00Z")} here`);
  });

  it("after today's, takes tomorrow's (daylight saving may differ)", () => {
    const now = new Date("2026-03-29T05:00:00Z");
    expect(dailyUtc(3, now)).toBe(`03:00 UTC — ${intl({ timeStyle: "short" }, "2026-03-30T03:00:00Z")} here`);
  });
});

describe("DateTime", () => {
  it("writes a moment's day and time, each kept whole, in a <time> element", () => {
    const iso = "2026-12-07T14:35:00Z";
    const { container } = render(DateTime, { iso });
    const time = container.querySelector("time")!;
    expect(time).toHaveAttribute("datetime", iso);
    const parts = [...time.querySelectorAll(".nowrap")].map((p) => p.textContent);
    expect(parts).toEqual([`${formatDay(iso)},`, formatTime(iso)]);
    expect(formatDay(iso)).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(iso)));
  });
});
