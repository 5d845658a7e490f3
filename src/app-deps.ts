import { randomBytes } from "node:crypto";
import { ChecklistComments } from "./effects/checklist-comment.js";
import type { RepoRef } from "./facts/types.js";
import { scopedKey } from "./checklist/state.js";
import { PolicyCache } from "./policy/cache.js";
import { KeyedQueue } from "./pipeline/keyed-queue.js";
import type { PipelineDeps } from "./pipeline/pull-request.js";
import { MemoryStore } from "./store/memory.js";
import type { Clock, Store } from "./store/store.js";
import type { Scheduler } from "./holds/scheduler.js";

/** What the app is built from; tests pass their own clock, store and ids. */
export interface AppOptions {
  appId: number;
  /** Signs the checklist state; the webhook secret in production. */
  secret: string;
  store?: Store;
  clock?: Clock;
  /** When held deployments are re-checked; timers by default. */
  scheduler?: Scheduler;
}

export interface AppDeps extends PipelineDeps {
  queue: KeyedQueue;
}

export function buildDeps(options: AppOptions): AppDeps {
  const clock = options.clock ?? (() => new Date());
  const store = options.store ?? new MemoryStore(clock);
  // Without a secret (first run, before registration) ticks are signed with a key that
  // lives as long as the process: they reset on restart rather than become forgeable.
  const secret = options.secret || randomBytes(32).toString("hex");
  return {
    appId: options.appId,
    store,
    policies: new PolicyCache(store),
    comments: new ChecklistComments(store, options.appId),
    checklistKey: (repo: RepoRef, number: number) =>
      scopedKey(secret, `${repo.owner}/${repo.repo}#${number}`.toLowerCase()),
    now: clock,
    queue: new KeyedQueue(),
  };
}
