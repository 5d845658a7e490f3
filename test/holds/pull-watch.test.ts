// Pull requests waiting on a change system, kept in the store for the sweep: under an
// injected clock, with one store shared by two "instances" as Redis would be.
import { describe, expect, test } from "@jest/globals";
import { PullWatch } from "../../src/holds/pull-watch.js";
import { MemoryStore } from "../../src/store/memory.js";

const START = new Date("2026-03-13T16:00:00Z");
const INTERVAL = 5 * 60_000;
const at = (ms: number): Date => new Date(START.getTime() + ms);
const REPO = { owner: "Acme", repo: "Shop", defaultBranch: "main" };

function world() {
  const clock = { now: START };
  const store = new MemoryStore(() => clock.now);
  return { clock, store, watch: new PullWatch(store, INTERVAL) };
}

describe("PullWatch", () => {
  test("hands out a watched pull request once its interval has passed, not before", async () => {
    const { watch } = world();
    await watch.watch(REPO, 7, 99, START);
    expect(await watch.claimDue(at(INTERVAL - 1))).toEqual([]);
    expect(await watch.claimDue(at(INTERVAL))).toEqual([
      { repo: REPO, number: 7, installationId: 99, dueAt: at(INTERVAL).toISOString() },
    ]);
  });

  test("a watch asked to wait past the interval is handed out no sooner", async () => {
    const { watch } = world();
    await watch.watch(REPO, 7, 99, START, at(3 * INTERVAL).toISOString());
    expect(await watch.claimDue(at(3 * INTERVAL - 1))).toEqual([]);
    expect(await watch.claimDue(at(3 * INTERVAL))).toHaveLength(1);
    // A wait shorter than the interval changes nothing.
    await watch.watch(REPO, 8, 99, START, at(1000).toISOString());
    expect(await watch.claimDue(at(INTERVAL - 1))).toEqual([]);
  });

  test("a claimed look is due again an interval later, so a look cut short is not lost", async () => {
    const { watch } = world();
    await watch.watch(REPO, 7, 99, START);
    expect(await watch.claimDue(at(INTERVAL))).toHaveLength(1);
    // The look died before it could say anything: the next interval brings it back.
    expect(await watch.claimDue(at(2 * INTERVAL - 1))).toEqual([]);
    expect(await watch.claimDue(at(2 * INTERVAL))).toHaveLength(1);
  });

  test("two instances sharing a store look at a due pull request once", async () => {
    const { store } = world();
    const one = new PullWatch(store, INTERVAL);
    const two = new PullWatch(store, INTERVAL);
    await one.watch(REPO, 7, 99, START);
    const claims = await Promise.all([one.claimDue(at(INTERVAL)), two.claimDue(at(INTERVAL))]);
    expect(claims.flat()).toHaveLength(1);
  });

  test("an unwatched pull request is handed out no more, whatever its case", async () => {
    const { watch } = world();
    await watch.watch(REPO, 7, 99, START);
    await watch.watch(REPO, 8, 99, START);
    await watch.unwatch({ ...REPO, owner: "acme", repo: "shop" }, 7);
    expect((await watch.claimDue(at(INTERVAL))).map((due) => due.number)).toEqual([8]);
  });

  test("watching again moves the next look an interval from then", async () => {
    const { watch } = world();
    await watch.watch(REPO, 7, 99, START);
    await watch.watch(REPO, 7, 99, at(INTERVAL - 1000));
    expect(await watch.claimDue(at(INTERVAL))).toEqual([]);
    expect(await watch.claimDue(at(2 * INTERVAL - 1000))).toHaveLength(1);
  });

  test("a watch that expired (30 days untouched) leaves the index", async () => {
    const { clock, store, watch } = world();
    const DAY = 24 * 60 * 60_000;
    await watch.watch(REPO, 7, 99, START);
    clock.now = at(29 * DAY);
    await watch.watch(REPO, 8, 99, clock.now);
    clock.now = at(31 * DAY);
    expect((await watch.claimDue(clock.now)).map((due) => due.number)).toEqual([8]);
    expect(await store.members("pull-watch:index")).toEqual(["acme/shop#8"]);
  });
});
