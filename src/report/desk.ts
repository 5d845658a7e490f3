// The release desk: one issue that answers "what is waiting, what is in flight, what is open
// or frozen, what shipped" across an installation. Pure: everything comes from the snapshot,
// and `now` is given. The body stays under GitHub's issue limit by construction (bounded rows,
// clipped cells, bounded calendar) and by a final cut that never leaves the chart unclosed.
import { DateTime, IANAZone } from "luxon";
import type {
  DeskDeployment,
  DeskEnvironment,
  DeskHold,
  DeskRelease,
  DeskSnapshot,
  DeskWait,
} from "../facts/desk.js";
import type { GateStatus } from "../model/result.js";
import { WindowSpecError, windowState } from "../model/time/window.js";
import {
  DEFAULT_FREEZE_REASON,
  isIanaZone,
  parseLocalDateTime,
  type WindowRequirement,
} from "../model/time/window-spec.js";
import { DAY_MS, MINUTE_MS, localDateAt, wallClockToInstant } from "../model/time/zone.js";
import {
  GITHUB_TEXT_LIMIT,
  inline,
  link,
  mention,
  table,
  truncateUtf8,
  utcMinute,
} from "./markdown.js";

/** The marker the desk issue's body starts with, so the app finds its own issue again. */
export const DESK_MARKER = "<!-- release-policy:desk -->";
export const DESK_TITLE = "Release desk";
/** Rows per table before "and K more". */
export const DESK_ROWS = 25;
/** Days the calendar looks ahead, from the start of today. */
export const CALENDAR_DAYS = 14;
/** Environments drawn on the calendar; more are listed, not drawn. */
export const CALENDAR_ENVIRONMENTS = 12;
/** Bars per environment (open periods and freezes together). */
export const CALENDAR_BARS = 40;
const SHIPPED_DAYS = 7;
/** Longest user text in one cell or bar name, so a row stays bounded. */
const CELL_CHARS = 80;
const LIST_ITEMS = 5;

export interface DeskOptions {
  /** Rows per table (default DESK_ROWS). */
  rows?: number;
  /** The body limit in bytes (default GitHub's). */
  maxBytes?: number;
}

function clip(text: string, max = CELL_CHARS): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

const cell = (text: string): string => inline(clip(text));

function shortSha(sha: string): string {
  return /^[0-9a-f]{7,40}$/i.test(sha) ? `\`${sha.slice(0, 7)}\`` : cell(sha);
}

/** "a, b, c and 2 more": long lists stay one short cell. */
function list<T>(items: readonly T[], render: (item: T) => string): string {
  const shown = items.slice(0, LIST_ITEMS).map(render).join(", ");
  const rest = items.length - LIST_ITEMS;
  return rest > 0 ? `${shown} and ${rest} more` : shown;
}

