// Runs recovery passes: one as soon as the server is up (what failed while it was down is
// still in GitHub's list), then one every interval, until stopped on shutdown.
import type { Clock } from "../store/store.js";
import type { Scheduler } from "../holds/scheduler.js";
import { parseDuration } from "../model/time/duration.js";

export const DEFAULT_REDELIVERY_INTERVAL_MS = 5 * 60 * 1000;

export interface Recovery {
  /** Cancels the next pass; resolves once the pass in progress (if any) has ended. */
  stop(): Promise<void>;
}

export function scheduleRecovery(
  pass: (stopping: () => boolean) => Promise<unknown>,
  options: { intervalMs: number; scheduler: Scheduler; clock: Clock },
): Recovery {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let cancel = (): void => undefined;
  const next = (when: Date): void => {
    cancel = options.scheduler.at(when, async () => {
      if (stopped) return;
      running = pass(() => stopped).catch(() => undefined);
      await running;
      if (!stopped) next(new Date(options.clock().getTime() + options.intervalMs));
    });
  };
  next(options.clock());
  return {
    async stop() {
      stopped = true;
      cancel();
      await running;
    },
  };
}

/**
 * REDELIVERY_INTERVAL: a duration (`5m`, `30s`, at least 10s), or `off`; 5 minutes when
 * unset. Throws on anything else, so a typo stops start-up instead of recovery.
 */
export function redeliveryIntervalOf(env: Record<string, string | undefined>): number | "off" {
  const text = env["REDELIVERY_INTERVAL"]?.trim();
  if (!text) return DEFAULT_REDELIVERY_INTERVAL_MS;
  if (text.toLowerCase() === "off") return "off";
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new Error(
      `REDELIVERY_INTERVAL must be a duration such as "5m", or "off": ${(error as Error).message}`,
      { cause: error },
    );
  }
  // GitHub lists deliveries with the app's JWT: a pass every few seconds only burns requests.
  if (ms < 10_000) throw new Error(`REDELIVERY_INTERVAL: "${text}" is shorter than 10s`);
  return ms;
}
