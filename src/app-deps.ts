import { randomBytes } from "node:crypto";
import { ChecklistComments } from "./effects/checklist-comment.js";
import { ReleaseRecords } from "./effects/release-record.js";
import type { RepoRef } from "./facts/types.js";
import { scopedKey } from "./checklist/state.js";
import { PolicyCache } from "./policy/cache.js";
import { KeyedQueue } from "./pipeline/keyed-queue.js";
import type { CheckListener, PipelineDeps } from "./pipeline/pull-request.js";
import { MemoryStore } from "./store/memory.js";
import type { Clock, Store } from "./store/store.js";
import type { Scheduler } from "./holds/scheduler.js";
import { NO_DECISION_METRICS, type DecisionMetrics } from "./pipeline/decision-metrics.js";
import { FactCache } from "./facts/fact-cache.js";
import { AWAITED_TIMING, type EvaluationTiming } from "./handlers/timing.js";
import { ReEvaluations, type ReEvaluationTiming } from "./pipeline/re-evaluation.js";
import { DEFAULT_RETRY_BASE_MS } from "./github/back-off.js";

/** What the app is built from; tests pass their own clock, store and ids. */
export interface AppOptions {
  appId: number;
  /** Signs the checklist state; the webhook secret in production. */
  secret: string;
  store?: Store;
  clock?: Clock;
  /** When held deployments are re-checked; timers by default. */
  scheduler?: Scheduler;
  /**
   * Sweep the store for due holds this often: a hold's timer may have died with another
   * instance or a previous process, or its re-check failed. The server always sets it
   * (storeFromEnv); off when unset, for tests that drive timers themselves.
   */
  sweepIntervalMs?: number;
  /**
   * A held deployment waiting on people is re-checked against GitHub's record at least this
   * often (DEFAULT_RECHECK_INTERVAL_MS): an approval whose webhook never arrived is found.
   */
  holdRecheckIntervalMs?: number;
  /** Where decisions are counted (the server's Prometheus metrics); nowhere by default. */
  metrics?: DecisionMetrics;
  /**
   * When pull requests are evaluated: at once and awaited by default; the service settles
   * bursts and answers webhooks first (SERVICE_TIMING).
   */
  timing?: Partial<EvaluationTiming>;
  /**
   * Failed pull-request evaluations are tried again after a back-off (its unit and the
   * attempts per failure streak). Off unless given: the service turns it on (src/index.ts).
   */
  reEvaluation?: Pick<ReEvaluationTiming, "baseMs" | "attempts">;
}

export interface AppDeps extends PipelineDeps {
  queue: KeyedQueue;
  timing: EvaluationTiming;
  /** Filled as handlers register: the deployment side re-checks holds on a check change. */
  checkListeners: CheckListener[];
  /** Release records (one issue per tag) and the key that signs each one's state. */
  records: ReleaseRecords;
  releaseKey: (repo: RepoRef, tag: string) => string;
  /** Failed evaluations waiting to be tried again (src/pipeline/re-evaluation.ts). */
  reEvaluations: ReEvaluations;
}

export function buildDeps(options: AppOptions): AppDeps {
  const clock = options.clock ?? (() => new Date());
  const store = options.store ?? new MemoryStore(clock);
  const timing = { ...AWAITED_TIMING, ...options.timing };
  // The key is derived from the webhook secret, which every replica already shares and
  // production requires (src/service/start-checks.ts): ticks survive restarts and scaling.
  // Without one outside production (a first run), ticks are signed with a key that lives as
  // long as the process: they reset on restart rather than become forgeable. Never random in
  // production, where a reset would silently drop every recorded tick.
  if (!options.secret && process.env.NODE_ENV === "production")
    throw new Error(
      "WEBHOOK_SECRET is required with NODE_ENV=production: it signs checklist ticks",
    );
  const secret = options.secret || randomBytes(32).toString("hex");
  return {
    appId: options.appId,
    store,
    policies: new PolicyCache(store),
    comments: new ChecklistComments(store, options.appId),
    checklistKey: (repo: RepoRef, number: number) =>
      scopedKey(secret, `${repo.owner}/${repo.repo}#${number}`.toLowerCase()),
    records: new ReleaseRecords(store, options.appId),
    releaseKey: (repo: RepoRef, tag: string) =>
      scopedKey(secret, `release:${repo.owner}/${repo.repo}`.toLowerCase() + `:${tag}`),
    now: clock,
    facts: new FactCache(store, clock),
    queue: new KeyedQueue(timing.delay, timing.concurrency),
    timing,
    checkListeners: [],
    metrics: options.metrics ?? NO_DECISION_METRICS,
    reEvaluations: new ReEvaluations(
      {
        baseMs: options.reEvaluation?.baseMs ?? DEFAULT_RETRY_BASE_MS,
        attempts: options.reEvaluation?.attempts ?? 0,
        ...(timing.delay ? { delay: timing.delay } : {}),
        track: timing.track,
      },
      clock,
    ),
  };
}
