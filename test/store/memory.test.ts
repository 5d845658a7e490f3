import { describe, expect, test } from "@jest/globals";
import { MemoryStore, SWEEP_INTERVAL_MS } from "../../src/store/memory.js";
import { storeContract } from "./contract.js";

storeContract("MemoryStore", () => new MemoryStore());

function storeAt(start = "2026-11-26T10:00:00Z") {
  const clock = { now: new Date(start) };
  return { clock, store: new MemoryStore(() => clock.now) };
}

describe("MemoryStore expiry, under an injected clock", () => {
  test("a claim can be made again once it expires", async () => {
    const { clock, store } = storeAt();
    expect(await store.claim("k", 1000)).toBe(true);
    clock.now = new Date(clock.now.getTime() + 999);
    expect(await store.claim("k", 1000)).toBe(false);
    clock.now = new Date(clock.now.getTime() + 1);
    expect(await store.claim("k", 1000)).toBe(true);
  });

  test("a set expires as a whole, and adding refreshes its time to live", async () => {
    const { clock, store } = storeAt();
    await store.addToSet("s", "a", 1000);
    clock.now = new Date(clock.now.getTime() + 800);
    await store.addToSet("s", "b", 1000);
    clock.now = new Date(clock.now.getTime() + 800);
    expect(await store.members("s")).toEqual(["a", "b"]);
    clock.now = new Date(clock.now.getTime() + 200);
    expect(await store.members("s")).toEqual([]);
  });
});

describe("MemoryStore bounds", () => {
  test("expired entries no read asks for are swept by a later write", async () => {
    const { clock, store } = storeAt();
    for (let i = 0; i < 100; i++) await store.claim(`delivery:${i}`, 1000);
    expect(store.size).toBe(100);
    clock.now = new Date(clock.now.getTime() + SWEEP_INTERVAL_MS);
    await store.set("fresh", "1", 1000);
    expect(store.size).toBe(1);
  });

  test("past maxEntries the oldest entries go", async () => {
    const clock = { now: new Date("2026-11-26T10:00:00Z") };
    const store = new MemoryStore(() => clock.now, 3);
    for (const key of ["a", "b", "c", "d"]) await store.set(key, key, 60_000);
    expect(store.size).toBe(3);
    expect(await store.get("a")).toBeNull();
    expect(await store.get("d")).toBe("d");
  });
});
