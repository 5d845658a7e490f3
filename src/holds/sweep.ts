// Holds outlive the process that created them: a timer armed in one instance dies with it.
// So every instance sharing a store sweeps it periodically and re-checks the holds whose
// re-check time has passed. A lease per (hold, re-check time) in the store lets one instance
// do each re-check; the decision itself is claimed once per deployment besides, so even two
// re-checks that overlap answer GitHub once.
//
// Why not a job queue in Redis (BullMQ): it would need Redis in every set-up, while the app
// must also run alone without one, so timers would exist twice; the store already holds each
// hold with its re-check time, and re-checks are also triggered by webhooks, which a queue
// does not remove; and the volume (a few holds, a read of an index set every 30 s) asks for
// no broker. A sweep adds one small module to what exists.
import type { Store } from "../store/store.js";
import type { Hold, HoldRegistry } from "./registry.js";
import type { Scheduler } from "./scheduler.js";

/** The sweep runs this often: a hold is re-checked at most this long after it is due. */
export const DEFAULT_SWEEP_INTERVAL_MS = 30_000;
/**
 * How long an instance owns a re-check before another may take it over (if it stopped
 * doing it). Re-checks take seconds; one left unfinished is redone by the first sweep after
 * this, so a hold still goes out within lease + interval (50 s) of being due.
 */
export const RECHECK_LEASE_MS = 20_000;

/** Holds whose re-check time has come at `now`, earliest first. */
export function dueHolds(holds: readonly Hold[], now: Date): Hold[] {
  return holds
    .filter((hold) => hold.recheckAt !== undefined && Date.parse(hold.recheckAt) <= now.getTime())
    .sort((a, b) => Date.parse(a.recheckAt ?? "") - Date.parse(b.recheckAt ?? ""));
}

export type Recheck = (hold: Hold) => Promise<void>;

/**
 * Re-checks `hold` unless another instance already took this re-check (same hold, same
 * re-check time). A failed re-check gives the lease back, so the next sweep retries it.
 * Resolves true when this instance did the re-check.
 */
export async function recheckOnce(
  store: Store,
  hold: Hold,
  recheck: Recheck,
  leaseMs = RECHECK_LEASE_MS,
): Promise<boolean> {
  const lease = `hold-recheck:${hold.key}:${hold.recheckAt ?? "now"}`;
  if (!(await store.claim(lease, leaseMs))) return false;
  try {
    await recheck(hold);
  } catch (error) {
    await store.delete(lease);
    throw error;
  }
  return true;
}

export interface SweepDeps {
  store: Store;
  holds: HoldRegistry;
  scheduler: Scheduler;
  now: () => Date;
  recheck: Recheck;
  intervalMs?: number;
  leaseMs?: number;
  /** A hold's re-check or the sweep's read failed; the sweep goes on. */
  onError: (error: unknown, hold?: Hold) => void;
}

export class HoldSweep {
  #cancel: (() => void) | undefined;
  #stopped = true;

  constructor(private readonly deps: SweepDeps) {}

  /** Sweeps every interval from now on, until stopped. */
  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  /** Re-checks the due holds no other instance is re-checking; returns how many it did. */
  async sweep(): Promise<number> {
    const { store, holds, now, recheck, leaseMs, onError } = this.deps;
    let done = 0;
    for (const hold of dueHolds(await holds.all(), now())) {
      try {
        if (await recheckOnce(store, hold, recheck, leaseMs)) done += 1;
      } catch (error) {
        onError(error, hold);
      }
    }
    return done;
  }

  #schedule(): void {
    const { scheduler, now, intervalMs = DEFAULT_SWEEP_INTERVAL_MS } = this.deps;
    this.#cancel = scheduler.at(new Date(now().getTime() + intervalMs), async () => {
      try {
        await this.sweep();
      } catch (error) {
        this.deps.onError(error); // the store could not be read: try again next time
      }
      if (!this.#stopped) this.#schedule();
    });
  }
}
