// The composition root: every dependency of the app is built here, once, before any handler
// runs; nothing is added to them afterwards. The handlers (src/handlers/router.ts) only use
// them.
import { randomBytes } from "node:crypto";
import type { Probot } from "probot";
import { checklistScope, scopedKey } from "./checklist/state.js";
import { ChecklistComments } from "./effects/checklist-comment.js";
import { DeskIssues } from "./effects/desk-issue.js";
import { DeskLedger } from "./effects/desk-ledger.js";
import { ReleaseRecords } from "./effects/release-record.js";
import { createChangeSystemClient } from "./change-systems/client.js";
import { ChangeRecordNotes } from "./effects/change-record-note.js";
import { createChangeRecordReader, DEFAULT_CACHE_MS } from "./facts/change-record-clients.js";
import { FactCache } from "./facts/fact-cache.js";
import type { RepoRef } from "./facts/types.js";
import { DEFAULT_RETRY_BASE_MS } from "./github/back-off.js";
import type { Octokit } from "./github/types.js";
import type { AppDeps, AppOptions, Deps } from "./handlers/deps.js";
import { AWAITED_TIMING } from "./handlers/timing.js";
import { evaluate } from "./handlers/common.js";
import { keptOrFetched } from "./facts/invalidation.js";
import { DEFAULT_RECHECK_INTERVAL_MS } from "./holds/recheck-interval.js";
import { PullWatch } from "./holds/pull-watch.js";
import { HoldRegistry, type Hold } from "./holds/registry.js";
import { repeatEvery, timerScheduler } from "./holds/scheduler.js";
import { HoldSweep, recheckOnce } from "./holds/sweep.js";
import { HoldTimers } from "./holds/timers.js";
import { DecisionTriggers, pullScope } from "./holds/triggers.js";
import { NO_DECISION_METRICS } from "./pipeline/decision-metrics.js";
import { decideDeployment } from "./pipeline/deployment.js";
import { ReleaseDesk } from "./pipeline/desk.js";
import { KeyedQueue } from "./pipeline/keyed-queue.js";
import type { CheckChange } from "./pipeline/pull-request.js";
import { ReEvaluations } from "./pipeline/re-evaluation.js";
import { releaseGateFor } from "./pipeline/release.js";
import { PolicyCache } from "./policy/cache.js";
import { MemoryStore } from "./store/memory.js";
import { buildNotifications, notifyEnvOf } from "./notify-deps.js";
import { notifyScopeOf } from "./policy/notify-scope.js";
import { changeNoteListener } from "./pipeline/change-record-notes.js";

/** The app's dependencies, and what starts the work that runs without a webhook. */
export interface Built {
  deps: Deps;
  /** Starts the sweep of due holds and picks up the holds a previous process left. */
  start: () => void;
}

/** What the root needs of the Probot app: installation clients and its logger. */
export type AppHandle = Pick<Probot, "auth" | "log">;

