/** Resolves after `ms`: timers in production, a hand-driven clock in tests. */
export type Delay = (ms: number) => Promise<void>;

/**
 * A run may wait at most this many settle periods for its key's events to stop arriving: a
 * pull request that never goes quiet is still evaluated.
 */
export const MAX_SETTLE_ROUNDS = 20;

export interface RunOptions {
  /**
   * Wait until no further request for the key arrived for this long before running, so a
   * burst of events becomes one run. 0 (the default) starts at once.
   */
  settleMs?: number;
  /**
   * Count this run against the queue's limit of limited runs at once. A run that waits for
   * a free place keeps taking in requests for its key. Runs that others' work awaits (a
   * deployment re-check a pull request's evaluation triggers) must not be limited, or they
   * could wait for the very runs that wait for them.
   */
  limited?: boolean;
}

type Work = () => Promise<void>;

/** Requests waiting for their run: only the latest work runs, every requester learns the outcome. */
interface Batch {
  work: Work;
  done: Deferred;
  settleMs: number;
  limited: boolean;
  /** Requests joined so far: settling waits until a period passes without a new one. */
  requests: number;
}

interface Slot {
  next?: Batch;
  /** Resolves once the key has no work waiting or in flight. */
  ended: Deferred;
}

/**
 * Runs work one at a time per key (a pull request), and coalesces: requests that arrive
 * before a run starts (while it settles, or while the previous run is in flight) collapse
 * into one run of the latest work, which sees the latest state. Two runs for one key never
 * overlap, so they never race to create the same check run or comment.
 */
export class KeyedQueue {
  readonly #slots = new Map<string, Slot>();
  #idle: (() => void)[] = [];
  #limitedRunning = 0;
  readonly #waitingForPlace: (() => void)[] = [];

  /** `maxLimited`: how many limited runs (RunOptions.limited) may be in flight at once. */
  constructor(
    private readonly delay: Delay = sleep,
    private readonly maxLimited = Number.POSITIVE_INFINITY,
  ) {}

  run(key: string, work: Work, options: RunOptions = {}): Promise<void> {
    const settleMs = options.settleMs ?? 0;
    const limited = options.limited ?? false;
    const slot = this.#slots.get(key);
    if (slot) {
      slot.next ??= { work, done: deferred(), settleMs, limited, requests: 0 };
      slot.next.work = work; // the latest request's work is what the run does
      slot.next.requests += 1;
      slot.next.settleMs = Math.max(slot.next.settleMs, settleMs);
      slot.next.limited &&= limited;
      return slot.next.done.promise;
    }
    const batch: Batch = { work, done: deferred(), settleMs, limited, requests: 1 };
    const fresh: Slot = { next: batch, ended: deferred() };
    this.#slots.set(key, fresh);
    void this.#drive(key, fresh);
    return batch.done.promise;
  }

  /** Keys with work waiting or in flight: used by graceful shutdown and tests. */
  get size(): number {
    return this.#slots.size;
  }

  /** Resolves once no key has work waiting or in flight (graceful shutdown, tests). */
  idle(): Promise<void> {
    if (this.#slots.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Resolves once no key that `match` accepts has work waiting or in flight, including work
   * queued for such keys meanwhile. For a caller outside the queue that must see what runs in
   * flight leave behind (a sign-off that arrived while its deployment's first decision ran).
   * Never call it from work of a matching key: it would wait for itself.
   */
  async quiet(match: (key: string) => boolean): Promise<void> {
    for (;;) {
      const busy = [...this.#slots].filter(([key]) => match(key)).map(([, slot]) => slot.ended);
      if (busy.length === 0) return;
      await Promise.all(busy.map((ended) => ended.promise));
    }
  }

  // Without settling, the first run starts synchronously, inside run(), as callers expect.
  async #drive(key: string, slot: Slot): Promise<void> {
    for (let batch = slot.next; batch; batch = slot.next) {
      if (batch.settleMs > 0) await this.#settle(batch);
      const limited = batch.limited;
      // Without waiting when a place is free: an unsettled run still starts inside run().
      if (limited && !this.#tryTakePlace()) await this.#takePlace();
      slot.next = undefined; // later requests form the next batch
      try {
        await batch.work();
        batch.done.resolve();
      } catch (error) {
        batch.done.reject(error);
      } finally {
        if (limited) this.#freePlace();
      }
    }
    this.#slots.delete(key);
    slot.ended.resolve();
    if (this.#slots.size === 0) {
      const waiting = this.#idle;
      this.#idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  #tryTakePlace(): boolean {
    if (this.#limitedRunning >= this.maxLimited) return false;
    this.#limitedRunning += 1;
    return true;
  }

  async #takePlace(): Promise<void> {
    do await new Promise<void>((resolve) => this.#waitingForPlace.push(resolve));
    while (!this.#tryTakePlace());
  }

  #freePlace(): void {
    this.#limitedRunning -= 1;
    this.#waitingForPlace.shift()?.();
  }

  async #settle(batch: Batch): Promise<void> {
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
      const seen = batch.requests;
      await this.delay(batch.settleMs);
      if (batch.requests === seen) return;
    }
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
