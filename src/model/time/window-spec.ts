// The textual parts of a deployment window (`require.window` in a gate): allow specs such as
// "Mon-Thu 09:00-16:00" and freeze dates such as 2026-12-20 or "2026-11-27T18:00". Parsing
// lives here, next to the zod schema, so validation and evaluation read the text the same way.
import { IANAZone } from "luxon";
import { z } from "zod";

/** Day names in ISO order: index + 1 is the ISO weekday (1 = Monday … 7 = Sunday). */
export const DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

const MINUTES_PER_DAY = 24 * 60;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** One allow spec, parsed. */
export interface AllowRule {
  /** The spec as written (trimmed), for messages. */
  text: string;
  /** ISO weekdays (1 = Monday … 7 = Sunday) on which an open period starts, ascending. */
  days: number[];
  /** Local wall-clock start, in minutes after midnight of the start day (0 … 1439). */
  start: number;
  /**
   * Local wall-clock end, in minutes after midnight of the start day (exclusive). Above 1440
   * when the period crosses midnight: "Fri 22:00-02:00" ends at 1560, i.e. Saturday 02:00.
   */
  end: number;
}

/** A calendar date and, optionally, a wall-clock time, as written in a freeze. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  /** Minutes after local midnight; absent for a date-only value (a whole day). */
  minutes?: number;
}

const DAY_ALTERNATIVES = DAY_NAMES.join("|");
const DAY_ITEM = `(?:${DAY_ALTERNATIVES})(?:-(?:${DAY_ALTERNATIVES}))?`;
const CLOCK = "(?:[01]\\d|2[0-3]):[0-5]\\d";
/** The allow grammar as one regular expression, published in the JSON Schema for editors. */
export const ALLOW_SPEC_PATTERN = `^\\s*${DAY_ITEM}(?:,${DAY_ITEM})*\\s+${CLOCK}-(?:${CLOCK}|24:00)\\s*$`;
/** The freeze date grammar, published in the JSON Schema for editors. */
export const LOCAL_DATE_TIME_PATTERN = "^\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2})?$";

const ALLOW_EXAMPLE = '"Mon-Fri 09:00-17:00"';

function dayNumber(name: string): number | undefined {
  const index = DAY_NAMES.indexOf(name as (typeof DAY_NAMES)[number]);
  return index < 0 ? undefined : index + 1;
}

/** "Mon-Thu" → [1,2,3,4]; a range may wrap past Sunday: "Fri-Mon" → [5,6,7,1]. */
function parseDayItem(item: string): Parsed<number[]> {
  const [first, last, extra] = item.split("-");
  const from = dayNumber(first ?? "");
  const to = last === undefined ? from : dayNumber(last);
  if (extra !== undefined || from === undefined || to === undefined) {
    return {
      ok: false,
      error: `"${item}" is not a day or a day range: use Mon, Tue, Wed, Thu, Fri, Sat or Sun, a range such as Mon-Fri, or a list such as Mon,Wed`,
    };
  }
  const days: number[] = [];
  for (let day = from; ; day = (day % 7) + 1) {
    days.push(day);
    if (day === to) return { ok: true, value: days };
  }
}

function parseDays(text: string): Parsed<number[]> {
  const days = new Set<number>();
  for (const item of text.split(",")) {
    const parsed = parseDayItem(item);
    if (!parsed.ok) return parsed;
    parsed.value.forEach((day) => days.add(day));
  }
  return { ok: true, value: [...days].sort((a, b) => a - b) };
}

/** "HH:MM" → minutes after midnight; 24:00 only where `allowMidnightEnd` (an end). */
function parseClock(text: string, allowMidnightEnd: boolean): number | undefined {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (allowMidnightEnd && minutes === MINUTES_PER_DAY && match[2] === "00") return minutes;
  return Number(match[1]) <= 23 && Number(match[2]) <= 59 ? minutes : undefined;
}

