// What the app must remember between webhooks (caches, delivery dedupe, held deployments)
// lives behind this interface: in a SQLite file by default (sqlite.ts), in Redis when
// several instances share the work (redis.ts), in memory for unit tests (memory.ts). Values
// are JSON strings so every backend behaves alike (test/store/contract.ts).

export interface Store {
  get(key: string): Promise<string | null>;
  /** Set with a time to live in milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Claim a key for ttlMs: true for exactly one caller until it expires. Used to process a
   * redelivered webhook once.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Set operations, atomic in every backend (Redis: SADD, SREM, SMEMBERS): concurrent
   * writers each add their member and none is lost, as a read-modify-write of a JSON list
   * would lose one. Adding refreshes the set's time to live.
   */
  addToSet(key: string, member: string, ttlMs: number): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  /** Members in the order they were first added. */
  members(key: string): Promise<string[]>;
  /** Lets go of the file or connection, once nothing writes any more (shutdown). */
  close?(): void | Promise<void>;
}

/** Milliseconds since the epoch: injected so expiry is testable without waiting. */
export type Clock = () => Date;
