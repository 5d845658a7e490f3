import type { Delay } from "../pipeline/keyed-queue.js";
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
 * Runs a pull-request handler's work: awaited, or, answering first, after the webhook is
 * answered. A failure after the answer is logged with the event's logger, whose lines carry
 * the delivery id; the work releases its delivery claim itself (oncePerDelivery), so a
 * manual redelivery can retry it.
 */
export async function handle(
  timing: EvaluationTiming,
  context: Pick<EventContext, "log">,
  work: () => Promise<void>,
): Promise<void> {
  if (!timing.answerFirst) return work();
  void timing.track(() =>
    work().catch((error: unknown) => {
      context.log.error({ err: error }, "handling the event failed after it was answered");
    }),
  );
}
