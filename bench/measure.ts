/**
 * Turns one run's logs into the numbers of the table: requests by route, reads and writes,
 * webhook → last-write latency, writes that repeated what GitHub already showed, and the
 * figures GitHub's secondary rate limits are stated in.
 */
import type { RepoRecord } from "../test/stand-in/records.js";
import type { StandIn } from "../test/stand-in/server.js";
import type { Exchange } from "./proxy.js";
import type { SentEvent, Step, Subject } from "./runner.js";

/** The subject of an event that may change any pull request (a policy change). */
export const ANY = "*";

const AUTH = /^POST \/app\/installations\/\{installation_id\}\/access_tokens$/;

export const isWrite = (e: Exchange): boolean => e.method !== "GET" && e.method !== "HEAD";
export const isAuth = (e: Exchange): boolean => AUTH.test(e.route);

export interface RouteCount {
  route: string;
  count: number;
}

export interface Requests {
  total: number;
  reads: number;
  writes: number;
  /** Installation-token requests (one per installation an hour), apart from the rest. */
  auth: number;
  byRoute: RouteCount[];
}

export function countRequests(log: Exchange[]): Requests {
  const byRoute = new Map<string, number>();
  for (const e of log) byRoute.set(e.route, (byRoute.get(e.route) ?? 0) + 1);
  const api = log.filter((e) => !isAuth(e));
  return {
    total: api.length,
    reads: api.filter((e) => !isWrite(e)).length,
    writes: api.filter(isWrite).length,
    auth: log.length - api.length,
    byRoute: [...byRoute]
      .map(([route, count]) => ({ route, count }))
      .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route)),
  };
}

/** The subject a write changed, resolved against the stand-in's records. */
export function subjectOfWrite(gh: StandIn, e: Exchange): Subject | null {
  const m = /^\/repos\/([^/]+)\/([^/]+)\/(.*)$/.exec(e.path);
  if (!m || !m[1] || !m[2] || m[3] === undefined) return null;
  const repo = gh.state.repo(m[1], m[2]);
  if (!repo) return null;
  const rest = m[3];
  const prefix = `${repo.owner}/${repo.name}`.toLowerCase();
  const pr = (n: number | undefined) => (n === undefined ? null : `${prefix}#${n}`);
  const body = (e.body ?? {}) as { head_sha?: string };
  let match: RegExpExecArray | null;
  if (rest === "check-runs") return pr(pullOfSha(repo, body.head_sha ?? ""));
  if ((match = /^check-runs\/(\d+)$/.exec(rest))) {
    const run = repo.checkRuns.find((r) => r.id === Number(match?.[1]));
    return run ? pr(pullOfSha(repo, run.headSha)) : null;
  }
  if ((match = /^issues\/(\d+)\/comments$/.exec(rest))) return pr(Number(match[1]));
  if ((match = /^issues\/comments\/(\d+)$/.exec(rest))) {
    return pr(repo.comments.find((c) => c.id === Number(match?.[1]))?.issueNumber);
  }
  if ((match = /^actions\/runs\/(\d+)\/deployment_protection_rule$/.exec(rest))) {
    const run = repo.workflowRuns.get(Number(match[1]));
    return run ? `${prefix}@${run.headSha}` : null;
  }
  if ((match = /^statuses\/([0-9a-f]{40})$/.exec(rest))) return `${prefix}@${match[1]}`;
  return null;
}

function pullOfSha(repo: RepoRecord, sha: string): number | undefined {
  for (const pull of repo.pulls.values()) {
    if (pull.headSha === sha || pull.commits.includes(sha)) return pull.number;
  }
  return undefined;
}

export interface Latency {
  samples: number;
  p50: number;
  p95: number;
}

/**
 * Webhook → the last write on its subject within its step, per webhook that caused one. In
 * a burst every webhook of a pull request is answered by the write that shows its final
 * state, so its latency runs to that write.
 */
