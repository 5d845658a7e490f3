import type { Delay } from "../pipeline/keyed-queue.js";
import { isStoreUnavailable } from "../store/store.js";
import type { EventContext } from "./common.js";

/**
 * When a pull request is evaluated relative to its events. GitHub sends a burst of events
 * for one pull request (CI checks, a push, labels) within seconds; each would otherwise
 * cost an evaluation and possibly a throttled write.
 */
export interface EvaluationTiming {
  /**
   * Events for one pull request that arrive within this long of each other cause one
   * evaluation, which starts once they stop (0: at once).
   */
  settleMs: number;
  /**
   * Answer the webhook as soon as the event is recorded and evaluate after: writes are
   * throttled (a second apart per installation), and GitHub gives up on a webhook after
   * 10 s. Errors are then logged with the delivery id instead of failing the delivery.
   */
  answerFirst: boolean;
  /**
   * Pull requests evaluated at once, at most. Answering first removes the backpressure of
   * GitHub's concurrent deliveries: without a bound, a burst would start every pull
   * request's reads together (GitHub's secondary limit: 100 concurrent requests; one
   * evaluation makes up to 5 at once).
   */
  concurrency: number;
  /** Timers for settling; tests pass a hand-driven one. */
  delay?: Delay;
  /** Counts work done after the answer, so graceful shutdown waits for it. */
  track: (work: () => Promise<void>) => Promise<void>;
}

/**
 * The service's timing. 100 ms spans the gaps between one pull request's events in a burst
 * (docs/performance.md) and keeps a lone event's evaluation prompt.
 */
export const SERVICE_TIMING = { settleMs: 100, answerFirst: true, concurrency: 10 } as const;

/** Evaluate at once and answer after: tests, the CLI, and any caller that awaits the outcome. */
export const AWAITED_TIMING: EvaluationTiming = {
  settleMs: 0,
  answerFirst: false,
  concurrency: Number.POSITIVE_INFINITY,
  track: (work) => work(),
};

/**
 * After the answer, work that failed because the store was unavailable is tried again after
 * these waits (then every last one), for as long as STORE_RETRY_FOR_MS: the event was
 * accepted, and GitHub's record shows it delivered, so nothing else would bring it back.
 */
export const STORE_RETRY_WAITS_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000] as const;
export const STORE_RETRY_FOR_MS = 30 * 60 * 1000;

/**
 * Runs a handler's work: awaited, or, answering first, after the webhook is answered. A
 * failure after the answer is logged with the event's logger, whose lines carry the delivery
 * id; the work releases its delivery claim itself (oncePerDelivery), so a manual redelivery
 * can retry it. A failure of the store is not the work's: it is tried again once the store
 * is back (the store's own connection logs the outage, once).
 */
export async function handle(
  timing: EvaluationTiming,
  context: Pick<EventContext, "log">,
  work: () => Promise<void>,
): Promise<void> {
  if (!timing.answerFirst) return work();
  void timing.track(() =>
    untilStoreIsBack(timing, context, work).catch((error: unknown) => {
      context.log.error({ err: error }, "handling the event failed after it was answered");
    }),
  );
}

async function untilStoreIsBack(
  timing: Pick<EvaluationTiming, "delay">,
  context: Pick<EventContext, "log">,
  work: () => Promise<void>,
): Promise<void> {
  const delay = timing.delay ?? sleep;
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isStoreUnavailable(error) || waited >= STORE_RETRY_FOR_MS) throw error;
      const wait = STORE_RETRY_WAITS_MS[Math.min(attempt, STORE_RETRY_WAITS_MS.length - 1)] ?? 0;
      if (attempt === 0)
        context.log.warn("the store is unavailable: handling the event again once it is back");
      await delay(wait);
      waited += wait;
    }
  }
}

const sleep: Delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
