// What the app must remember between webhooks (caches, delivery dedupe, later held
// deployments) lives behind this interface: in memory for one process, in Redis when
// several instances share the work. Values are JSON strings so both backends behave alike.

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
}

/** Milliseconds since the epoch: injected so expiry is testable without waiting. */
export type Clock = () => Date;