function parseHours(text: string): Parsed<{ start: number; end: number }> {
  const [startText, endText, extra] = text.split("-");
  const start = parseClock(startText ?? "", false);
  const end = parseClock(endText ?? "", true);
  if (extra !== undefined || start === undefined || end === undefined) {
    return {
      ok: false,
      error: `"${text}" is not a time range: write HH:MM-HH:MM in 24-hour time, e.g. 09:00-17:00 (24:00 may end a range)`,
    };
  }
  if (start === end) {
    return {
      ok: false,
      error: `"${text}" starts and ends at the same time: use 00:00-24:00 for a whole day`,
    };
  }
  // An end at or before the start is on the next day: "22:00-02:00" runs overnight.
  return { ok: true, value: { start, end: end > start ? end : end + MINUTES_PER_DAY } };
}

/** Parses one allow spec: days, a space, then hours ("Mon-Thu 09:00-16:00"). */
export function parseAllowSpec(spec: string): Parsed<AllowRule> {
  const text = spec.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 2) {
    return {
      ok: false,
      error: `"${spec}" is not a window: write days, a space, then hours, e.g. ${ALLOW_EXAMPLE}`,
    };
  }
  const days = parseDays(parts[0] ?? "");
  if (!days.ok) return { ok: false, error: `"${spec}": ${days.error}` };
  const hours = parseHours(parts[1] ?? "");
  if (!hours.ok) return { ok: false, error: `"${spec}": ${hours.error}` };
  return { ok: true, value: { text, days: days.value, ...hours.value } };
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

const DATE_TIME_HELP =
  'write a local date (2026-12-20) or date-time ("2026-11-27T18:00"); it is read in the window\'s timezone';

/** Parses a freeze bound: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" (a space may replace the T). */
export function parseLocalDateTime(text: string): Parsed<LocalDateTime> {
  if (/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) && text.length > 10) {
    return {
      ok: false,
      error: `"${text}" has a UTC offset: ${DATE_TIME_HELP}, so leave the offset out`,
    };
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(text);
  if (!match) return { ok: false, error: `"${text}" is not a date: ${DATE_TIME_HELP}` };
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!isCalendarDate(year, month, day)) {
    return { ok: false, error: `"${text}" is not a calendar date` };
  }
  if (match[4] === undefined) return { ok: true, value: { year, month, day } };
  const minutes = parseClock(`${match[4]}:${match[5]}`, false);
  if (minutes === undefined) {
    return { ok: false, error: `"${text}" has no valid time: use 00:00 to 23:59` };
  }
  return { ok: true, value: { year, month, day, minutes } };
}

/**
 * Position on a naive local timeline, in minutes, for comparing freeze bounds without a
 * time zone. A date-only `from` starts at its midnight; a date-only `to` covers its whole day.
 */
