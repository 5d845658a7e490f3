import type { Clock, Store } from "./store.js";

/** Expired entries are swept on a write at most this often (a sweep visits every entry). */
export const SWEEP_INTERVAL_MS = 60 * 1000;

/**
 * A single-process store that forgets everything when the process ends: for unit tests
 * (storeFromEnv never picks it). Entries expire lazily on read; a write sweeps out every expired
 * entry once a minute, since most keys (delivery ids, kept facts of other commits) are
 * never read again; and past maxEntries the oldest go, so a long-running process does not
 * grow without bound.
 */
export class MemoryStore implements Store {
  readonly #entries = new Map<string, { value: string; expires: number }>();
  /** When expired entries were last swept; the first write starts the count. */
  #swept: number | undefined;

  constructor(
    private readonly clock: Clock = () => new Date(),
    private readonly maxEntries = 50_000,
  ) {}

  /** Entries held, expired or not: for tests and memory measurements. */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<string | null> {
    return this.#getNow(key);
  }

  // The *Now helpers never await: a claim or a set update that reads and writes through
  // them cannot interleave with another caller, which is what makes them atomic here.
  #getNow(key: string): string | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(key);
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#setNow(key, value, ttlMs);
  }

  #setNow(key: string, value: string, ttlMs: number): void {
    this.#entries.delete(key); // re-insert so Map order stays oldest-first
    this.#entries.set(key, { value, expires: this.#now() + ttlMs });
    this.#swept ??= this.#now();
    const sweepDue = this.#now() - this.#swept >= SWEEP_INTERVAL_MS;
    if (sweepDue || this.#entries.size > this.maxEntries) this.#sweep();
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    if (this.#getNow(key) !== null) return false;
    this.#setNow(key, "1", ttlMs);
    return true;
  }

  // Each set is one entry holding a JSON array.
  async addToSet(key: string, member: string, ttlMs: number): Promise<void> {
    const members = this.#membersNow(key);
    if (!members.includes(member)) members.push(member);
    this.#setNow(key, JSON.stringify(members), ttlMs);
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    const entry = this.#entries.get(key);
    const members = this.#membersNow(key);
    if (!entry || !members.includes(member)) return;
    entry.value = JSON.stringify(members.filter((m) => m !== member));
  }

  async members(key: string): Promise<string[]> {
    return this.#membersNow(key);
  }

  #membersNow(key: string): string[] {
    const value = this.#getNow(key);
    return value === null ? [] : (JSON.parse(value) as string[]);
  }

  #now(): number {
    return this.clock().getTime();
  }

  #sweep(): void {
    const now = this.#now();
    this.#swept = now;
    for (const [key, entry] of this.#entries) {
      if (entry.expires <= now) this.#entries.delete(key);
    }
    // Still too many: drop the oldest insertions.
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(key);
    }
  }
}
