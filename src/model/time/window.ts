// Whether a deployment window is open at a given instant, and when that changes. Pure: the
// clock is the `now` argument. Wall-clock times become instants by the rule in zone.ts.
//
// The timeline is built from half-open spans [start, end): allow periods (merged where they
// touch or overlap) minus freezes (merged likewise). "Open" means `now` lies in one of the
// remaining spans; `opensAt` is the start of the next one, `closesAt` the end of the current.
import { IANAZone } from "luxon";
import {
  DEFAULT_FREEZE_REASON,
  isIanaZone,
  parseAllowSpec,
  parseLocalDateTime,
  type AllowRule,
  type LocalDateTime,
  type WindowRequirement,
} from "./window-spec.js";
import {
  DAY_MS,
  MINUTE_MS,
  addDays,
  daysBetween,
  formatInstant,
  isoWeekday,
  localDateAt,
  wallClockToInstant,
  type LocalDate,
} from "./zone.js";

/** How far ahead `opensAt` and `closesAt` are looked for. */
export const SEARCH_DAYS = 366;

export interface WindowState {
  open: boolean;
  /** One sentence: why open or closed, and until when. */
  reason: string;
  /** The freeze in force at `now`, if any. */
  freeze?: {
    reason: string;
    /** When no freeze applies any more (exclusive: the first unfrozen instant). */
    until: Date;
    /**
     * The end as every message writes it ("until 3 Jan 23:59"): the last minute of the day
     * for a freeze given as dates, else `until`.
     */
    shownUntil: Date;
  };
  /** When closed: the next instant a deployment may proceed; absent if not within SEARCH_DAYS. */
  opensAt?: Date;
  /** When open: the instant the current open period ends; absent if not within SEARCH_DAYS. */
  closesAt?: Date;
}

/** A window spec that does not parse: the schema should have refused it first. */
export class WindowSpecError extends Error {
  override name = "WindowSpecError";
}

interface Span {
  start: number;
  end: number;
}

interface FreezeSpan extends Span {
  reason: string;
  /** `to` was a date: people read the end as "that day, 23:59". */
  endsWithDay: boolean;
}

interface CompiledWindow {
  zone: IANAZone;
  /** null: no allow list, open at any time outside freezes. */
  rules: AllowRule[] | null;
  /** Sorted by start. */
  freezes: FreezeSpan[];
}

function parseOrThrow<T>(parsed: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!parsed.ok) throw new WindowSpecError(parsed.error);
  return parsed.value;
}

function boundToInstant(zone: IANAZone, value: LocalDateTime, bound: "from" | "to"): number {
  const date = { year: value.year, month: value.month, day: value.day };
  const minutes = value.minutes ?? (bound === "from" ? 0 : 24 * 60);
  return wallClockToInstant(zone, date, minutes);
}

function compileWindow(spec: WindowRequirement): CompiledWindow {
  if (!isIanaZone(spec.timezone)) {
    throw new WindowSpecError(`unknown time zone "${spec.timezone}"`);
  }
  const zone = IANAZone.create(spec.timezone);
  const rules = spec.allow?.map((text) => parseOrThrow(parseAllowSpec(text))) ?? null;
  const freezes = (spec.freeze ?? []).map((freeze): FreezeSpan => {
    const to = parseOrThrow(parseLocalDateTime(freeze.to));
    return {
      start: boundToInstant(zone, parseOrThrow(parseLocalDateTime(freeze.from)), "from"),
      end: boundToInstant(zone, to, "to"),
      reason: freeze.reason ?? DEFAULT_FREEZE_REASON,
      endsWithDay: to.minutes === undefined,
    };
  });
  freezes.sort((a, b) => a.start - b.start);
  return { zone, rules, freezes: freezes.filter((freeze) => freeze.end > freeze.start) };
}

/** The `blocked` span that covers all of [start, end), if one does. */
function coveringSpan(blocked: readonly Span[], start: number, end: number): Span | undefined {
  return blocked.find((block) => block.start <= start && end <= block.end);
}

/** The allow periods of `rules` that start on `date`, in order of start. */
function spansOn(window: CompiledWindow, rules: readonly AllowRule[], date: LocalDate): Span[] {
  const spans = rules.map((rule) => ({
    start: wallClockToInstant(window.zone, date, rule.start),
    end: wallClockToInstant(window.zone, date, rule.end),
  }));
  // Empty when the whole period falls into a clock jump: it does not happen that day.
  return spans.filter((span) => span.end > span.start).sort((a, b) => a.start - b.start);
}

