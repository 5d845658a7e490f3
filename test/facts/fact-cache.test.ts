import { FactCache, FACT_TTL_MS } from "../../src/facts/fact-cache.js";
import { MemoryStore } from "../../src/store/memory.js";

function setup() {
  const clock = { now: new Date("2026-11-26T10:00:00Z") };
  const store = new MemoryStore(() => clock.now);
  const cache = new FactCache(store, () => clock.now);
  let reads = 0;
  const read = (value: string) => () => {
    reads += 1;
    return Promise.resolve(value);
  };
  return { clock, store, cache, read, reads: () => reads };
}

describe("FactCache", () => {
  test("a read value is kept: the next evaluation reads nothing", async () => {
    const { cache, read, reads } = setup();
    expect(await cache.through("k", read("first"))).toBe("first");
    expect(await cache.through("k", read("second"))).toBe("first");
    expect(reads()).toBe(1);
  });

  test("a dropped value is read again, and the new value kept", async () => {
    const { cache, read, reads } = setup();
    await cache.through("k", read("first"));
    await cache.drop("k");
    expect(await cache.peek("k")).toBeUndefined();
    expect(await cache.through("k", read("second"))).toBe("second");
    expect(await cache.through("k", read("third"))).toBe("second");
    expect(reads()).toBe(2);
  });

  test("a value expires after its time to live: a lost event leaves it stale that long at most", async () => {
    const { clock, cache, read, reads } = setup();
    await cache.through("k", read("first"));
    clock.now = new Date(clock.now.getTime() + FACT_TTL_MS - 1);
    expect(await cache.through("k", read("second"))).toBe("first");
    clock.now = new Date(clock.now.getTime() + 1);
    expect(await cache.through("k", read("third"))).toBe("third");
    expect(reads()).toBe(2);
  });

  test("a drop while a read is in flight wins: the read serves its evaluation but is not kept", async () => {
    const { cache } = setup();
    let release!: (value: string) => void;
    const slow = () => new Promise<string>((resolve) => (release = resolve));
    const reading = cache.through("k", slow);
    await new Promise((resolve) => setImmediate(resolve));
    await cache.drop("k"); // an event arrives: what the read saw may be stale
    release("seen before the event");
    expect(await reading).toBe("seen before the event");
    expect(await cache.peek("k")).toBeUndefined();
  });

  test("a failed read rejects and keeps nothing: the next evaluation reads again", async () => {
    const { cache, read } = setup();
    await cache.through("k", read("old"));
    await cache.drop("k");
    const failing = () => Promise.reject(new Error("GitHub answered 502"));
    await expect(cache.through("k", failing)).rejects.toThrow("502");
    expect(await cache.peek("k")).toBeUndefined();
    expect(await cache.through("k", read("new"))).toBe("new");
  });

  test("put replaces a kept value without a read", async () => {
    const { cache, read, reads } = setup();
    await cache.put("k", { id: 1 });
    expect(await cache.through("k", read("unused"))).toEqual({ id: 1 });
    expect(reads()).toBe(0);
  });
});

describe("FactCache.amend", () => {
  test("changes a kept value without extending its life", async () => {
    const { clock, cache, read } = setup();
    await cache.through("k", read("read"));
    clock.now = new Date(clock.now.getTime() + FACT_TTL_MS / 2);
    await cache.amend<string>("k", (value) => `${value} + own write`);
    expect(await cache.peek("k")).toBe("read + own write");
    clock.now = new Date(clock.now.getTime() + FACT_TTL_MS / 2);
    expect(await cache.peek("k")).toBeUndefined();
  });

  test("leaves a dropped value dropped", async () => {
    const { cache, read } = setup();
    await cache.through("k", read("read"));
    await cache.drop("k");
    await cache.amend<string>("k", () => "own write");
    expect(await cache.peek("k")).toBeUndefined();
  });
});
