// What every Store backend must do, run against each of them: the app relies on these
// behaviours whether it runs alone (memory) or as several instances (Redis).
import { describe, expect, test } from "@jest/globals";
import type { Store } from "../../src/store/store.js";

const MINUTE = 60_000;

/** Registers the contract for a backend; `fresh` gives a store with no keys in it. */
export function storeContract(name: string, fresh: () => Store): void {
  describe(`${name} (Store contract)`, () => {
    test("set, get and delete a value", async () => {
      const store = fresh();
      expect(await store.get("k")).toBeNull();
      await store.set("k", '{"a":1}', MINUTE);
      expect(await store.get("k")).toBe('{"a":1}');
      await store.set("k", "2", MINUTE);
      expect(await store.get("k")).toBe("2");
      await store.delete("k");
      expect(await store.get("k")).toBeNull();
      await store.delete("k"); // deleting a missing key is not an error
    });

    test("concurrent claims of one key: exactly one wins, until it is deleted", async () => {
      const store = fresh();
      const results = await Promise.all(Array.from({ length: 8 }, () => store.claim("c", MINUTE)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.claim("c", MINUTE)).toBe(false);
      await store.delete("c");
      expect(await store.claim("c", MINUTE)).toBe(true);
    });

    test("claims of different keys do not interfere", async () => {
      const store = fresh();
      expect(await store.claim("c1", MINUTE)).toBe(true);
      expect(await store.claim("c2", MINUTE)).toBe(true);
    });

    test("concurrent additions to a set are all kept, once each, in first-added order", async () => {
      const store = fresh();
      await Promise.all(["a", "b", "a", "c"].map((m) => store.addToSet("s", m, MINUTE)));
      expect(await store.members("s")).toEqual(["a", "b", "c"]);
      await store.addToSet("s", "a", MINUTE);
      expect(await store.members("s")).toEqual(["a", "b", "c"]);
    });

    test("removing keeps the order of the rest; a member added later comes last", async () => {
      const store = fresh();
      for (const m of ["z", "y", "x"]) await store.addToSet("s", m, MINUTE);
      await store.removeFromSet("s", "y");
      await store.removeFromSet("s", "missing");
      await store.addToSet("s", "y", MINUTE);
      expect(await store.members("s")).toEqual(["z", "x", "y"]);
      await store.removeFromSet("s", "z");
      await store.removeFromSet("s", "x");
      await store.removeFromSet("s", "y");
      expect(await store.members("s")).toEqual([]);
      await store.addToSet("s", "w", MINUTE);
      expect(await store.members("s")).toEqual(["w"]);
    });

    test("a missing set has no members; removing from it is not an error", async () => {
      const store = fresh();
      expect(await store.members("none")).toEqual([]);
      await store.removeFromSet("none", "a");
    });

    test("members are kept exactly: JSON, unicode, separators", async () => {
      const store = fresh();
      const members = ['{"user":"rita","at":"2026-11-26T10:00:00Z"}', "zoë ✓", "a:b c", ""];
      for (const m of members) await store.addToSet("s", m, MINUTE);
      expect(await store.members("s")).toEqual(members);
    });
  });
}

/** A clock a test moves by hand. */
export interface TestClock {
  now: Date;
}

/**
 * Times to live judged by the store's injected clock (memory, SQLite; Redis keeps its own
 * time). `fresh` gives an empty store reading `clock.now`.
 */
export function storeExpiryContract(name: string, fresh: (clock: TestClock) => Store): void {
  describe(`${name} (expiry contract, injected clock)`, () => {
    function storeAt(start = "2026-11-26T10:00:00Z") {
      const clock: TestClock = { now: new Date(start) };
      const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
      return { advance, store: fresh(clock) };
    }

    test("a value is there until its time to live ends; setting it again restarts it", async () => {
      const { advance, store } = storeAt();
      await store.set("k", "v", 1000);
      advance(999);
      expect(await store.get("k")).toBe("v");
      await store.set("k", "w", 1000);
      advance(999);
      expect(await store.get("k")).toBe("w");
      advance(1);
      expect(await store.get("k")).toBeNull();
    });

    test("a claim can be made again once it expires", async () => {
      const { advance, store } = storeAt();
      expect(await store.claim("k", 1000)).toBe(true);
      advance(999);
      expect(await store.claim("k", 1000)).toBe(false);
      advance(1);
      expect(await store.claim("k", 1000)).toBe(true);
      expect(await store.claim("k", 1000)).toBe(false);
    });

    test("a set expires as a whole; adding refreshes its time to live, removing does not", async () => {
      const { advance, store } = storeAt();
      await store.addToSet("s", "a", 1000);
      advance(800);
      await store.addToSet("s", "b", 1000);
      await store.addToSet("s", "c", 1000);
      advance(800);
      await store.removeFromSet("s", "c");
      expect(await store.members("s")).toEqual(["a", "b"]);
      advance(200);
      expect(await store.members("s")).toEqual([]);
    });

    test("a set added to after it expired starts empty: old members do not come back", async () => {
      const { advance, store } = storeAt();
      await store.addToSet("s", "old", 1000);
      advance(1000);
      await store.addToSet("s", "new", 1000);
      expect(await store.members("s")).toEqual(["new"]);
    });
  });
}
