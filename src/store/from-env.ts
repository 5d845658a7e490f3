// Where the app keeps its state, from the environment: Redis when REDIS_URL is set (several
// instances share it, and each sweeps it for held deployments that are due), otherwise
// memory in this one process.
import type { Logger } from "pino";
import type { AppOptions } from "../app-deps.js";
import { parseDuration } from "../evaluate/time/duration.js";
import { DEFAULT_SWEEP_INTERVAL_MS } from "../holds/sweep.js";
import { MemoryStore } from "./memory.js";
import { DEFAULT_KEY_PREFIX, RedisStore } from "./redis.js";

export interface StoreEnv {
  REDIS_URL?: string;
  /** Put before every key (default `release-policy:`). */
  REDIS_KEY_PREFIX?: string;
  /** How often each instance sweeps the shared store for due holds (default `30s`). */
  HOLD_SWEEP_INTERVAL?: string;
}

export type StoreOptions = Required<Pick<AppOptions, "store">> &
  Pick<AppOptions, "sweepIntervalMs">;

/** Throws on a setting that cannot be used, so a typo stops start-up instead of a sweep. */
export function storeFromEnv(env: StoreEnv, log: Pick<Logger, "info" | "error">): StoreOptions {
  const url = env.REDIS_URL?.trim();
  if (!url) {
    log.info("state is kept in memory (set REDIS_URL to share it between instances)");
    return { store: new MemoryStore() };
  }
  const prefix = env.REDIS_KEY_PREFIX ?? DEFAULT_KEY_PREFIX;
  const sweepIntervalMs = env.HOLD_SWEEP_INTERVAL
    ? sweepInterval(env.HOLD_SWEEP_INTERVAL)
    : DEFAULT_SWEEP_INTERVAL_MS;
  const store = RedisStore.connect(url, { prefix });
  reportConnection(store, log);
  log.info({ prefix, sweepIntervalMs }, "state is shared in Redis");
  return { store, sweepIntervalMs };
}

function sweepInterval(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new Error(`HOLD_SWEEP_INTERVAL: ${(error as Error).message}`, { cause: error });
  }
  if (ms < 1000) throw new Error(`HOLD_SWEEP_INTERVAL: "${text}" is shorter than 1s`);
  return ms;
}

/**
 * One error line per outage and one when Redis is back, rather than one per reconnect
 * attempt. (Without a listener ioredis would print every error to the console.)
 */
function reportConnection(store: RedisStore, log: Pick<Logger, "info" | "error">): void {
  let down = false;
  store.redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    log.error(
      { err: error },
      "Redis is unreachable: webhooks fail and no deployment is approved until it is back",
    );
  });
  store.redis.on("ready", () => {
    if (!down) return;
    down = false;
    log.info("Redis is reachable again");
  });
}