export function buildDeps(options: AppOptions, app: AppHandle): Built {
  const clock = options.clock ?? (() => new Date());
  const store = options.store ?? new MemoryStore(clock);
  const secret = signingSecret(options.secret);
  const timing = { ...AWAITED_TIMING, ...options.timing };
  const scheduler = options.scheduler ?? timerScheduler(clock);
  const holds = new HoldRegistry(store);
  // One policy cache for every reader: a burst of events reads each base policy once.
  // A policy naming a notification variable not scoped to its owner is invalid (docs/notifications.md).
  const notifyScope = notifyScopeOf(notifyEnvOf(options.notifications?.env ?? {}));
  const policies = new PolicyCache(store, undefined, undefined, { notifyScope });
  const auth = async (installationId: number): Promise<Octokit> =>
    (await app.auth(installationId)) as Octokit;
  // Slack and Teams messages of `notify` (src/notify-deps.ts, docs/notifications.md).
  const notifications = buildNotifications({
    options,
    store,
    clock,
    scheduler,
    log: app.log,
    policies,
    auth,
  });
  // The release desk: one issue per owner whose base policy asks for it (src/pipeline/desk.ts).
  // A hold the registry no longer has leaves the desk, however it was released.
  const deskLedger = new DeskLedger(store, {
    held: async (key) => (await holds.get(key)) !== null,
  });
  const desk = new ReleaseDesk({
    policies,
    ledger: deskLedger,
    issues: new DeskIssues(
      store,
      options.appId,
      deskLedger,
      scheduler,
      clock,
      options.deskIntervalMs,
    ),
    auth,
  });
  // ServiceNow and Jira: one client (one OAuth token, one wait per instance the systems ask
  // for, shared with other instances through the store) reads change records and writes notes.
  const changeSystems = createChangeSystemClient(options.changeSystems ?? {}, {
    now: () => clock().getTime(),
    store,
    ...(options.changeSystemMetrics ? { observe: options.changeSystemMetrics } : {}),
    ...(options.changeSystemFetch ? { fetch: options.changeSystemFetch } : {}),
  });
  const changeNotes = new ChangeRecordNotes({
    store,
    client: changeSystems,
    scheduler,
    now: clock,
    log: app.log,
    baseMs: options.reEvaluation?.baseMs ?? DEFAULT_RETRY_BASE_MS,
  });
  const recheckIntervalMs = options.holdRecheckIntervalMs ?? DEFAULT_RECHECK_INTERVAL_MS;
  // Pull requests waiting on a change record are looked at as often as held deployments.
  const pullWatch = new PullWatch(store, recheckIntervalMs);
  const recheck = async (hold: Hold): Promise<void> => {
    const octokit = await auth(hold.request.installationId);
    await decideDeployment(deps, { octokit, log: app.log }, hold.request);
  };
  const onError = (error: unknown, hold?: Hold): void =>
    app.log.warn({ err: error, hold: hold?.key }, "re-check of held deployments failed");
  // Through a lease: another instance's timer or sweep may be re-checking the same hold.
  const timers: HoldTimers = new HoldTimers(scheduler, (hold) =>
    recheckOnce(store, hold, recheck).then(
      () => undefined,
      (error: unknown) => {
        onError(error, hold);
        // Keep it alive: try again later rather than lose the hold.
        timers.arm({ ...hold, recheckAt: new Date(clock().getTime() + 60_000).toISOString() });
      },
    ),
  );
  const base: AppDeps = {
    appId: options.appId,
    store,
    policies,
    comments: new ChecklistComments(store, options.appId),
    // By repository id: a renamed or transferred repository keeps its ticks, and a state
    // signed for another repository never counts. Without the id nothing is signed or trusted.
    checklistKey: (repo: RepoRef, number: number) =>
      repo.id === undefined ? "" : scopedKey(secret, checklistScope(repo.id, number)),
    records: new ReleaseRecords(store, options.appId),
    releaseListeners: [desk.releaseListener],
    desk,
    releaseKey: (repo: RepoRef, tag: string) =>
      scopedKey(secret, `release:${repo.owner}/${repo.repo}`.toLowerCase() + `:${tag}`),
    now: clock,
    facts: new FactCache(store, clock),
    queue: new KeyedQueue(timing.delay, timing.concurrency),
    timing,
    // A pull request's check changed: the holds of commits it brought may now pass.
    checkListeners: [(change) => recheckHoldsOf(deps, change)],
    metrics: options.metrics ?? NO_DECISION_METRICS,
    changeRecords: createChangeRecordReader(options.changeSystems ?? {}, {
      now: () => clock().getTime(),
      client: changeSystems,
      // Kept no longer than the time between looks: each periodic look asks afresh.
      cacheMs: Math.min(DEFAULT_CACHE_MS, recheckIntervalMs),
    }),
    changeNotes,
    pullWatch,
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
  const deps: Deps = {
    ...base,
    holds,
    timers,
    triggers: new DecisionTriggers(store, clock),
    recheckIntervalMs,
    listeners: [
      desk.listener,
      notifications.listener,
      changeNoteListener(changeNotes),
      ...(options.deploymentListeners ?? []),
    ],
    retryBaseMs: options.reEvaluation?.baseMs ?? DEFAULT_RETRY_BASE_MS,
    // The gate of the release whose tagged commit is deployed (pipeline/release.ts).
    releaseGate: (octokit, policy, files, request) =>
      releaseGateFor(base, octokit, policy, files, request),
  };
  const start = (): void => {
    if (options.sweepIntervalMs !== undefined) {
      const intervalMs = options.sweepIntervalMs;
      new HoldSweep({ store, holds, scheduler, now: clock, recheck, intervalMs, onError }).start();
      notifications.start(intervalMs);
      // What waits without a webhook, or a previous process left for later: pull requests
      // waiting on a change record, work notes to retry, desk edits deferred.
      repeatEvery(scheduler, clock, intervalMs, async () => {
        for (const [what, part] of [
          [
            "looks at pull requests waiting on a change record",
            () => lookAtWatched(deps, pullWatch, auth, app.log),
          ],
          ["work notes' retries", () => changeNotes.retryDue()],
          ["deferred desk edits", () => desk.editDue(app.log)],
        ] as const) {
          try {
            await part();
          } catch (error) {
            app.log.warn({ err: error }, `${what} could not be made; trying again next interval`);
          }
        }
      });
    }
    // Holds outlive the process: pick them up once the app is running.
    scheduler.at(clock(), async () => {
      const count = await timers.recover(holds, clock());
      if (count > 0) app.log.info({ holds: count }, "recovered held deployments");
    });
  };
  return { deps, start };
}

/**
 * Evaluates each watched pull request that is due, through its installation, as an event
 * would: from the kept snapshot, reading again what may have changed (a change record's
 * answer is kept no longer than the interval between looks). The evaluation watches it again if
 * it still waits, and lets it go once it does not (or is closed).
 */
async function lookAtWatched(
  deps: Deps,
  watch: PullWatch,
  auth: (installationId: number) => Promise<Octokit>,
  log: AppHandle["log"],
): Promise<void> {
  for (const { repo, number, installationId } of await watch.claimDue(deps.now())) {
    try {
      const octokit = await auth(installationId);
      const trigger = { octokit, log, repo, installationId };
      await evaluate(deps, trigger, number, keptOrFetched(deps, octokit, repo, number));
    } catch (error) {
      // Still watched (claimDue moved it an interval on): the next look tries again.
      log.warn(
        { err: error, repo, pr: number },
        "could not look at a pull request waiting on a change record",
      );
    }
  }
}

async function recheckHoldsOf(deps: Deps, change: CheckChange): Promise<void> {
  await deps.triggers.note(pullScope(change.repo, change.number));
  for (const hold of await deps.holds.forPull(change.repo, change.number)) {
    await decideDeployment(deps, change, hold.request);
  }
}

/**
 * The key checklist ticks and release records are signed with, derived from the webhook
 * secret, which every replica already shares and production requires
 * (src/start-checks.ts): ticks survive restarts and scaling. The server does not start
 * with credentials but without one; an app embedded without one (tests) signs ticks with a key
 * that lives as long as the process: they reset on restart rather than become forgeable.
 * Never random in production, where a reset would silently drop every recorded tick.
 */
function signingSecret(secret: string): string {
  if (!secret && process.env.NODE_ENV === "production")
    throw new Error(
      "WEBHOOK_SECRET is required with NODE_ENV=production: it signs checklist ticks",
    );
  return secret || randomBytes(32).toString("hex");
}