/**
 * Allow periods that start on local dates `first` … `last`, in order of start. Dates whose
 * periods all lie inside one `blocked` span are skipped unconverted, up to two days before
 * its end (a period may end two calendar days after its start date): a long freeze over
 * many rules would otherwise cost two conversions per rule and day.
 */
function* allowSpans(
  window: CompiledWindow,
  blocked: readonly Span[],
  first: LocalDate,
  last: LocalDate,
): Generator<Span> {
  const count = daysBetween(first, last);
  for (let offset = 0; offset <= count; offset++) {
    const date = addDays(first, offset);
    const weekday = isoWeekday(date);
    const rules = (window.rules ?? []).filter((rule) => rule.days.includes(weekday));
    if (rules.length === 0) continue;
    const earliest = Math.min(...rules.map((rule) => rule.start));
    const latest = Math.max(...rules.map((rule) => rule.end));
    const from = wallClockToInstant(window.zone, date, earliest);
    const block = coveringSpan(blocked, from, wallClockToInstant(window.zone, date, latest));
    if (block) {
      const lastCovered = daysBetween(first, localDateAt(block.end, window.zone)) - 3;
      offset = Math.max(offset, Math.min(lastCovered, count));
      continue;
    }
    yield* spansOn(window, rules, date);
  }
}

/** Merges spans sorted by start where they overlap or touch. */
function* mergeSpans(spans: Iterable<Span>): Generator<Span> {
  let current: Span | undefined;
  for (const span of spans) {
    if (current && span.start <= current.end) {
      current = { start: current.start, end: Math.max(current.end, span.end) };
      continue;
    }
    if (current) yield current;
    current = { ...span };
  }
  if (current) yield current;
}

/** `allowed` minus `blocked` (both sorted and merged). */
function* subtractSpans(allowed: Iterable<Span>, blocked: readonly Span[]): Generator<Span> {
  let next = 0;
  for (const span of allowed) {
    let cursor = span.start;
    while (next < blocked.length && (blocked[next]?.end ?? 0) <= cursor) next++;
    for (let index = next; index < blocked.length && cursor < span.end; index++) {
      const block = blocked[index] as Span;
      if (block.start >= span.end) break;
      if (block.start > cursor) yield { start: cursor, end: block.start };
      cursor = Math.max(cursor, block.end);
    }
    if (cursor < span.end) yield { start: cursor, end: span.end };
  }
}

/** The first open span that ends after `now` and starts within the search horizon. */
function nextOpenSpan(window: CompiledWindow, now: number, horizon: number): Span | undefined {
  const blocked = [...mergeSpans(window.freezes)];
  const allowed = window.rules
    ? mergeSpans(
        allowSpans(
          window,
          blocked,
          addDays(localDateAt(now, window.zone), -1),
          addDays(localDateAt(horizon, window.zone), 1),
        ),
      )
    : [{ start: -Infinity, end: Infinity }];
  for (const span of subtractSpans(allowed, blocked)) {
    if (span.start > horizon) return undefined;
    if (span.end > now) return span;
  }
  return undefined;
}

/** The freeze in force at `now`, with the end of the chain of freezes that follows on it. */
function activeFreeze(freezes: readonly FreezeSpan[], now: number): FreezeSpan | undefined {
  const containing = freezes.filter((freeze) => freeze.start <= now && now < freeze.end);
  if (containing.length === 0) return undefined;
  let active = containing.reduce((a, b) => (b.end > a.end ? b : a));
  for (const freeze of freezes) {
    if (freeze.start <= active.end && freeze.end > active.end) {
      active = { ...freeze, reason: active.reason, start: active.start };
    }
  }
  return active;
}

/** The freeze that pushed `opensAt` past the next allow period, if one did. */
function delayingFreeze(window: CompiledWindow, now: number, opensAt: number) {
  const unfrozen = nextOpenSpan({ ...window, freezes: [] }, now, opensAt);
  if (unfrozen === undefined || unfrozen.start >= opensAt) return undefined;
  return window.freezes.filter((freeze) => freeze.end > now && freeze.start < opensAt).at(-1);
}

