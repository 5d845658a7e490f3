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

/**
 * The store could not do what it was asked (Redis unreachable or timing out, the state file
 * locked, read-only or full). Every backend throws this, with the driver's error as its
 * cause, so that callers can tell "the store is away, try again once it is back" from a
 * failure of the work itself.
 */
export class StoreUnavailable extends Error {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`the store could not ${operation}: ${reason}`, { cause });
    this.name = "StoreUnavailable";
  }
}

/** Whether `error`, or an error it was caused by, is the store being unavailable. */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && depth < 10; depth++) {
    if (e instanceof StoreUnavailable) return true;
    if (typeof e !== "object" || e === null || !("cause" in e)) return false;
    e = (e as { cause: unknown }).cause;
  }
  return false;
}

/** Runs one store operation, turning the driver's failure into StoreUnavailable. */
export async function storeOperation<T>(operation: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new StoreUnavailable(operation, error);
  }
}
