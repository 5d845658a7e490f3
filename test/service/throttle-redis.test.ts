// The write throttle's Redis connection (Probot's clustered Bottleneck), against a real
// Redis: after Redis lost its state (an empty restart, a flush), a limiter sets itself up
// again instead of failing the write it throttles; its errors are reported once per outage,
// with the store's.
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import { pino } from "pino";
import { redisOutage, REDIS_BACK, REDIS_UNREACHABLE } from "../../src/redis-outage.js";
import { adopt, bareScriptError } from "../../src/service/throttle-redis.js";
import { startRedis, type TestRedis } from "../support/redis-server.js";

let server: TestRedis;
const connections: Bottleneck.IORedisConnection[] = [];
const limiters: Bottleneck[] = [];

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  for (const limiter of limiters) await limiter.disconnect(false);
  for (const connection of connections) await connection.disconnect(false);
  await server?.stop();
});

/** A clustered limiter over its own connection, as Probot's throttle makes them. */
async function limiterOver(adopted: boolean): Promise<{ limiter: Bottleneck; id: string }> {
  const connection = new Bottleneck.IORedisConnection({ client: new Redis(server.url) });
  connections.push(connection);
  const outage = { failed: jest.fn(), ready: jest.fn() };
  if (adopted) adopt(connection as unknown as Parameters<typeof adopt>[0], outage);
  const id = `${server.prefix}throttle-${randomUUID().slice(0, 8)}`;
  const limiter = new Bottleneck({ id, datastore: "ioredis", connection, maxConcurrent: 1 });
  limiters.push(limiter);
  await limiter.ready();
  return { limiter, id };
}

/** Deletes the limiter's keys, as an empty restart of Redis does (without touching others'). */
async function forget(id: string): Promise<void> {
  const redis = new Redis(server.url);
  try {
    const keys = await redis.keys(`b_${id}_*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

describe("a limiter whose settings Redis lost", () => {
  test("Bottleneck alone fails the write: Redis 7 answers ERR SETTINGS_KEY_NOT_FOUND", async () => {
    const { limiter, id } = await limiterOver(false);
    await expect(limiter.schedule(async () => "written")).resolves.toBe("written");
    await forget(id);
    await expect(limiter.schedule(async () => "written")).rejects.toThrow("SETTINGS_KEY_NOT_FOUND");
  });

  test("over the app's connection, it is set up again and the write goes through", async () => {
    const { limiter, id } = await limiterOver(true);
    await expect(limiter.schedule(async () => "written")).resolves.toBe("written");
    await forget(id);
    await expect(limiter.schedule(async () => "written")).resolves.toBe("written");
  });

  test("only Bottleneck's own two errors are renamed; others pass as they are", () => {
    const lost = new Error("ERR SETTINGS_KEY_NOT_FOUND");
    expect(bareScriptError(lost)).toEqual(new Error("SETTINGS_KEY_NOT_FOUND"));
    expect(bareScriptError(new Error("ERR UNKNOWN_CLIENT"))).toEqual(new Error("UNKNOWN_CLIENT"));
    const other = new Error("ERR wrong number of arguments");
    expect(bareScriptError(other)).toBe(other);
    expect(bareScriptError(null)).toBeNull();
  });
});

describe("an outage seen by every connection", () => {
  function captured() {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
          lines.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    });
    return { log: pino(sink), lines };
  }

  test("is one error line when it starts and one line when every connection is back", async () => {
    const { log, lines } = captured();
    const outage = redisOutage(log);
    const refused = new Error("connect ECONNREFUSED 127.0.0.1:6379");
    // As in 5 s of outage: the store's client and the throttle's two each retry, and fail.
    for (let attempt = 0; attempt < 13; attempt++) {
      outage.failed("store", refused);
      outage.failed("throttle", refused);
      outage.failed("throttle", refused);
    }
    outage.ready("store");
    outage.failed("throttle", refused); // an attempt that was under way as Redis came back
    outage.ready("throttle");
    outage.ready("store"); // a reconnect after the outage: nothing to report
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [50, REDIS_UNREACHABLE],
      [30, REDIS_BACK],
    ]);
  });
});