/** "Mon-Thu 09:00-16:00, Fri 09:00-12:00 Europe/Berlin". */
export function describeWindow(spec: WindowRequirement): string {
  const hours = spec.allow?.map((text) => text.trim()).join(", ") ?? "any time";
  return `${hours} ${spec.timezone}`;
}

/** "Year-end freeze", or "Black Friday freeze" for a reason that does not say it. */
function freezeName(reason: string): string {
  return /\bfreeze\b/i.test(reason) ? reason : `${reason} freeze`;
}

interface Verdict {
  window: CompiledWindow;
  spec: WindowRequirement;
  now: number;
  open: boolean;
  freeze?: FreezeSpan;
  opensAt?: number;
  closesAt?: number;
}

/** A freeze given as dates ends, as people read it, on its last day's last minute. */
function shownEnd(freeze: FreezeSpan): number {
  return freeze.endsWithDay ? freeze.end - MINUTE_MS : freeze.end;
}

function describeFrozen({ window, now, freeze, opensAt }: Verdict & { freeze: FreezeSpan }) {
  const until = formatInstant(shownEnd(freeze), window.zone, { relativeTo: now });
  const text = `${freezeName(freeze.reason)} until ${until}`;
  if (opensAt === undefined) return `${text}; the window does not open within ${SEARCH_DAYS} days`;
  if (opensAt === freeze.end) return text;
  return `${text}; the window opens ${formatInstant(opensAt, window.zone, { weekday: true, relativeTo: now })}`;
}

function describeClosed({ window, spec, now, opensAt }: Verdict): string {
  const text = `Outside the deployment window (${describeWindow(spec)})`;
  if (opensAt === undefined) return `${text}; it does not open within ${SEARCH_DAYS} days`;
  const opens = formatInstant(opensAt, window.zone, { weekday: true, relativeTo: now });
  const held = delayingFreeze(window, now, opensAt);
  return `${text}; opens ${opens}${held ? `, after the ${freezeName(held.reason)}` : ""}`;
}

function describeOpen({ window, spec, now, closesAt }: Verdict): string {
  const closes =
    closesAt === undefined
      ? undefined
      : formatInstant(closesAt, window.zone, { weekday: true, relativeTo: now });
  const freeze = window.freezes.find((candidate) => candidate.start === closesAt);
  if (!window.rules) {
    const text = `No freeze is on and no deployment window is set (${spec.timezone})`;
    return freeze && closes ? `${text}; the ${freezeName(freeze.reason)} begins ${closes}` : text;
  }
  const text = `Inside the deployment window (${describeWindow(spec)})`;
  if (!closes) return text;
  return `${text} until ${closes}${freeze ? `, when the ${freezeName(freeze.reason)} begins` : ""}`;
}

function describe(verdict: Verdict): string {
  if (verdict.freeze) return describeFrozen({ ...verdict, freeze: verdict.freeze });
  return verdict.open ? describeOpen(verdict) : describeClosed(verdict);
}

/**
 * Whether `spec` lets a deployment proceed at `now`: inside an allow period and outside every
 * freeze. Throws WindowSpecError for a spec the schema would have refused (the caller reports
 * that as an error, never as open).
 */
export function windowState(spec: WindowRequirement, now: Date): WindowState {
  const instant = now.getTime();
  if (Number.isNaN(instant)) throw new RangeError("windowState: now is not a valid date");
  const window = compileWindow(spec);
  const horizon = instant + SEARCH_DAYS * DAY_MS;
  const span = nextOpenSpan(window, instant, horizon);
  const open = span !== undefined && span.start <= instant;
  const freeze = activeFreeze(window.freezes, instant);
  const verdict: Verdict = {
    window,
    spec,
    now: instant,
    open,
    freeze,
    opensAt: !open && span ? span.start : undefined,
    closesAt: open && span.end <= horizon ? span.end : undefined,
  };
  return {
    open,
    reason: describe(verdict),
    ...(freeze && {
      freeze: {
        reason: freeze.reason,
        until: new Date(freeze.end),
        shownUntil: new Date(shownEnd(freeze)),
      },
    }),
    ...(verdict.opensAt !== undefined && { opensAt: new Date(verdict.opensAt) }),
    ...(verdict.closesAt !== undefined && { closesAt: new Date(verdict.closesAt) }),
  };
}
