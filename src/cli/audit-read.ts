// What `release-policy audit` reads from GitHub for a period, and nothing else: the
// repository's deployments created in it (newest first, so the listing stops at the
// period's start), each one's statuses, the decision the app mirrored in the commit status
// `release-policy/<environment>`, who approved the run when one is named, and the release
// records opened in it. Every listing is bounded; a period that needs more is refused, so an
// audit is never silently cut short.
import type { Octokit } from "../github/types.js";
import { isNotFound } from "../github/errors.js";
import { STATUS_CONTEXT } from "../effects/deployment-answer.js";
import { RECORD_LABEL } from "../report/release-record.js";

/** From `since` (inclusive) to `until` (exclusive). */
export interface Period {
  since: Date;
  until: Date;
}

export interface AuditedStatus {
  state: string;
  environment: string;
  /** ISO 8601. */
  at: string;
  description: string;
}

export interface Decision {
  /** The commit status's state: success (approved), failure (rejected), pending (held). */
  state: string;
  description: string;
  at: string;
}

export interface AuditedDeployment {
  id: number;
  environment: string;
  ref: string;
  sha: string;
  task: string;
  creator: string | null;
  createdAt: string;
  /** The latest status's state, or null when it has none. */
  state: string | null;
  /** Oldest first. */
  statuses: AuditedStatus[];
  /** The app's last decision for this deployment, or null when it wrote none. */
  decision: Decision | null;
  /** The workflow run the deployment or its statuses name, or null. */
  runId: number | null;
  /** Who approved the run for this environment; null when no run is known. */
  approvers: string[] | null;
  rejectedBy: string[] | null;
}

export interface AuditedRecord {
  number: number;
  title: string;
  state: string;
  url: string;
  createdAt: string;
}

export interface Audit {
  repository: string;
  since: string;
  until: string;
  deployments: AuditedDeployment[];
  releaseRecords: AuditedRecord[];
}

/** Deployments listed, newest first, before the period's start must have been reached. */
export const MAX_DEPLOYMENTS_LISTED = 2000;
/** Release records listed, newest first, likewise. */
export const MAX_RECORDS_LISTED = 1000;
/** A deployment's latest statuses read (one page); a deployment rarely has ten. */
export const STATUSES_PER_DEPLOYMENT = 100;
/** Pages of a commit's statuses read for the app's decisions, newest first. */
export const COMMIT_STATUS_PAGES = 5;
/** Requests in flight at once. */
const CONCURRENCY = 4;
const PAGE = 100;

/** The period needs more requests than the bounds allow: narrow it. */
export class TooMuch extends Error {}

type Target = { owner: string; repo: string };

export async function readAudit(octokit: Octokit, at: Target, period: Period): Promise<Audit> {
  const listed = await listDeployments(octokit, at, period);
  const decisions = new Memo((sha: string) =>
    readDecisions(octokit, at, sha, listed.find((d) => d.sha === sha)?.createdAt ?? ""),
  );
  const reviews = new Memo((runId: number) => readRunReviews(octokit, at, runId));
  const deployments = await mapBounded(listed, async (deployment) => {
    const statuses = await readStatuses(octokit, at, deployment.id);
    const latest = statuses.at(-1);
    const decision = pickDecision(await decisions.get(deployment.sha), deployment, listed);
    const runId = runIdOf(deployment.payload, [
      ...statuses.flatMap((s) => s.urls),
      ...(decision?.url ? [decision.url] : []),
    ]);
    const review = runId === null ? null : await reviews.get(runId);
    const forEnvironment = review?.filter((r) => same(r.environment, deployment.environment));
    const who = (state: string): string[] | null =>
      forEnvironment ? forEnvironment.filter((r) => r.state === state).map((r) => r.user) : null;
    return {
      id: deployment.id,
      environment: deployment.environment,
      ref: deployment.ref,
      sha: deployment.sha,
      task: deployment.task,
      creator: deployment.creator,
      createdAt: deployment.createdAt,
      state: latest?.state ?? null,
      statuses: statuses.map(({ urls: _urls, ...status }) => status),
      decision: decision
        ? { state: decision.state, description: decision.description, at: decision.at }
        : null,
      runId,
      approvers: who("approved"),
      rejectedBy: who("rejected"),
    } satisfies AuditedDeployment;
  });
  return {
    repository: `${at.owner}/${at.repo}`,
    since: period.since.toISOString(),
    until: period.until.toISOString(),
    deployments,
    releaseRecords: await listRecords(octokit, at, period),
  };
}

