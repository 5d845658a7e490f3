// A hand-driven Delay (src/pipeline/keyed-queue.ts): nothing waits on the wall clock; a test
// says when each pending wait is over.
import type { Delay } from "../../src/pipeline/keyed-queue.js";

export interface ManualDelay {
  delay: Delay;
  /** The waits asked for and not yet over, by their length in ms. */
  readonly pending: number[];
  /** Ends every pending wait. */
  elapse(): void;
}

export function manualDelay(): ManualDelay {
  const waiting: { ms: number; resolve: () => void }[] = [];
  return {
    delay: (ms) => new Promise<void>((resolve) => waiting.push({ ms, resolve })),
    get pending() {
      return waiting.map((wait) => wait.ms);
    },
    elapse() {
      for (const wait of waiting.splice(0)) wait.resolve();
    },
  };
}

/** Lets other tasks (I/O callbacks, nock's replies) run: not a wait on time. */
export function yieldToOthers(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Ends pending waits until `done` settles: each settle period ends once nothing else is
 * left to run, so everything due within it has arrived.
 */
export async function elapseUntil<T>(timers: ManualDelay, done: Promise<T>): Promise<T> {
  let finished = false;
  const result = done.finally(() => {
    finished = true;
  });
  while (!finished) {
    await yieldToOthers();
    timers.elapse();
  }
  return result;
}
