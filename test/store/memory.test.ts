import { MemoryStore } from "../../src/store/memory.js";

function storeAt(start = "2026-11-26T10:00:00Z") {
  const clock = { now: new Date(start) };
  return { clock, store: new MemoryStore(() => clock.now) };
}

describe("MemoryStore", () => {
  test("concurrent claims of one key: exactly one wins", async () => {
    const { store } = storeAt();
    const results = await Promise.all(Array.from({ length: 5 }, () => store.claim("k", 1000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test("a claim can be made again once it expires", async () => {
    const { clock, store } = storeAt();
    expect(await store.claim("k", 1000)).toBe(true);
    clock.now = new Date(clock.now.getTime() + 999);
    expect(await store.claim("k", 1000)).toBe(false);
    clock.now = new Date(clock.now.getTime() + 1);
    expect(await store.claim("k", 1000)).toBe(true);
  });

  test("concurrent additions to a set are all kept, once each, in order", async () => {
    const { store } = storeAt();
    await Promise.all(["a", "b", "a", "c"].map((m) => store.addToSet("s", m, 1000)));
    expect(await store.members("s")).toEqual(["a", "b", "c"]);
    await store.removeFromSet("s", "b");
    expect(await store.members("s")).toEqual(["a", "c"]);
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
