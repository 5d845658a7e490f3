import type { Clock, Store } from "./store.js";

/**
 * A single-process store. Entries expire lazily on read and are swept when the map grows
 * past maxEntries, so a long-running process does not grow without bound.
 */
export class MemoryStore implements Store {
  readonly #entries = new Map<string, { value: string; expires: number }>();

  constructor(
    private readonly clock: Clock = () => new Date(),
    private readonly maxEntries = 50_000,
  ) {}

  async get(key: string): Promise<string | null> {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(key);
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#entries.delete(key); // re-insert so Map order stays oldest-first
    this.#entries.set(key, { value, expires: this.#now() + ttlMs });
    if (this.#entries.size > this.maxEntries) this.#sweep();
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    if ((await this.get(key)) !== null) return false;
    await this.set(key, "1", ttlMs);
    return true;
  }

  #now(): number {
    return this.clock().getTime();
  }

  #sweep(): void {
    const now = this.#now();
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
