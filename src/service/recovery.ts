// Recovery of failed webhook deliveries, as the service runs it: passes on a timer with the
// app's JWT, against the store the app keeps its state in. Tests build the same from parts.
import type { Probot } from "probot";
import type { Logger } from "pino";
import { githubDeliveries } from "../deliveries/github.js";
import { recoverDeliveries, type RedeliveryMetrics } from "../deliveries/recovery.js";
import { scheduleRecovery, type Recovery } from "../deliveries/schedule.js";
import { timerScheduler, type Scheduler } from "../holds/scheduler.js";
import type { Clock, Store } from "../store/store.js";

export interface RecoveryOptions {
  app: Probot;
  store: Store;
  log: Logger;
  metrics: RedeliveryMetrics;
  intervalMs: number;
  /** Runs each pass: the service counts it as work in flight, so shutdown waits for it. */
  track: (work: () => Promise<void>) => Promise<void>;
  clock?: Clock;
  scheduler?: Scheduler;
}

export function startRecovery(options: RecoveryOptions): Recovery {
  const clock = options.clock ?? (() => new Date());
  const log = options.log.child({ name: "redelivery" });
  log.info({ intervalMs: options.intervalMs }, "failed webhook deliveries are redelivered");
  return scheduleRecovery(
    (stopping) =>
      options.track(async () => {
        await recoverDeliveries({
          api: async () => githubDeliveries(await options.app.auth()),
          store: options.store,
          clock,
          log,
          metrics: options.metrics,
          stopping,
        });
      }),
    {
      intervalMs: options.intervalMs,
      scheduler: options.scheduler ?? timerScheduler(clock),
      clock,
    },
  );
}
