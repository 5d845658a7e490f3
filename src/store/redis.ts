// The store shared by every instance of the app: one Redis, so a redelivered webhook, a held
// deployment and its approvals are seen by whichever instance GitHub or a timer reaches.
import { Redis, type RedisOptions } from "ioredis";
import { storeOperation, type Store } from "./store.js";

export const DEFAULT_KEY_PREFIX = "release-policy:";

export interface RedisStoreOptions {
  /** Put before every key, so several apps (or test runs) can share one Redis. */
  prefix?: string;
}

/**
 * Adds a member to a sorted set scored one past the highest score, unless it is there: the
 * set then lists members in the order they were first added, across every instance, because
 * the script runs atomically. Adding refreshes the set's time to live.
 */
const ADD_IN_ORDER = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local score = 1
if last[2] then score = tonumber(last[2]) + 1 end
redis.call('ZADD', KEYS[1], 'NX', score, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/**
 * Fail fast rather than queue: a webhook must be answered within 10 s, and an error (the
 * handler fails, nothing is approved) is better than a silent wait while Redis is away.
 */
export const FAIL_FAST: RedisOptions = {
  maxRetriesPerRequest: 1,
  commandTimeout: 5_000,
  connectTimeout: 5_000,
};

export class RedisStore implements Store {
  readonly #prefix: string;

  constructor(
    readonly redis: Redis,
    options: RedisStoreOptions = {},
  ) {
    this.#prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  }

  /** A store over a new connection to `url`, with the fail-fast options above. */
  static connect(url: string, options: RedisStoreOptions = {}): RedisStore {
    return new RedisStore(new Redis(url, FAIL_FAST), options);
  }

  async get(key: string): Promise<string | null> {
    return storeOperation("read", () => this.redis.get(this.#key(key)));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await storeOperation("write", () => this.redis.set(this.#key(key), value, "PX", ttlMs));
  }

  async delete(key: string): Promise<void> {
    await storeOperation("delete", () => this.redis.del(this.#key(key)));
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const set = await storeOperation("claim", () =>
      this.redis.set(this.#key(key), "1", "PX", ttlMs, "NX"),
    );
    return set === "OK";
  }

  async addToSet(key: string, member: string, ttlMs: number): Promise<void> {
    await storeOperation("write", () =>
      this.redis.eval(ADD_IN_ORDER, 1, this.#key(key), member, String(ttlMs)),
    );
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await storeOperation("delete", () => this.redis.zrem(this.#key(key), member));
  }

  async members(key: string): Promise<string[]> {
    return storeOperation("read", () => this.redis.zrange(this.#key(key), 0, -1));
  }

  /** Closes the connection once pending commands are answered. */
  async close(): Promise<void> {
    await this.redis.quit();
  }

  #key(key: string): string {
    return this.#prefix + key;
  }
}
