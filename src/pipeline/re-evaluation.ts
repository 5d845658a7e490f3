// Pull requests whose evaluation failed are evaluated again after a growing wait, so that
// their check turns right once GitHub recovers, without anyone pressing "Re-evaluate". The
// timers live in this process: a restart loses them, and the next event (or a person)
// judges the pull request again; meanwhile its check says why it failed.
import type { Logger } from "pino";
import { reEvaluationDelayMs } from "../github/back-off.js";
import { describeError, retryAfterMs } from "../github/errors.js";
import type { Delay } from "./keyed-queue.js";

export interface ReEvaluationTiming {
  /** The back-off's unit (RETRY_BASE_MS): waits are 10, 20, 40… units, at most 600. */
  baseMs: number;
  /** Re-evaluations after one failure streak, at most; 0 turns them off. */
  attempts: number;
  /** Timers; tests pass a hand-driven one. */
  delay?: Delay;
  /** Counts a re-evaluation as work in flight (graceful shutdown waits for it). */
  track?: (work: () => Promise<void>) => Promise<void>;
}

export class ReEvaluations {
  /** Failures in a row per pull request; a success starts the count over. */
  readonly #failures = new Map<string, number>();
  /** Pull requests with a re-evaluation waiting: one at a time each. */
  readonly #waiting = new Set<string>();

  constructor(
    private readonly timing: ReEvaluationTiming,
    private readonly now: () => Date,
  ) {}

  /** The evaluation of `key` succeeded. */
  succeeded(key: string): void {
    this.#failures.delete(key);
  }

  /**
   * The evaluation of `key` failed with `error`: `again` runs after the back-off (never
   * sooner than a rate limit's `retry-after`), unless one is already waiting or the streak
   * has used its attempts. Returns the wait, or null when nothing was scheduled.
   */
  failed(key: string, error: unknown, again: () => Promise<void>, log: Logger): number | null {
    if (this.timing.attempts <= 0) return null;
    if (this.#waiting.has(key)) return null;
    const attempt = (this.#failures.get(key) ?? 0) + 1;
    if (attempt > this.timing.attempts) {
      // Left to the next event or a person: the check already says why.
      this.#failures.delete(key);
      log.error(
        { pr: key, attempts: this.timing.attempts, reason: describeError(error) },
        "giving up re-evaluating after repeated failures",
      );
      return null;
    }
    this.#failures.set(key, attempt);
    const waitMs = reEvaluationDelayMs(
      this.timing.baseMs,
      attempt,
      retryAfterMs(error, this.now()) ?? 0,
    );
    this.#waiting.add(key);
    log.warn(
      { pr: key, attempt, of: this.timing.attempts, inMs: waitMs, reason: describeError(error) },
      "evaluation failed: re-evaluating after back-off",
    );
    const delay = this.timing.delay ?? unrefSleep;
    const track = this.timing.track ?? ((work: () => Promise<void>) => work());
    void delay(waitMs)
      .then(() => {
        this.#waiting.delete(key);
        return track(again);
      })
      .catch((failure: unknown) => {
        log.error({ err: failure, pr: key }, "re-evaluation failed");
      });
    return waitMs;
  }

  /** Pull requests with a re-evaluation waiting (tests, metrics). */
  get waiting(): number {
    return this.#waiting.size;
  }
}

/** A timer that does not keep the process alive on its own. */
function unrefSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
