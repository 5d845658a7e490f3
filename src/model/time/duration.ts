// Durations as policies write them ("24h", "30m", "2d") and as messages show them ("1d 2h").
// A day here is 24 hours of elapsed time, not a calendar day: soak times measure running
// time, which a daylight-saving change does not shorten or lengthen.

const UNIT_MS = {
  w: 7 * 24 * 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  h: 60 * 60 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
} as const;

type Unit = keyof typeof UNIT_MS;
const PARSE_ORDER: readonly Unit[] = ["w", "d", "h", "m", "s", "ms"];
/** Weeks are left out of output: "10d" reads better than "1w 3d". */
const FORMAT_ORDER: readonly Unit[] = ["d", "h", "m", "s", "ms"];
/** "ms" before "m", so that "5ms" is not read as 5 minutes followed by "s". */
const TERM = String.raw`\s*(\d+)(ms|w|d|h|m|s)\s*`;

/**
 * Milliseconds in a duration: one or more terms of a whole number and a unit (ms, s, m, h,
 * d, w), largest unit first, each unit at most once: "24h", "90m", "1d 2h", "1d2h".
 * Throws RangeError for anything else, so a typo never becomes a zero soak time.
 */
export function parseDuration(text: string): number {
  const fail = (why: string): never => {
    throw new RangeError(
      `"${text}" is not a duration: ${why} (write a number and a unit, one of ms, s, m, h, d, w, e.g. "24h")`,
    );
  };
  if (text.trim() === "") fail("it is empty");
  const term = new RegExp(TERM, "y");
  let total = 0;
  let previous = -1;
  while (term.lastIndex < text.length) {
    const at = term.lastIndex;
    const match = term.exec(text);
    if (!match) return fail(`unexpected "${text.slice(at).trim()}"`);
    const unit = match[2] as Unit;
    const rank = PARSE_ORDER.indexOf(unit);
    if (rank <= previous) fail("give each unit once, largest first");
    previous = rank;
    total += Number(match[1]) * UNIT_MS[unit];
  }
  if (!Number.isSafeInteger(total)) fail("it is too long");
  return total;
}

export interface FormatDurationOptions {
  /** How many units to show, counting from the largest non-zero one. Default 2 ("1d 2h"). */
  units?: number;
}

/**
 * "1d 2h", "45m", "0s". Shows at most `units` consecutive units from the largest non-zero one
 * and drops the rest (rounds towards zero), skipping zero units within: 1d 0h 5m → "1d".
 */
export function formatDuration(ms: number, options: FormatDurationOptions = {}): string {
  if (!Number.isFinite(ms)) throw new RangeError(`formatDuration: ${ms} is not a finite duration`);
  let rest = Math.round(ms);
  if (rest < 0) return `-${formatDuration(-rest, options)}`;
  const first = FORMAT_ORDER.findIndex((unit) => rest >= UNIT_MS[unit]);
  if (first < 0) return "0s";
  const shown = FORMAT_ORDER.slice(first, first + (options.units ?? 2));
  const parts: string[] = [];
  for (const unit of shown) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    rest -= count * UNIT_MS[unit];
    if (count > 0) parts.push(`${count}${unit}`);
  }
  return parts.join(" ");
}
