// Wall-clock arithmetic in an IANA time zone. Policies speak local time ("09:00 in Berlin");
// decisions need instants. The one rule for turning a wall-clock time into an instant, used
// for every window and freeze boundary:
//
//   a local date and time stand for the first instant at which the zone's clock shows that
//   date and time or later.
//
// So a time that happens twice (when clocks go back) means its first occurrence, and a time
// that never happens (when clocks go forward, e.g. 02:30 in a 02:00→03:00 jump) means the
// instant of the jump, where the clock moves past it. The mapping never goes backwards, so
// periods keep their order and a period wholly inside a jump is empty.
import { DateTime, IANAZone } from "luxon";

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;
const MINUTES_PER_DAY = 24 * 60;
/** Far enough either side of a moment to see the offsets before and after a nearby change. */
const OFFSET_PROBE_MS = 36 * 60 * MINUTE_MS;

/** A calendar date, without a zone. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  };
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const day = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return day === 0 ? 7 : day;
}

/** Whole days from `a` to `b`. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  const ms = Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day);
  return Math.round(ms / DAY_MS);
}

/** The calendar date the zone's clock shows at `instant`. */
export function localDateAt(instant: number, zone: IANAZone): LocalDate {
  const local = new Date(instant + zone.offset(instant) * MINUTE_MS);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/** The first instant at which the offset differs from the one at `before`; `after` has it. */
function offsetChangeBetween(zone: IANAZone, before: number, after: number): number {
  const initial = zone.offset(before);
  let [low, high] = [before, after];
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offset(middle) === initial) low = middle;
    else high = middle;
  }
  return high;
}

/**
 * The instant for a local date plus `minutes` after its midnight (may exceed a day: 1560 is
 * 02:00 on the next date), by the rule at the top of this file.
 */
export function wallClockToInstant(zone: IANAZone, date: LocalDate, minutes: number): number {
  const target = addDays(date, Math.floor(minutes / MINUTES_PER_DAY));
  const local =
    Date.UTC(target.year, target.month - 1, target.day) + (minutes % MINUTES_PER_DAY) * MINUTE_MS;
  const offsets = new Set(
    [local - OFFSET_PROBE_MS, local, local + OFFSET_PROBE_MS].map((probe) => zone.offset(probe)),
  );
  const candidates = [...offsets]
    .map((offset) => ({ offset, instant: local - offset * MINUTE_MS }))
    .filter(({ offset, instant }) => zone.offset(instant) === offset)
    .map(({ instant }) => instant);
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: with the larger offset the instant is before the jump, with the smaller after.
  const earliest = local - Math.max(...offsets) * MINUTE_MS;
  const latest = local - Math.min(...offsets) * MINUTE_MS;
  return offsetChangeBetween(zone, earliest, latest);
}

/**
 * A short zone abbreviation ("CET", "EDT"). ICU names some zones only in some locales (en-US
 * knows EST but not CET, en-GB the reverse); where neither has a name, the GMT offset remains.
 */
function zoneAbbreviation(time: DateTime): string {
  const names = ["en-US", "en-GB"].map((locale) => time.setLocale(locale).offsetNameShort ?? "");
  const named = names.find((name) => name !== "" && !/^GMT[+\-\u2212]/.test(name));
  return named ?? names[0] ?? "";
}

export interface FormatOptions {
  /** Prefix the weekday ("Mon 30 Nov …"). */
  weekday?: boolean;
  /** The year is shown only when it differs from the year of this instant (usually `now`). */
  relativeTo: number;
}

/** "Mon 30 Nov 09:00 CET", or "4 Jan 2027 23:59 CET" when the year is not the current one. */
export function formatInstant(instant: number, zone: IANAZone, options: FormatOptions): string {
  const time = DateTime.fromMillis(instant, { zone }).setLocale("en-GB");
  const sameYear = time.year === DateTime.fromMillis(options.relativeTo, { zone }).year;
  const pattern = `${options.weekday ? "ccc " : ""}d LLL${sameYear ? "" : " yyyy"} HH:mm`;
  return `${time.toFormat(pattern)} ${zoneAbbreviation(time)}`;
}
