// What the handlers work with: the app's dependencies, every one built in one place (the
// composition root, src/app-deps.ts), and the options they are built from.
import type { RepoRef } from "../facts/types.js";
import type { ReleaseRecords } from "../effects/release-record.js";
import type { ChangeRecordNotes } from "../effects/change-record-note.js";
import type { NotificationOptions } from "../holds/notification-outbox.js";
import type { PullWatch } from "../holds/pull-watch.js";
import type { Scheduler } from "../holds/scheduler.js";
import type { DecisionMetrics } from "../pipeline/decision-metrics.js";
import type { DeploymentDeps } from "../pipeline/deployment.js";
import type { DeploymentListener } from "../pipeline/deployment-listeners.js";
import type { ReleaseDesk } from "../pipeline/desk.js";
import type { ReleaseListener } from "../pipeline/release.js";
import type { KeyedQueue } from "../pipeline/keyed-queue.js";
import type { CheckListener, PipelineDeps } from "../pipeline/pull-request.js";
import type { ReEvaluations, ReEvaluationTiming } from "../pipeline/re-evaluation.js";
import type { Clock, Store } from "../store/store.js";
import type { ChangeSystemsConfig, ChangeSystemObserver } from "../facts/change-record-clients.js";
import type { EvaluationTiming } from "./timing.js";

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
  /** ServiceNow and Jira for change_record gates (changeSystemsFromEnv); none by default,
   * so such gates error naming the variables to set. */
  changeSystems?: ChangeSystemsConfig;
  /** Where requests to the change systems are counted (the server's /metrics); nowhere by default. */
  changeSystemMetrics?: ChangeSystemObserver;
  /** How ServiceNow and Jira are reached: the global fetch unless given (tests under nock). */
  changeSystemFetch?: typeof fetch;
  /** Told of every deployment decision, after the app's own listeners (tests listen here). */
  deploymentListeners?: readonly DeploymentListener[];
  /** Slack and Teams webhooks of `notify` (docs/notifications.md): the URLs' environment. */
  notifications?: NotificationOptions;
  /** At most one edit of the release desk issue per this interval (DESK_EDIT_INTERVAL, 1m). */
  deskIntervalMs?: number;
}

export interface AppDeps extends PipelineDeps {
  queue: KeyedQueue;
  timing: EvaluationTiming;
  /** Told when a pull request's check changes: the deployment side re-checks its holds. */
  checkListeners: readonly CheckListener[];
  /** Release records (one issue per tag) and the key that signs each one's state. */
  records: ReleaseRecords;
  releaseKey: (repo: RepoRef, tag: string) => string;
  /** Failed evaluations waiting to be tried again (src/pipeline/re-evaluation.ts). */
  reEvaluations: ReEvaluations;
  /** The release desk (src/pipeline/desk.ts): deployment statuses are noted on it. */
  desk?: ReleaseDesk;
  /** Told of each release record written (the desk). */
  releaseListeners?: readonly ReleaseListener[];
  /** Work notes on change records once an approved deployment ends (`work_note`). */
  changeNotes?: ChangeRecordNotes;
  /** Open pull requests waiting on a change system, looked at again by the sweep. */
  pullWatch?: PullWatch;
}

/** Everything the handlers of every event need. */
export type Deps = AppDeps & DeploymentDeps;
