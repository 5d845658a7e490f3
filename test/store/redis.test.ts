// RedisStore against a real Redis server: the shared contract, the times to live Redis will
// enforce, isolation by prefix, atomicity across connections (as across instances), and
// failing rather than waiting when Redis is away.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { Redis } from "ioredis";
import { FAIL_FAST, RedisStore } from "../../src/store/redis.js";
import { freePort } from "../support/free-port.js";
import { startRedis, type TestRedis } from "../support/redis-server.js";
import { storeContract } from "./contract.js";

const MINUTE = 60_000;

let server: TestRedis;
let client: Redis;
const opened: Redis[] = [];
let stores = 0;

beforeAll(async () => {
  server = await startRedis();
  client = connect();
});

afterAll(async () => {
  await Promise.all(opened.map((redis) => redis.quit()));
  await server?.stop();
});

function connect(): Redis {
  const redis = new Redis(server.url);
  opened.push(redis);
  return redis;
}

/** A store over its own key space; `redis` defaults to the shared connection. */
function fresh(redis = client, prefix = `${server.prefix}${++stores}:`): RedisStore {
  return new RedisStore(redis, { prefix });
}

storeContract("RedisStore", () => fresh());

describe("RedisStore on a real server", () => {
  test("keys live under the prefix, with the time to live given", async () => {
    const store = fresh(client, `${server.prefix}ttl:`);
    await store.set("value", "v", 10 * MINUTE);
    await store.claim("claim", 2 * MINUTE);
    await store.addToSet("set", "a", 5 * MINUTE);
    const pttl = (key: string) => client.pttl(`${server.prefix}ttl:${key}`);
    expect(await pttl("value")).toBeGreaterThan(10 * MINUTE - 5_000);
    expect(await pttl("value")).toBeLessThanOrEqual(10 * MINUTE);
    expect(await pttl("claim")).toBeGreaterThan(2 * MINUTE - 5_000);
    expect(await pttl("set")).toBeLessThanOrEqual(5 * MINUTE);
    expect(await client.exists("value", "claim", "set")).toBe(0);
  });

  test("adding to a set refreshes its time to live; removing keeps it", async () => {
    const store = fresh(client, `${server.prefix}refresh:`);
    const pttl = () => client.pttl(`${server.prefix}refresh:set`);
    await store.addToSet("set", "a", MINUTE);
    await store.addToSet("set", "a", 10 * MINUTE);
    expect(await pttl()).toBeGreaterThan(9 * MINUTE);
    await store.addToSet("set", "b", 10 * MINUTE);
    await store.removeFromSet("set", "b");
    expect(await pttl()).toBeGreaterThan(9 * MINUTE);
  });

  test("stores with different prefixes do not see each other", async () => {
    const one = fresh();
    const two = fresh();
    await one.set("k", "one", MINUTE);
    await one.addToSet("s", "a", MINUTE);
    expect(await two.get("k")).toBeNull();
    expect(await two.members("s")).toEqual([]);
    expect(await two.claim("k", MINUTE)).toBe(true);
  });

  test("instances on separate connections: one claim wins, every addition is kept once", async () => {
    const prefix = `${server.prefix}instances:`;
    const instances = [connect(), connect(), connect()].map((redis) => fresh(redis, prefix));
    const claims = await Promise.all(
      instances.flatMap((store) => [
        store.claim("decided", MINUTE),
        store.claim("decided", MINUTE),
      ]),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    await Promise.all(
      instances.flatMap((store, i) => [
        store.addToSet("index", `hold-${i}`, MINUTE),
        store.addToSet("index", "shared", MINUTE),
      ]),
    );
    const members = await instances[0]!.members("index");
    expect([...members].sort()).toEqual(["hold-0", "hold-1", "hold-2", "shared"]);
  });

  test("without a server, commands fail within seconds instead of waiting", async () => {
    const port = await freePort(); // nobody listens there
    // The app's options; a short disconnect timeout only so that the test ends promptly.
    const redis = new Redis(`redis://127.0.0.1:${port}`, { ...FAIL_FAST, disconnectTimeout: 10 });
    redis.on("error", () => undefined); // connection errors are expected here
    const store = new RedisStore(redis, { prefix: server.prefix });
    const started = Date.now();
    await expect(store.claim("k", MINUTE)).rejects.toThrow();
    await expect(store.get("k")).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    redis.disconnect();
  });
});
