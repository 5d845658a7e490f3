// The sweep that lets any instance re-check held deployments whose timer died with another
// instance: under an injected clock and a hand-driven scheduler, with one store shared by
// the "instances" as Redis would be.
import { describe, expect, test } from "@jest/globals";
import type { DeploymentRequest } from "../../src/facts/deployment.js";
import { HoldRegistry, type Hold } from "../../src/holds/registry.js";
import {
  DEFAULT_SWEEP_INTERVAL_MS,
  dueHolds,
  HoldSweep,
  RECHECK_LEASE_MS,
  recheckOnce,
} from "../../src/holds/sweep.js";
import { MemoryStore } from "../../src/store/memory.js";
import { ManualScheduler } from "../integration/deployment-helpers.js";

const START = new Date("2026-03-13T16:00:00Z");
const at = (ms: number): Date => new Date(START.getTime() + ms);

function hold(key: string, recheckAt?: Date): Hold {
  const request: DeploymentRequest = {
    repo: { owner: "acme", repo: "shop", defaultBranch: "main" },
    installationId: 1,
    runId: 1,
    environment: key,
    deploymentId: 1,
    sha: "a".repeat(40),
    ref: "main",
  };
  return {
    key,
    request,
    comments: 1,
    failures: 0,
    createdAt: START.toISOString(),
    ...(recheckAt ? { recheckAt: recheckAt.toISOString() } : {}),
  };
}

/** One store (Redis, in production) and a clock shared by every instance. */
function world() {
  const clock = { now: START };
  const store = new MemoryStore(() => clock.now);
  const holds = new HoldRegistry(store);
  const rechecked: string[] = [];
  const errors: unknown[] = [];
  const instance = (recheck = async (h: Hold) => void rechecked.push(h.key)) => {
    const scheduler = new ManualScheduler();
    const sweep = new HoldSweep({
      store,
      holds,
      scheduler,
      now: () => clock.now,
      recheck,
      onError: (error) => errors.push(error),
    });
    return { sweep, scheduler };
  };
  return { clock, store, holds, rechecked, errors, instance };
}

describe("dueHolds", () => {
  test.each([
    ["no re-check time (waits for an event)", undefined, false],
    ["re-check time passed", at(-1), true],
    ["re-check time is now", at(0), true],
    ["re-check time to come", at(1), false],
  ])("%s", (_name, recheckAt, due) => {
    expect(dueHolds([hold("h", recheckAt)], START)).toHaveLength(due ? 1 : 0);
  });

  test("earliest first", () => {
    const holds = [hold("late", at(-1)), hold("early", at(-60_000)), hold("later", at(5))];
    expect(dueHolds(holds, START).map((h) => h.key)).toEqual(["early", "late"]);
  });
});

describe("HoldSweep", () => {
  test("re-checks due holds every interval, including one a dead instance created", async () => {
    const w = world();
    // Put there by an instance that has since gone, with its timer.
    await w.holds.put(hold("window", at(45_000)));
    await w.holds.put(hold("approval")); // no time: only an event re-checks it
    const { sweep, scheduler } = w.instance();
    sweep.start();
    expect(scheduler.next).toEqual(at(DEFAULT_SWEEP_INTERVAL_MS));

    w.clock.now = at(30_000);
    await scheduler.runDue(w.clock.now);
    expect(w.rechecked).toEqual([]); // not due yet

    w.clock.now = at(60_000);
    await scheduler.runDue(w.clock.now);
    // At most one interval after it was due: well within a minute.
    expect(w.rechecked).toEqual(["window"]);
    expect(scheduler.next).toEqual(at(90_000));

    sweep.stop();
    expect(scheduler.next).toBeUndefined();
  });

  test("instances sweeping together re-check each due hold once", async () => {
    const w = world();
    for (const key of ["a", "b", "c"]) await w.holds.put(hold(key, at(-1000)));
    const instances = [w.instance(), w.instance(), w.instance()];
    const counts = await Promise.all(instances.map(({ sweep }) => sweep.sweep()));
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(3);
    expect([...w.rechecked].sort()).toEqual(["a", "b", "c"]);
  });

  test("a hold's timer and another instance's sweep at the same time: one re-check", async () => {
    const w = world();
    const due = hold("h", at(0));
    await w.holds.put(due);
    const recheck = async (h: Hold) => void w.rechecked.push(h.key);
    const { sweep } = w.instance(recheck);
    const results = await Promise.all([recheckOnce(w.store, due, recheck), sweep.sweep()]);
    expect(results).toEqual([true, 0]);
    expect(w.rechecked).toEqual(["h"]);
  });

  test("a failed re-check is reported and retried by the next sweep, on any instance", async () => {
    const w = world();
    await w.holds.put(hold("h", at(-1)));
    const failing = w.instance(async () => {
      throw new Error("GitHub is down");
    });
    expect(await failing.sweep.sweep()).toBe(0);
    expect(w.errors).toEqual([new Error("GitHub is down")]);
    expect(await w.instance().sweep.sweep()).toBe(1);
    expect(w.rechecked).toEqual(["h"]);
  });

  test("a re-check left unfinished by a crashed instance is taken over after the lease", async () => {
    const w = world();
    const due = hold("h", at(-1));
    await w.holds.put(due);
    // The crashed instance took the lease and never finished.
    void recheckOnce(w.store, due, () => new Promise<void>(() => undefined));
    const { sweep } = w.instance();
    expect(await sweep.sweep()).toBe(0);
    w.clock.now = at(RECHECK_LEASE_MS);
    expect(await sweep.sweep()).toBe(1);
    expect(w.rechecked).toEqual(["h"]);
  });

  test("a re-check time moved on is a new re-check: its lease is its own", async () => {
    const w = world();
    const first = hold("h", at(-1));
    const recheck = async (h: Hold) => void w.rechecked.push(h.recheckAt ?? "");
    expect(await recheckOnce(w.store, first, recheck)).toBe(true);
    expect(await recheckOnce(w.store, first, recheck)).toBe(false);
    expect(await recheckOnce(w.store, hold("h", at(60_000)), recheck)).toBe(true);
    expect(w.rechecked).toEqual([at(-1).toISOString(), at(60_000).toISOString()]);
  });

  test("a store that cannot be read is reported, and the sweep keeps its schedule", async () => {
    const w = world();
    const { sweep, scheduler } = w.instance();
    w.holds.all = () => Promise.reject(new Error("Redis is unreachable"));
    sweep.start();
    w.clock.now = at(DEFAULT_SWEEP_INTERVAL_MS);
    await scheduler.runDue(w.clock.now);
    expect(w.errors).toEqual([new Error("Redis is unreachable")]);
    expect(scheduler.next).toEqual(at(2 * DEFAULT_SWEEP_INTERVAL_MS));
    sweep.stop();
  });
});