interface Listed {
  id: number;
  environment: string;
  ref: string;
  sha: string;
  task: string;
  creator: string | null;
  createdAt: string;
  payload: unknown;
}

const within = (iso: string, period: Period): boolean => {
  const t = Date.parse(iso);
  return t >= period.since.getTime() && t < period.until.getTime();
};
const before = (iso: string, time: Date): boolean => Date.parse(iso) < time.getTime();

/**
 * Walks a newest-first listing down to the period's start, keeping what `keep` makes of each
 * item in the period; past `max` items listed it refuses rather than cut the period short.
 */
async function listSince<I extends { created_at: string }, T>(
  pages: AsyncIterable<{ data: I[] }>,
  period: Period,
  max: number,
  what: string,
  keep: (item: I) => T | null,
): Promise<T[]> {
  const found: T[] = [];
  let seen = 0;
  for await (const { data } of pages) {
    for (const item of data) {
      const kept = within(item.created_at, period) ? keep(item) : null;
      if (kept !== null) found.push(kept);
    }
    seen += data.length;
    const last = data.at(-1);
    if (!last || before(last.created_at, period.since)) break;
    if (seen >= max) {
      throw new TooMuch(
        `more than ${max} ${what} were listed before reaching --since; audit a shorter period (--since and --until)`,
      );
    }
  }
  return found;
}

/** The period's deployments, oldest first. GitHub lists them newest first. */
async function listDeployments(octokit: Octokit, at: Target, period: Period): Promise<Listed[]> {
  const pages = octokit.paginate.iterator(octokit.rest.repos.listDeployments, {
    ...at,
    per_page: PAGE,
  });
  const found = await listSince(pages, period, MAX_DEPLOYMENTS_LISTED, "deployments", (d) => ({
    id: d.id,
    environment: d.environment,
    ref: d.ref,
    sha: d.sha,
    task: d.task,
    creator: d.creator?.login ?? null,
    createdAt: d.created_at,
    payload: d.payload,
  }));
  return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
}

async function readStatuses(
  octokit: Octokit,
  at: Target,
  deploymentId: number,
): Promise<(AuditedStatus & { urls: string[] })[]> {
  const { data } = await octokit.rest.repos.listDeploymentStatuses({
    ...at,
    deployment_id: deploymentId,
    per_page: STATUSES_PER_DEPLOYMENT,
  });
  return data
    .map((s) => ({
      state: s.state,
      environment: s.environment ?? "",
      at: s.created_at,
      description: s.description ?? "",
      urls: [s.log_url, s.target_url].filter((u): u is string => typeof u === "string"),
    }))
    .sort((a, b) => a.at.localeCompare(b.at));
}

interface WrittenStatus {
  context: string;
  state: string;
  description: string;
  at: string;
  url: string | null;
}

/**
 * The app's statuses on a commit (context `release-policy/…`), newest first, down to the
 * commit's first deployment in the period (`from`): none older can be its decision. The
 * listing holds every context's statuses: at most COMMIT_STATUS_PAGES pages are read.
 */
