/**
 * Runs work one at a time per key (a pull request), and coalesces: while one run for a key
 * is in flight, further requests collapse into a single follow-up run that sees the latest
 * state. A burst of webhooks for one pull request therefore causes at most two evaluations,
 * and two evaluations of one pull request never race to create the same check run or
 * comment.
 */
export class KeyedQueue {
  readonly #running = new Map<string, { follow?: Deferred; work: () => Promise<void> }>();

  run(key: string, work: () => Promise<void>): Promise<void> {
    const current = this.#running.get(key);
    if (!current) return this.#start(key, work);
    current.work = work; // the latest request's work is what the follow-up runs
    current.follow ??= deferred();
    return current.follow.promise;
  }

  /** Keys with work in flight: used by graceful shutdown and tests. */
  get size(): number {
    return this.#running.size;
  }

  async #start(key: string, work: () => Promise<void>): Promise<void> {
    const slot: { follow?: Deferred; work: () => Promise<void> } = { work };
    this.#running.set(key, slot);
    try {
      await work();
    } finally {
      const follow = slot.follow;
      this.#running.delete(key);
      if (follow) this.#start(key, slot.work).then(follow.resolve, follow.reject);
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