export function localOrdinal(value: LocalDateTime, bound: "from" | "to"): number {
  const dayStart = Date.UTC(value.year, value.month - 1, value.day) / 60_000;
  if (value.minutes !== undefined) return dayStart + value.minutes;
  return bound === "from" ? dayStart : dayStart + MINUTES_PER_DAY;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

/**
 * A YAML 1.1 loader turns an unquoted 2026-12-20 into a Date at UTC midnight (the `yaml`
 * package's default core schema keeps it a string). Its UTC fields are what was written, so
 * they are read back as local wall-clock text; midnight means a date-only value.
 */
export function yamlDateToText(value: unknown): unknown {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return value;
  const date = `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  const [hours, minutes] = [value.getUTCHours(), value.getUTCMinutes()];
  const seconds = value.getUTCSeconds() * 1000 + value.getUTCMilliseconds();
  if (hours === 0 && minutes === 0 && seconds === 0) return date;
  const time = `${pad(hours)}:${pad(minutes)}`;
  return seconds === 0 ? `${date}T${time}` : `${date}T${time}:${pad(value.getUTCSeconds())}`;
}

function refineWith<T>(parse: (text: string) => Parsed<T>) {
  return (text: string, ctx: z.RefinementCtx): void => {
    const parsed = parse(text);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
  };
}

/**
 * A time zone name the policy may use: an IANA zone (Europe/Berlin, UTC). Node 24's Intl
 * (and so luxon's check) also accepts a fixed offset such as "+01:00", which Node 20 did
 * not: refused on every Node, since an offset knows no daylight-saving time and the same
 * policy must mean the same thing wherever the app runs.
 */
export function isIanaZone(name: string): boolean {
  return !/^[+\-\u2212]/.test(name) && IANAZone.isValidZone(name);
}

const timezone = z
  .string()
  .min(1)
  .max(100)
  .refine((zone) => isIanaZone(zone), {
    error: (issue) =>
      `unknown time zone ${JSON.stringify(issue.input)}: use an IANA name such as Europe/Berlin, America/New_York or UTC`,
  })
  .describe(
    "IANA time zone (Europe/Berlin) in which the allow hours and the freeze dates are read, daylight-saving time included.",
  );

const allowSpec = z
  .string()
  .max(100)
  .superRefine(refineWith(parseAllowSpec))
  .meta({ pattern: ALLOW_SPEC_PATTERN, examples: ["Mon-Thu 09:00-16:00", "Fri 22:00-02:00"] })
  .describe(
    'Days and hours when deployments may start: days Mon..Sun as one day, a range (Mon-Fri) or a list (Mon,Wed,Fri), then HH:MM-HH:MM in 24-hour local time. 24:00 may end a range; an end at or before the start runs into the next day ("Fri 22:00-02:00" ends Saturday 02:00).',
  );

const localDateTime = z
  .preprocess(
    yamlDateToText,
    z
      .string()
      .max(30)
      .superRefine(refineWith(parseLocalDateTime))
      .meta({ pattern: LOCAL_DATE_TIME_PATTERN }),
  )
  .describe(
    'A local date (2026-12-20) or date-time ("2026-11-27T18:00") in the window\'s timezone, without offset.',
  );

const freezeSchema = z
  .strictObject({
    from: localDateTime.describe(
      "First moment of the freeze: a date starts at its midnight, a date-time at that time.",
    ),
    to: localDateTime.describe(
      "End of the freeze: a date is included whole (frozen through 23:59), a date-time is the moment deployments may resume.",
    ),
    reason: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Why, shown in every decision ("Year-end freeze"). Default: "Change freeze".'),
  })
  .superRefine((freeze, ctx) => {
    const from = parseLocalDateTime(freeze.from);
    const to = parseLocalDateTime(freeze.to);
    if (!from.ok || !to.ok) return;
    if (localOrdinal(to.value, "to") <= localOrdinal(from.value, "from")) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `the freeze ends before it starts: to (${freeze.to}) must be after from (${freeze.from})`,
      });
    }
  })
  .describe("A period in which no deployment may proceed, whatever the allow hours say.");

export const windowRequirementSchema = z
  .strictObject({
    timezone,
    allow: z
      .array(allowSpec)
      .min(1, "list at least one window, or leave allow out to allow every hour")
      .max(50)
      .optional()
      .describe(
        "When deployments may proceed; any entry that matches opens the window. Omitted: at any time (freezes still apply).",
      ),
    freeze: z
      .array(freezeSchema)
      .max(200)
      .optional()
      .describe("Freeze periods: no deployment proceeds during any of them."),
    outside: z
      .enum(["wait", "reject"])
      .optional()
      .describe(
        "What a deployment outside the window gets: wait (held, and approved as soon as the window opens) or reject. Default: wait.",
      ),
  })
  .describe(
    "A deployment window: deployments proceed only inside the allow hours and outside every freeze, in the given time zone.",
  );

export type WindowRequirement = z.infer<typeof windowRequirementSchema>;
export type FreezeSpec = z.infer<typeof freezeSchema>;
export const DEFAULT_FREEZE_REASON = "Change freeze";
export const DEFAULT_OUTSIDE: NonNullable<WindowRequirement["outside"]> = "wait";
