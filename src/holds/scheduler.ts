// When held deployments are re-checked. Injected: timers in production, a hand-driven clock in
// tests, so no test sleeps on the wall clock.

export interface Scheduler {
  /** Runs `task` at `when` (at once if that has passed); the returned function cancels it. */
  at(when: Date, task: () => Promise<void>): () => void;
}

/** setTimeout caps a delay at about 24.8 days; longer waits re-arm in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function timerScheduler(now: () => Date = () => new Date()): Scheduler {
  return {
    at(when, task) {
      let handle: NodeJS.Timeout | undefined;
      const arm = (): void => {
        const delay = Math.max(0, when.getTime() - now().getTime());
        handle = setTimeout(
          () => (delay > MAX_TIMEOUT_MS ? arm() : void task().catch(() => undefined)),
          Math.min(delay, MAX_TIMEOUT_MS),
        );
        // A waiting timer must not keep the process alive on shutdown: holds live in the store.
        handle.unref();
      };
      arm();
      return () => clearTimeout(handle);
    },
  };
}

/**
 * Runs `task` now and then every `intervalMs`, each run after the last has ended: a sweep of
 * what the store keeps for later (due messages, notes to retry). `task` handles its own
 * failures; one that escapes is dropped and the next interval still comes.
 */
export function repeatEvery(
  scheduler: Scheduler,
  now: () => Date,
  intervalMs: number,
  task: () => Promise<void>,
): void {
  const run = async (): Promise<void> => {
    try {
      await task();
    } finally {
      scheduler.at(new Date(now().getTime() + intervalMs), run);
    }
  };
  scheduler.at(now(), run);
}
