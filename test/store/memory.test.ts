import { describe, expect, test } from "@jest/globals";
import { MemoryStore, SWEEP_INTERVAL_MS } from "../../src/store/memory.js";
import { storeContract, storeExpiryContract } from "./contract.js";

storeContract("MemoryStore", () => new MemoryStore());
storeExpiryContract("MemoryStore", (clock) => new MemoryStore(() => clock.now));

function storeAt(start = "2026-11-26T10:00:00Z") {
  const clock = { now: new Date(start) };
  return { clock, store: new MemoryStore(() => clock.now) };
}

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
