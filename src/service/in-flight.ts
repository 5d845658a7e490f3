/**
 * The webhook handlers running now, so that shutdown can wait for them. A handler that
 * starts while shutdown waits is waited for too.
 */
export class InFlight {
  readonly #pending = new Set<Promise<void>>();

  /** Runs `work` and keeps it counted until it settles; resolves or rejects as it does. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const running = Promise.resolve().then(work);
    const forget = (): void => void this.#pending.delete(settled);
    const settled: Promise<void> = running.then(forget, forget);
    this.#pending.add(settled);
    return running;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Resolves once nothing is in flight. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
