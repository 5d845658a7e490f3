import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { storeFromEnv, type StoreEnv } from "../../src/store-from-env.js";
import { RedisStore } from "../../src/store/redis.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { startRedis, type TestRedis } from "../support/redis-server.js";

const silent = { info: () => undefined, error: () => undefined };

let server: TestRedis;
const opened: RedisStore[] = [];
const files: SqliteStore[] = [];
/** The working directory the process would have: DATA_DIR is relative to it. */
const cwd = mkdtempSync(join(tmpdir(), "release-policy-env-"));

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  for (const store of files) store.close();
  rmSync(cwd, { recursive: true, force: true });
  await Promise.all(opened.map((store) => store.close()));
  await server?.stop();
});

function fileOptions(env: StoreEnv, log: Parameters<typeof storeFromEnv>[1] = silent) {
  const options = storeFromEnv(env, log, cwd);
  if (options.store instanceof SqliteStore) files.push(options.store);
  return options;
}

function redisOptions(env: Record<string, string>) {
  const options = storeFromEnv({ REDIS_URL: server.url, ...env }, silent);
  if (options.store instanceof RedisStore) opened.push(options.store);
  return options;
}

describe("storeFromEnv", () => {
  test.each([{}, { REDIS_URL: "" }, { REDIS_URL: "  " }])(
    "without REDIS_URL (%j): a file under ./data, created, swept every 30 s, and logged",
    async (env) => {
      const lines: unknown[][] = [];
      const options = fileOptions(env, {
        ...silent,
        info: (...args: unknown[]) => lines.push(args),
      });
      const path = join(cwd, "data", "release-policy.db");
      expect(options.store).toBeInstanceOf(SqliteStore);
      expect((options.store as SqliteStore).path).toBe(path);
      expect(existsSync(path)).toBe(true);
      expect(options.sweepIntervalMs).toBe(30_000);
      expect(lines).toEqual([
        [
          { path, sweepIntervalMs: 30_000 },
          `state is kept in ${path} (set REDIS_URL to share it between instances)`,
        ],
      ]);
      await options.store.set("k", "v", 60_000);
      expect(await options.store.get("k")).toBe("v");
    },
  );

  test("DATA_DIR, relative or absolute, is created with its parents", () => {
    const relative = fileOptions({ DATA_DIR: "state/nested" });
    expect((relative.store as SqliteStore).path).toBe(join(cwd, "state/nested/release-policy.db"));
    const absolute = join(cwd, "abs", "dir");
    const options = fileOptions({ DATA_DIR: absolute, HOLD_SWEEP_INTERVAL: "5s" });
    expect((options.store as SqliteStore).path).toBe(join(absolute, "release-policy.db"));
    expect(options.sweepIntervalMs).toBe(5_000);
  });

  test("a DATA_DIR that cannot be created stops start-up, naming it", () => {
    const file = join(cwd, "a-file");
    writeFileSync(file, "");
    expect(() => storeFromEnv({ DATA_DIR: join(file, "data") }, silent, cwd)).toThrow(
      new RegExp(
        `^DATA_DIR ${join(file, "data")} cannot be created \\(.+\\): create it writable by uid \\d+, or set DATA_DIR to a writable directory$`,
      ),
    );
  });

  test("a state file that is not a database stops start-up: no fallback to memory", () => {
    const dir = join(cwd, "corrupt");
    mkdirSync(dir);
    writeFileSync(join(dir, "release-policy.db"), "garbage ".repeat(200));
    expect(() => storeFromEnv({ DATA_DIR: dir }, silent, cwd)).toThrow(
      /^state file .*release-policy\.db is not a usable database \(file is not a database\)/,
    );
  });

  test("with REDIS_URL: Redis under the prefix given, swept every 30 s by default", async () => {
    const options = redisOptions({ REDIS_KEY_PREFIX: `${server.prefix}env:` });
    expect(options.store).toBeInstanceOf(RedisStore);
    expect(options.sweepIntervalMs).toBe(30_000);
    await options.store.set("k", "v", 60_000);
    const store = options.store as RedisStore;
    expect(await store.redis.get(`${server.prefix}env:k`)).toBe("v");
  });

  test.each([
    ["1s", 1_000],
    ["90s", 90_000],
    ["2m", 120_000],
  ])("HOLD_SWEEP_INTERVAL=%s sweeps every %d ms", (text, ms) => {
    const options = redisOptions({ REDIS_KEY_PREFIX: server.prefix, HOLD_SWEEP_INTERVAL: text });
    expect(options.sweepIntervalMs).toBe(ms);
  });

  test.each([
    ["30", /HOLD_SWEEP_INTERVAL: "30" is not a duration/],
    ["500ms", /HOLD_SWEEP_INTERVAL: "500ms" is shorter than 1s/],
  ])("HOLD_SWEEP_INTERVAL=%s stops start-up, with Redis or without", (text, message) => {
    expect(() =>
      storeFromEnv({ REDIS_URL: server.url, HOLD_SWEEP_INTERVAL: text }, silent),
    ).toThrow(message);
    const dir = join(cwd, "never-created");
    expect(() => storeFromEnv({ DATA_DIR: dir, HOLD_SWEEP_INTERVAL: text }, silent, cwd)).toThrow(
      message,
    );
    expect(existsSync(dir)).toBe(false);
  });
});