export function latency(gh: StandIn, log: Exchange[], steps: Step[]): Latency {
  const samples: number[] = [];
  for (const step of steps) {
    const writes = log.slice(step.from, step.to).filter(isWrite);
    const lastBySubject = new Map<Subject, number>();
    for (const write of writes) {
      const subject = subjectOfWrite(gh, write);
      if (subject) lastBySubject.set(subject, Math.max(lastBySubject.get(subject) ?? 0, write.end));
    }
    const lastOfAll = Math.max(0, ...lastBySubject.values());
    for (const event of step.events) {
      const last =
        event.subject === ANY
          ? lastOfAll || undefined
          : lastBySubject.get(event.subject.toLowerCase());
      if (last !== undefined && last > event.sent) samples.push(last - event.sent);
    }
  }
  return { samples: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

/** Webhook answer times: GitHub gives up on a delivery after 10 s. */
export function answerTimes(events: SentEvent[]): Latency {
  const samples = events.map((e) => e.answered - e.sent);
  return { samples: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

// A summary that differs from the last one only in its "Evaluated <minute>" footer shows
// the same result.
const timeless = (text: unknown) =>
  typeof text === "string" ? text.replace(/Evaluated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g, "") : "";

/** What a write shows, for telling a repeat: a check run's result, a comment's body. */
function shown(e: Exchange): string {
  const body = (e.body ?? {}) as {
    status?: string;
    conclusion?: string;
    output?: { title?: string; summary?: string; text?: string };
    body?: string;
    state?: string;
    comment?: string;
    description?: string;
  };
  return JSON.stringify([
    body.status,
    body.conclusion,
    body.output?.title,
    timeless(body.output?.summary),
    body.output?.text,
    body.body,
    body.state,
    body.comment,
    body.description,
  ]);
}

/** Where a write's result is shown: the check run of one commit, one comment, one status. */
function placeOf(gh: StandIn, e: Exchange): string {
  const subject = subjectOfWrite(gh, e) ?? e.path;
  if (e.route.includes("check-runs")) {
    const head = (e.body as { head_sha?: string } | undefined)?.head_sha;
    const m = /check-runs\/(\d+)$/.exec(e.path);
    const repo = /^\/repos\/([^/]+)\/([^/]+)\//.exec(e.path);
    const run =
      m && repo
        ? gh.state.repo(repo[1] ?? "", repo[2] ?? "")?.checkRuns.find((r) => r.id === Number(m[1]))
        : undefined;
    return `check ${subject} @${head ?? run?.headSha ?? "?"}`;
  }
  if (e.route.includes("comments")) return `comment ${subject}`;
  if (e.route.includes("statuses")) return `status ${e.path}`;
  return `${e.route} ${e.path}`;
}

/** Writes that showed exactly what the previous write to the same place showed. */
export function repeatedWrites(gh: StandIn, log: Exchange[]): Exchange[] {
  const last = new Map<string, string>();
  const repeats: Exchange[] = [];
  for (const write of log.filter((e) => isWrite(e) && !isAuth(e))) {
    const place = placeOf(gh, write);
    const now = shown(write);
    if (last.get(place) === now) repeats.push(write);
    last.set(place, now);
  }
  return repeats;
}

export interface LimitFigures {
  /** Most requests in flight at once (GitHub: at most 100 concurrent). */
  peakConcurrent: number;
  /** Most writes one installation made in any 60 s (GitHub: 80 content-creating a minute). */
  peakWritesPerMinute: number;
  /** Most points one endpoint took in any 60 s (GitHub: 900; GET 1, writes 5). */
  peakEndpointPoints: number;
  /** Shortest gap between two writes of one installation, in ms. */
  minWriteGapMs: number;
}

export function limitFigures(log: Exchange[], peakConcurrent: number): LimitFigures {
  const api = log.filter((e) => !isAuth(e));
  const writes = api.filter(isWrite);
  const perInstallation = new Map<number, number[]>();
  for (const w of writes) {
    const list = perInstallation.get(w.installationId ?? 0) ?? [];
    list.push(w.start);
    perInstallation.set(w.installationId ?? 0, list);
  }
  let peakWrites = 0;
  let minGap = Number.POSITIVE_INFINITY;
  for (const starts of perInstallation.values()) {
    starts.sort((a, b) => a - b);
    peakWrites = Math.max(peakWrites, peakInWindow(starts, 60_000));
    for (let i = 1; i < starts.length; i++) {
      minGap = Math.min(minGap, (starts[i] ?? 0) - (starts[i - 1] ?? 0));
    }
  }
  const perEndpoint = new Map<string, { at: number; points: number }[]>();
  for (const e of api) {
    const key = `${e.installationId} ${e.route}`;
    const list = perEndpoint.get(key) ?? [];
    list.push({ at: e.start, points: isWrite(e) ? 5 : 1 });
    perEndpoint.set(key, list);
  }
  let peakPoints = 0;
  for (const list of perEndpoint.values()) {
    list.sort((a, b) => a.at - b.at);
    let from = 0;
    let sum = 0;
    for (const item of list) {
      sum += item.points;
      while ((list[from]?.at ?? 0) <= item.at - 60_000) sum -= list[from++]?.points ?? 0;
      peakPoints = Math.max(peakPoints, sum);
    }
  }
  return {
    peakConcurrent,
    peakWritesPerMinute: peakWrites,
    peakEndpointPoints: peakPoints,
    minWriteGapMs: Number.isFinite(minGap) ? minGap : Number.NaN,
  };
}

function peakInWindow(sorted: number[], windowMs: number): number {
  let peak = 0;
  let from = 0;
  for (let i = 0; i < sorted.length; i++) {
    while ((sorted[from] ?? 0) <= (sorted[i] ?? 0) - windowMs) from++;
    peak = Math.max(peak, i - from + 1);
  }
  return peak;
}
