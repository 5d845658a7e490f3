import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { storeFromEnv } from "../../src/store/from-env.js";
import { MemoryStore } from "../../src/store/memory.js";
import { RedisStore } from "../../src/store/redis.js";
import { startRedis, type TestRedis } from "../support/redis-server.js";

const silent = { info: () => undefined, error: () => undefined };

let server: TestRedis;
const opened: RedisStore[] = [];

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await server?.stop();
});

function redisOptions(env: Record<string, string>) {
  const options = storeFromEnv({ REDIS_URL: server.url, ...env }, silent);
  if (options.store instanceof RedisStore) opened.push(options.store);
  return options;
}

describe("storeFromEnv", () => {
  test.each([{}, { REDIS_URL: "" }, { REDIS_URL: "  " }])(
    "without REDIS_URL (%j): memory, and no sweep",
    (env) => {
      const options = storeFromEnv(env, silent);
      expect(options.store).toBeInstanceOf(MemoryStore);
      expect(options.sweepIntervalMs).toBeUndefined();
    },
  );

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
  ])("HOLD_SWEEP_INTERVAL=%s stops start-up", (text, message) => {
    expect(() =>
      storeFromEnv({ REDIS_URL: server.url, HOLD_SWEEP_INTERVAL: text }, silent),
    ).toThrow(message);
  });
});
