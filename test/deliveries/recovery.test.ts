import { pino } from "pino";
import {
  recoverDeliveries,
  type DeliveriesApi,
  type RecoveryDeps,
} from "../../src/deliveries/recovery.js";
import type { HookDelivery } from "../../src/deliveries/select.js";
import { MemoryStore } from "../../src/store/memory.js";
import { attempt, NOW } from "./deliveries.js";

/** GitHub's list as pages of `perPage`, and the redelivery requests it got. */
class FakeGitHub implements DeliveriesApi {
  readonly asked: number[] = [];
  pagesRead = 0;
  failRedeliveries = 0;

  constructor(
    public deliveries: HookDelivery[],
    private readonly perPage = 100,
  ) {}

  async *pages(): AsyncIterable<readonly HookDelivery[]> {
    for (let i = 0; i < this.deliveries.length; i += this.perPage) {
      this.pagesRead += 1;
      yield this.deliveries.slice(i, i + this.perPage);
    }
  }

  async redeliver(id: number): Promise<void> {
    if (this.failRedeliveries > 0) {
      this.failRedeliveries -= 1;
      throw new Error("502 Bad Gateway");
    }
    this.asked.push(id);
  }
}

const log = pino({ level: "silent" });

function deps(github: FakeGitHub, store: MemoryStore, over: Partial<RecoveryDeps> = {}) {
  const results: string[] = [];
  return {
    results,
    deps: {
      api: async () => github,
      store,
      clock: () => NOW,
      log,
      metrics: { redelivery: (result: string) => void results.push(result) },
      ...over,
    } satisfies RecoveryDeps,
  };
}

test("each failed delivery is asked for once, however many passes run", async () => {
  const failed = attempt("g1", 10, 0);
  const github = new FakeGitHub([attempt("ok", 5, 200), failed]);
  const store = new MemoryStore(() => NOW);
  const { deps: d, results } = deps(github, store);
  expect(await recoverDeliveries(d)).toMatchObject({ found: 1, requested: 1, failed: 0 });
  // GitHub has not attempted the redelivery yet: the store says it was asked for.
  expect(await recoverDeliveries(d)).toMatchObject({ found: 1, requested: 0 });
  expect(github.asked).toEqual([failed.id]);
  expect(results).toEqual(["requested"]);
});

test("two instances sharing a store ask once between them", async () => {
  const failed = attempt("g1", 10, 503);
  const github = new FakeGitHub([failed]);
  const store = new MemoryStore(() => NOW);
  const reports = await Promise.all([
    recoverDeliveries(deps(github, store).deps),
    recoverDeliveries(deps(github, store).deps),
  ]);
  expect(github.asked).toEqual([failed.id]);
  expect(reports.map((r) => r.requested).sort()).toEqual([0, 1]);
});

test("a request that fails is asked again on a later pass, at most maxFailures times", async () => {
  const failed = attempt("g1", 10, 0);
  const github = new FakeGitHub([failed]);
  github.failRedeliveries = 5;
  const store = new MemoryStore(() => NOW);
  const { deps: d, results } = deps(github, store, { limits: { maxFailures: 3 } });
  expect(await recoverDeliveries(d)).toMatchObject({ requested: 0, failed: 1, complete: false });
  expect(await recoverDeliveries(d)).toMatchObject({ failed: 1 });
  expect(await recoverDeliveries(d)).toMatchObject({ failed: 1 });
  // The third failure was the last: the app stops asking.
  expect(await recoverDeliveries(d)).toMatchObject({ requested: 0, failed: 0, complete: true });
  expect(results).toEqual(["failed", "failed", "failed"]);
  expect(github.asked).toEqual([]);
});

test("a request that fails once succeeds on the next pass", async () => {
  const failed = attempt("g1", 10, 0);
  const github = new FakeGitHub([failed]);
  github.failRedeliveries = 1;
  const store = new MemoryStore(() => NOW);
  const { deps: d, results } = deps(github, store);
  await recoverDeliveries(d);
  await recoverDeliveries(d);
  expect(results).toEqual(["failed", "requested"]);
  expect(github.asked).toEqual([failed.id]);
});

test("pages are read until one reaches back before the window, and no further", async () => {
  const recent = Array.from({ length: 5 }, (_, i) => attempt(`r${i}`, i + 1, 200));
  const old = Array.from({ length: 10 }, (_, i) => attempt(`o${i}`, 7 * 60 + i, 0));
  const github = new FakeGitHub([...recent, ...old], 3);
  const store = new MemoryStore(() => NOW);
  const report = await recoverDeliveries(deps(github, store).deps);
  expect(report).toMatchObject({ pages: 2, found: 0, requested: 0, complete: true });
  expect(github.pagesRead).toBe(2);
});

test("at most maxRequests a pass; the next pass takes the rest", async () => {
  const github = new FakeGitHub(Array.from({ length: 5 }, (_, i) => attempt(`g${i}`, i + 1, 0)));
  const store = new MemoryStore(() => NOW);
  const { deps: d } = deps(github, store, { limits: { maxRequests: 3 } });
  expect(await recoverDeliveries(d)).toMatchObject({ requested: 3, deferred: 2, complete: false });
  expect(await recoverDeliveries(d)).toMatchObject({ requested: 2, deferred: 0, complete: true });
  expect(new Set(github.asked).size).toBe(5);
});

test("a complete pass narrows the next one to what is new since (with a margin)", async () => {
  let now = NOW;
  const github = new FakeGitHub([attempt("ok", 1, 200)]);
  const store = new MemoryStore(() => now);
  const { deps: d } = deps(github, store, { clock: () => now });
  await recoverDeliveries(d);
  now = new Date(NOW.getTime() + 5 * 60_000);
  // Failed 30 minutes before the first pass: outside the next one's window (5m + 15m margin).
  github.deliveries = [attempt("late", 30, 0)];
  expect(await recoverDeliveries(d)).toMatchObject({ found: 0, requested: 0 });
});

test("a listing that fails is logged and leaves the window where it was", async () => {
  const store = new MemoryStore(() => NOW);
  const failing: DeliveriesApi = {
    // eslint-disable-next-line require-yield
    async *pages() {
      throw new Error("500 Internal Server Error");
    },
    redeliver: async () => undefined,
  };
  const report = await recoverDeliveries({
    ...deps(new FakeGitHub([]), store).deps,
    api: async () => failing,
  });
  expect(report.complete).toBe(false);
  expect(await store.get("redelivery:last-complete-pass")).toBeNull();
});

test("a pass asked to stop makes no further request", async () => {
  const github = new FakeGitHub([attempt("a", 1, 0), attempt("b", 2, 0)]);
  const store = new MemoryStore(() => NOW);
  const report = await recoverDeliveries({ ...deps(github, store).deps, stopping: () => true });
  expect(report.requested).toBe(0);
  expect(github.asked).toEqual([]);
});
