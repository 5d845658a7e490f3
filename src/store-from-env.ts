// Where the app keeps its state, from the environment: Redis when REDIS_URL is set (several
// instances share it), otherwise a SQLite file under DATA_DIR, so one instance loses nothing
// on a restart or a crash. Either way the process sweeps the store for held deployments that
// are due. (The in-memory store is for unit tests: nothing here chooses it.)
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { AppOptions } from "./handlers/deps.js";
import { parseDuration } from "./model/time/duration.js";
import { DEFAULT_SWEEP_INTERVAL_MS } from "./holds/sweep.js";
import { DEFAULT_KEY_PREFIX, RedisStore } from "./store/redis.js";
import { SqliteStore, StateFileError } from "./store/sqlite.js";
import { redisOutage, type RedisOutage } from "./redis-outage.js";

/** The state file's name inside DATA_DIR. */
export const STATE_FILE = "release-policy.db";
/** DATA_DIR when unset, relative to the working directory (the image sets `/data`). */
export const DEFAULT_DATA_DIR = "data";

export interface StoreEnv {
  REDIS_URL?: string;
  /** Put before every key (default `release-policy:`). */
  REDIS_KEY_PREFIX?: string;
  /** How often the store is swept for due holds (default `30s`), whichever store it is. */
  HOLD_SWEEP_INTERVAL?: string;
  /** Where the state file lives without Redis (default `./data`); created if missing. */
  DATA_DIR?: string;
}

export type StoreOptions = Required<Pick<AppOptions, "store" | "sweepIntervalMs">>;

/**
 * Throws on a setting that cannot be used, or a state file that cannot be opened, so the
 * process stops at start-up with the reason instead of running without its state.
 */
export function storeFromEnv(
  env: StoreEnv,
  log: Pick<Logger, "info" | "error">,
  cwd: string = process.cwd(),
  outage: RedisOutage = redisOutage(log),
): StoreOptions {
  const sweepIntervalMs = env.HOLD_SWEEP_INTERVAL
    ? sweepInterval(env.HOLD_SWEEP_INTERVAL)
    : DEFAULT_SWEEP_INTERVAL_MS;
  const url = env.REDIS_URL?.trim();
  if (url) {
    const prefix = env.REDIS_KEY_PREFIX ?? DEFAULT_KEY_PREFIX;
    const store = RedisStore.connect(url, { prefix });
    reportConnection(store, outage);
    log.info({ prefix, sweepIntervalMs }, "state is shared in Redis");
    return { store, sweepIntervalMs };
  }
  const path = join(dataDir(env.DATA_DIR, cwd), STATE_FILE);
  const store = new SqliteStore(path);
  log.info(
    { path, sweepIntervalMs },
    `state is kept in ${path} (set REDIS_URL to share it between instances)`,
  );
  return { store, sweepIntervalMs };
}

/** DATA_DIR resolved against the working directory, created if it is missing. */
function dataDir(setting: string | undefined, cwd: string): string {
  const dir = resolve(cwd, setting?.trim() || DEFAULT_DATA_DIR);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const reason = (error as Error).message;
    throw new StateFileError(
      `DATA_DIR ${dir} cannot be created (${reason}): create it writable by uid ${process.getuid?.() ?? "?"}, or set DATA_DIR to a writable directory`,
      { cause: error },
    );
  }
  return dir;
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
function reportConnection(store: RedisStore, outage: RedisOutage): void {
  store.redis.on("error", (error: Error) => outage.failed("store", error));
  store.redis.on("ready", () => outage.ready("store"));
}