function moreLine(hidden: number, url: string | undefined): string[] {
  if (hidden <= 0) return [];
  return [`\nand ${hidden} more${url ? ` (${link("see all", url)})` : ""}`];
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------
// Waiting now

function describeWait(wait: DeskWait): string {
  switch (wait.kind) {
    case "approval":
      return wait.by.length > 0
        ? `approval by ${list(wait.by, (who) => mention(clip(who, 60)))}`
        : "approval";
    case "window":
      return wait.opensAt ? `window opens ${utcMinute(wait.opensAt)}` : "window (not opening soon)";
    case "freeze":
      return `${cell(wait.reason)} until ${utcMinute(wait.until)}`;
    case "change-record": {
      const record = wait.url ? link(clip(wait.id, 40), wait.url) : cell(wait.id);
      return `change record ${record}: ${cell(wait.state)}`;
    }
    case "gate":
      return `${cell(wait.gate)}: ${cell(wait.reason)}`;
  }
}

function waitingSection(holds: readonly DeskHold[], rows: number, url?: string): string {
  const head = "## Waiting now";
  if (holds.length === 0) return `${head}\n\nNo deployment is waiting.`;
  const sorted = [...holds].sort(
    (a, b) =>
      byText(a.since, b.since) ||
      byText(a.repo, b.repo) ||
      byText(a.environment, b.environment) ||
      byText(a.sha, b.sha),
  );
  const body = sorted
    .slice(0, rows)
    .map((hold) => [
      cell(hold.repo),
      cell(hold.environment),
      shortSha(hold.sha),
      list(hold.pullRequests, (pull) => link(`#${pull.number}`, pull.url)) || "none",
      utcMinute(hold.since),
      hold.waitsFor.map(describeWait).join("; ") || "nothing recorded",
      link("review", hold.reviewUrl),
    ]);
  return [
    head,
    "",
    table(["Repository", "Environment", "Commit", "Pull requests", "Since", "Waits for", ""], body),
    ...moreLine(sorted.length - rows, url),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------
// Releases in flight

const GATE_MARK: Record<GateStatus, string> = {
  pass: "✅",
  fail: "❌",
  pending: "⏳",
  skipped: "➖",
  error: "⚠️",
};

function releasesSection(releases: readonly DeskRelease[], rows: number, url?: string): string {
  const head = "## Releases in flight";
  if (releases.length === 0) return `${head}\n\nNo release is in flight.`;
  const sorted = [...releases].sort((a, b) => byText(a.repo, b.repo) || byText(a.tag, b.tag));
  const body = sorted.slice(0, rows).map((release) => {
    const gates = release.gates.length
      ? list(release.gates, (gate) => `${GATE_MARK[gate.status]} ${cell(gate.name)}`)
      : "no gates";
    return [cell(release.repo), cell(release.tag), gates, link("record", release.recordUrl)];
  });
  return [
    head,
    "",
    table(["Repository", "Tag", "Gates", ""], body),
    ...moreLine(sorted.length - rows, url),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------
// Calendar

interface Bar {
  kind: "open" | "freeze";
  name: string;
  start: number;
  end: number;
}

interface EnvironmentCalendar {
  label: string;
  bars: Bar[];
  /** Bars left out by CALENDAR_BARS. */
  hidden: number;
  error?: string;
}

/** The open periods of `spec` that overlap [from, to), each clipped to it. */
function openPeriods(spec: WindowRequirement, from: number, to: number): Bar[] {
  const bars: Bar[] = [];
  let cursor = from;
  // windowState gives the current period's end or the next one's start: walk from one to the next.
  while (cursor < to) {
    const state = windowState(spec, new Date(cursor));
    if (state.open) {
      const end = Math.min(state.closesAt?.getTime() ?? to, to);
      bars.push({ kind: "open", name: "Open", start: cursor, end });
      cursor = end;
    } else {
      const opens = state.opensAt?.getTime();
      if (opens === undefined || opens >= to) break;
      cursor = opens;
    }
  }
  return bars;
}

function freezePeriods(spec: WindowRequirement, zone: IANAZone, from: number, to: number): Bar[] {
  const bars: Bar[] = [];
  for (const freeze of spec.freeze ?? []) {
    const start = parseLocalDateTime(freeze.from);
    const end = parseLocalDateTime(freeze.to);
    if (!start.ok) throw new WindowSpecError(start.error);
    if (!end.ok) throw new WindowSpecError(end.error);
    const startAt = wallClockToInstant(zone, start.value, start.value.minutes ?? 0);
    // A date-only end covers its whole day, as window.ts reads it.
    const endAt = wallClockToInstant(zone, end.value, end.value.minutes ?? 24 * 60);
    if (endAt <= from || startAt >= to || endAt <= startAt) continue;
    const reason = freeze.reason ?? DEFAULT_FREEZE_REASON;
    bars.push({
      kind: "freeze",
      name: /\bfreeze\b/i.test(reason) ? reason : `${reason} freeze`,
      start: Math.max(startAt, from),
      end: Math.min(endAt, to),
    });
  }
  return bars;
}

function environmentLabel(env: DeskEnvironment): string {
  return env.repo ? `${env.repo} ${env.environment}` : env.environment;
}

function environmentCalendar(env: DeskEnvironment, from: number, to: number): EnvironmentCalendar {
  const label = environmentLabel(env);
  if (!env.window) {
    return { label, bars: [{ kind: "open", name: "Open", start: from, end: to }], hidden: 0 };
  }
  try {
    if (!isIanaZone(env.window.timezone)) {
      throw new WindowSpecError(`unknown time zone "${env.window.timezone}"`);
    }
    const zone = IANAZone.create(env.window.timezone);
    const bars = [
      ...freezePeriods(env.window, zone, from, to),
      ...openPeriods(env.window, from, to),
    ].sort((a, b) => a.start - b.start || a.end - b.end || byText(a.kind, b.kind));
    return {
      label,
      bars: bars.slice(0, CALENDAR_BARS),
      hidden: Math.max(0, bars.length - CALENDAR_BARS),
    };
  } catch (error) {
    if (!(error instanceof WindowSpecError)) throw error;
    return { label, bars: [], hidden: 0, error: error.message };
  }
}

/**
 * Text Mermaid reads as a plain name: no `:` `#` `;` (task syntax, entities, statement ends),
 * no `%` (comments), no backticks or angle brackets (the fence, HTML), no line breaks.
 */
export function mermaidText(text: string): string {
  const safe = text
    .replace(/[^\p{L}\p{N} ._,'()/+@-]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return clip(safe, 60) || "unnamed";
}

// Words Mermaid's gantt grammar reads at a line's start: a task named so would be a statement.
const GANTT_KEYWORDS =
  /^(?:gantt|title|section|click|call|href|dateformat|axisformat|tickinterval|excludes|includes|todaymarker|weekday|weekend|inclusiveenddates|topaxis|accTitle|accDescr)\b/i;

/** A task or section name: `mermaidText`, and never a keyword. */
function taskName(text: string): string {
  const safe = mermaidText(text);
  return GANTT_KEYWORDS.test(safe) ? `- ${safe}` : safe;
}

/** The zone every time on the chart is written in: the windows' one zone, or UTC. */
function calendarZone(environments: readonly DeskEnvironment[]): string {
  const zones = new Set(
    environments.flatMap((env) =>
      env.window && isIanaZone(env.window.timezone) ? [env.window.timezone] : [],
    ),
  );
  const only = [...zones][0];
  return zones.size === 1 && only ? only : "UTC";
}

function mermaidTime(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

function deploymentIn(env: DeskEnvironment, deployment: DeskDeployment): boolean {
  return deployment.environment === env.environment && (!env.repo || env.repo === deployment.repo);
}

function calendarSection(snapshot: DeskSnapshot, now: number): string {
  const head = "## Calendar";
  const environments = [...snapshot.environments].sort(
    (a, b) => byText(a.environment, b.environment) || byText(a.repo ?? "", b.repo ?? ""),
  );
  if (environments.length === 0) return `${head}\n\nNo environment has a window or a freeze.`;
  const zone = calendarZone(environments);
  const local = IANAZone.create(zone);
  const from = wallClockToInstant(local, localDateAt(now, local), 0);
  const to = from + CALENDAR_DAYS * DAY_MS;
  const drawn = environments.slice(0, CALENDAR_ENVIRONMENTS);
  const calendars = drawn.map((env) => environmentCalendar(env, from, to));
  // Only deployments on the chart's own days: one from another year would stretch the axis.
  const today = snapshot.today
    .filter((deployment) => {
      const at = Date.parse(deployment.at);
      return at >= from && at < to;
    })
    .sort((a, b) => byText(a.at, b.at) || byText(a.repo, b.repo) || byText(a.sha, b.sha));
  const lines = [
    "gantt",
    `  title Next ${CALENDAR_DAYS} days, times in ${zone}`,
    "  dateFormat YYYY-MM-DDTHH:mm",
    "  axisFormat %d %b",
  ];
  let id = 0;
  const placed = new Set<DeskDeployment>();
  drawn.forEach((env, index) => {
    const calendar = calendars[index];
    if (!calendar || calendar.error) return;
    lines.push(`  section ${taskName(calendar.label)}`);
    for (const bar of calendar.bars) {
      const tag = bar.kind === "freeze" ? "crit, " : "";
      const name = bar.kind === "freeze" ? taskName(bar.name) : "Open";
      lines.push(
        `  ${name} :${tag}b${id++}, ${mermaidTime(bar.start, zone)}, ${mermaidTime(bar.end, zone)}`,
      );
    }
    for (const deployment of today.filter((d) => deploymentIn(env, d)).slice(0, DESK_ROWS)) {
      placed.add(deployment);
      lines.push(milestone(deployment, `m${id++}`, zone));
    }
  });
  const notes: string[] = [];
  const unplaced = today.filter((d) => !placed.has(d)).slice(0, DESK_ROWS);
  if (unplaced.length > 0) {
    lines.push("  section Other deployments");
    unplaced.forEach((deployment) => lines.push(milestone(deployment, `m${id++}`, zone)));
  }
  calendars.forEach((calendar) => {
    if (calendar.error) {
      notes.push(
        `- ${cell(calendar.label)}: its window could not be read (${cell(calendar.error)}); fix the policy's \`window\`.`,
      );
    } else if (calendar.hidden > 0) {
      notes.push(`- ${cell(calendar.label)}: ${calendar.hidden} more periods not drawn.`);
    }
  });
  const undrawn = environments.slice(CALENDAR_ENVIRONMENTS).map(environmentLabel);
  if (undrawn.length > 0) {
    notes.push(`- ${undrawn.length} more environments not drawn: ${list(undrawn, cell)}.`);
  }
  return [head, "", "```mermaid", ...lines, "```", ...(notes.length ? ["", ...notes] : [])].join(
    "\n",
  );
}

function milestone(deployment: DeskDeployment, id: string, zone: string): string {
  const name = mermaidText(`Deploy ${deployment.repo} ${deployment.sha.slice(0, 7)}`);
  return `  ${name} :milestone, ${id}, ${mermaidTime(Date.parse(deployment.at), zone)}, 0m`;
}

// ---------------------------------------------------------------------------------------
// Shipped

const OUTCOME: Record<DeskDeployment["outcome"], string> = {
  success: "✅ success",
  failure: "❌ failure",
  error: "⚠️ error",
  in_progress: "⏳ in progress",
  rejected: "🚫 rejected",
};

function shippedSection(
  shipped: readonly DeskDeployment[],
  now: number,
  rows: number,
  url?: string,
) {
  const head = `## Shipped (last ${SHIPPED_DAYS} days)`;
  const since = now - SHIPPED_DAYS * DAY_MS;
  const recent = shipped
    .filter((deployment) => {
      const at = Date.parse(deployment.at);
      return at >= since && at <= now + MINUTE_MS;
    })
    .sort((a, b) => byText(b.at, a.at) || byText(a.repo, b.repo) || byText(a.sha, b.sha));
  if (recent.length === 0) return `${head}\n\nNothing shipped to production.`;
  const body = recent
    .slice(0, rows)
    .map((deployment) => [
      cell(deployment.repo),
      cell(deployment.environment),
      deployment.url ? link(deployment.sha.slice(0, 7), deployment.url) : shortSha(deployment.sha),
      deployment.approvers.length
        ? list(deployment.approvers, (who) => mention(clip(who, 60)))
        : "none",
      OUTCOME[deployment.outcome],
      utcMinute(deployment.at),
    ]);
  return [
    head,
    "",
    table(["Repository", "Environment", "Commit", "Approved by", "Outcome", "At"], body),
    ...moreLine(recent.length - rows, url),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------

/** Cuts the body to `maxBytes`; a cut inside the chart closes its fence, so nothing below renders as code. */
function bound(body: string, maxBytes: number): string {
  if (Buffer.byteLength(body, "utf8") <= maxBytes) return body;
  const note = "\n\n_The desk was cut to fit GitHub's size limit._";
  const fence = "\n```";
  const cut = truncateUtf8(body, maxBytes - Buffer.byteLength(fence, "utf8"), note);
  const head = cut.slice(0, cut.length - note.length);
  const fences = head.split("\n").filter((line) => line.startsWith("```")).length;
  return fences % 2 === 1 ? `${head}${fence}${note}` : cut;
}

export function renderDesk(
  snapshot: DeskSnapshot,
  now: Date,
  options: DeskOptions = {},
): { title: string; body: string } {
  const instant = now.getTime();
  if (Number.isNaN(instant)) throw new RangeError("renderDesk: now is not a valid date");
  const rows = Math.max(1, Math.floor(options.rows ?? DESK_ROWS));
  const links = snapshot.links ?? {};
  const body = [
    DESK_MARKER,
    `_Updated ${utcMinute(now.toISOString())}. The app keeps this issue current; edits are overwritten._`,
    waitingSection(snapshot.holds, rows, links.waiting),
    releasesSection(snapshot.releases, rows, links.releases),
    calendarSection(snapshot, instant),
    shippedSection(snapshot.shipped, instant, rows, links.shipped),
  ].join("\n\n");
  return { title: DESK_TITLE, body: bound(`${body}\n`, options.maxBytes ?? GITHUB_TEXT_LIMIT) };
}
