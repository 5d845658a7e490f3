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