async function readDecisions(
  octokit: Octokit,
  at: Target,
  sha: string,
  from: string,
): Promise<WrittenStatus[]> {
  const ours: WrittenStatus[] = [];
  let page = 0;
  const pages = octokit.paginate.iterator(octokit.rest.repos.listCommitStatusesForRef, {
    ...at,
    ref: sha,
    per_page: PAGE,
  });
  for await (const { data } of pages) {
    for (const s of data) {
      if (!s.context.toLowerCase().startsWith(`${STATUS_CONTEXT}/`)) continue;
      ours.push({
        context: s.context,
        state: s.state,
        description: s.description ?? "",
        at: s.created_at,
        url: s.target_url,
      });
    }
    page += 1;
    const last = data.at(-1);
    if (!last || Date.parse(last.created_at) < Date.parse(from) || page >= COMMIT_STATUS_PAGES)
      break;
  }
  return ours;
}

/**
 * The decision for one deployment: the app's newest status for its environment on its
 * commit, written once it was created and before the next deployment of the same commit
 * to the same environment (a redeploy is decided again).
 */
function pickDecision(
  written: readonly WrittenStatus[],
  deployment: Listed,
  all: readonly Listed[],
): WrittenStatus | undefined {
  const from = Date.parse(deployment.createdAt);
  const next = all
    .filter(
      (d) =>
        d.sha === deployment.sha &&
        same(d.environment, deployment.environment) &&
        Date.parse(d.createdAt) > from,
    )
    .map((d) => Date.parse(d.createdAt))
    .sort((a, b) => a - b)[0];
  return written.find((s) => {
    const t = Date.parse(s.at);
    return (
      same(s.context, `${STATUS_CONTEXT}/${deployment.environment}`) &&
      t >= from &&
      (next === undefined || t < next)
    );
  });
}

const RUN_URL = /\/actions\/runs\/(\d+)(?:[/?#]|$)/;

/**
 * The workflow run a deployment belongs to: its payload's `run_id` or `workflow_run_id`
 * when it has one, else the first run a status links to (GitHub Actions' log URLs do, and
 * so does the app's own commit status).
 */
export function runIdOf(payload: unknown, urls: readonly string[]): number | null {
  if (typeof payload === "object" && payload !== null) {
    for (const key of ["run_id", "workflow_run_id"]) {
      const value: unknown = (payload as Record<string, unknown>)[key];
      const id =
        typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
      if (Number.isSafeInteger(id) && id > 0) return id;
    }
  }
  for (const url of urls) {
    const match = RUN_URL.exec(url);
    if (match?.[1]) return Number(match[1]);
  }
  return null;
}

interface RunReview {
  environment: string;
  state: string;
  user: string;
}

/** The run's deployment reviews; null when the run is gone or not visible. */
async function readRunReviews(
  octokit: Octokit,
  at: Target,
  runId: number,
): Promise<RunReview[] | null> {
  try {
    const { data } = await octokit.rest.actions.getReviewsForRun({ ...at, run_id: runId });
    return data.flatMap((review) =>
      review.environments.map((env) => ({
        environment: env.name ?? "",
        state: review.state,
        user: review.user.login,
      })),
    );
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Issues labelled release-record opened in the period, oldest first. */
async function listRecords(octokit: Octokit, at: Target, period: Period): Promise<AuditedRecord[]> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
    ...at,
    labels: RECORD_LABEL,
    state: "all",
    sort: "created",
    direction: "desc",
    // Updated since the start: every issue created in the period is, and older ones mostly not.
    since: period.since.toISOString(),
    per_page: PAGE,
  });
  const found = await listSince(pages, period, MAX_RECORDS_LISTED, "release records", (issue) =>
    issue.pull_request
      ? null
      : {
          number: issue.number,
          title: issue.title,
          state: issue.state,
          url: issue.html_url,
          createdAt: issue.created_at,
        },
  );
  return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.number - b.number);
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** One read per key, however many ask at once. */
class Memo<K, V> {
  readonly #reads = new Map<K, Promise<V>>();
  constructor(private readonly read: (key: K) => Promise<V>) {}
  get(key: K): Promise<V> {
    let pending = this.#reads.get(key);
    if (!pending) {
      pending = this.read(key);
      this.#reads.set(key, pending);
    }
    return pending;
  }
}

/** `fn` over `items`, CONCURRENCY at a time, in order; the first failure stops the rest. */
async function mapBounded<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await fn(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return results;
}
