// The app's own settings, checked as the server reads them: the GitHub App's credentials and
// webhook secret (src/start-checks.ts) and the store (src/store-from-env.ts).
import { StartCheckFailed, checkPrivateKey, checkSecret, hasCredentials } from "../start-checks.js";
import { storeFromEnv } from "../store-from-env.js";
import { RedisStore } from "../store/redis.js";
import type { Store } from "../store/store.js";

type Env = Record<string, string | undefined>;

/** One check's verdict: what was checked, and what holds or what to set or fix. */
export interface DoctorLine {
  status: "ok" | "FAIL" | "skip";
  check: string;
  text: string;
}

export function githubCredentials(env: Env, cwd: string): DoctorLine {
  const check = "github app";
  if (!Number(env.APP_ID)) {
    return fail(check, "APP_ID is not set: set it to the GitHub App's ID (its settings, About)");
  }
  try {
    checkPrivateKey(env, cwd);
    if (!hasCredentials(env, cwd)) {
      return fail(
        check,
        "no private key: set PRIVATE_KEY_PATH to the .pem file GitHub generated for the app, or PRIVATE_KEY to its contents",
      );
    }
  } catch (error) {
    if (error instanceof StartCheckFailed) return fail(check, error.message);
    throw error;
  }
  return { status: "ok", check, text: "APP_ID is set and the private key is a readable PEM key" };
}

export function webhookSecret(env: Env): DoctorLine {
  const check = "webhook secret";
  try {
    checkSecret(env);
  } catch (error) {
    if (error instanceof StartCheckFailed) return fail(check, error.message);
    throw error;
  }
  return { status: "ok", check, text: "WEBHOOK_SECRET is set (not Probot's public default)" };
}

const quiet = { info: () => undefined, error: () => undefined };

/** The store the server would open: Redis answers PING, or the SQLite file opens. */
export async function storeCheck(env: Env, cwd: string): Promise<DoctorLine> {
  const check = "store";
  let store: Store;
  try {
    store = storeFromEnv(env, quiet, cwd).store;
  } catch (error) {
    return fail(check, message(error));
  }
  if (!(store instanceof RedisStore)) {
    await store.close?.();
    return { status: "ok", check, text: "the state file in DATA_DIR opens" };
  }
  try {
    await store.redis.ping();
    return { status: "ok", check, text: "Redis at REDIS_URL answers PING" };
  } catch (error) {
    return fail(
      check,
      `Redis at REDIS_URL does not answer PING (${message(error)}): check REDIS_URL, or unset it to keep state in DATA_DIR`,
    );
  } finally {
    store.redis.disconnect();
  }
}

export function fail(check: string, text: string): DoctorLine {
  return { status: "FAIL", check, text };
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
