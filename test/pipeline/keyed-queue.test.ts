import { KeyedQueue, MAX_SETTLE_ROUNDS } from "../../src/pipeline/keyed-queue.js";
import { manualDelay, yieldToOthers } from "../support/manual-delay.js";

/** Work that records its name and finishes when the test says so. */
function recorder() {
  const ran: string[] = [];
  const finishers: (() => void)[] = [];
  const work = (name: string) => () =>
    new Promise<void>((resolve) => {
      ran.push(name);
      finishers.push(resolve);
    });
  const finish = () => finishers.shift()?.();
  return { ran, work, finish };
}

describe("KeyedQueue without settling", () => {
  test("the first request runs at once; requests during it collapse into one run of the latest", async () => {
    const queue = new KeyedQueue(manualDelay().delay);
    const { ran, work, finish } = recorder();

    const first = queue.run("pr", work("a"));
    expect(ran).toEqual(["a"]); // synchronously, as before settling existed
    const second = queue.run("pr", work("b"));
    const third = queue.run("pr", work("c"));
    expect(second).toBe(third);
    finish();
    await first;
    await yieldToOthers();
    expect(ran).toEqual(["a", "c"]);
    finish();
    await third;
    expect(queue.size).toBe(0);
  });

  test("keys run independently", () => {
    const queue = new KeyedQueue(manualDelay().delay);
    const { ran, work } = recorder();
    void queue.run("one", work("a"));
    void queue.run("two", work("b"));
    expect(ran).toEqual(["a", "b"]);
  });
});

describe("KeyedQueue with settling", () => {
  test("requests within the settle period cause one run, of the latest work, after it", async () => {
    const timers = manualDelay();
    const queue = new KeyedQueue(timers.delay);
    const { ran, work, finish } = recorder();

    const all = ["a", "b", "c"].map((name) => queue.run("pr", work(name), { settleMs: 100 }));
    expect(ran).toEqual([]);
    expect(timers.pending).toEqual([100]);
    // b and c arrived during the first period: one more, quiet, period before running.
    timers.elapse();
    await yieldToOthers();
    expect(ran).toEqual([]);
    timers.elapse();
    await yieldToOthers();
    expect(ran).toEqual(["c"]);
    finish();
    await Promise.all(all);
    expect(queue.size).toBe(0);
  });

  test("a request during the run causes one follow-up, which settles too", async () => {
    const timers = manualDelay();
    const queue = new KeyedQueue(timers.delay);
    const { ran, work, finish } = recorder();
    const first = queue.run("pr", work("a"), { settleMs: 100 });
    timers.elapse();
    await yieldToOthers();
    expect(ran).toEqual(["a"]);

    const later = queue.run("pr", work("b"), { settleMs: 100 });
    expect(later).not.toBe(first);
    finish();
    await first;
    await yieldToOthers();
    expect(ran).toEqual(["a"]);
    timers.elapse();
    await yieldToOthers();
    expect(ran).toEqual(["a", "b"]);
    finish();
    await later;
  });

  test("a key that never goes quiet still runs after MAX_SETTLE_ROUNDS periods", async () => {
    const timers = manualDelay();
    const queue = new KeyedQueue(timers.delay);
    const { ran, work } = recorder();
    void queue.run("pr", work("first"), { settleMs: 100 });
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
      expect(ran).toEqual([]);
      void queue.run("pr", work(`again ${round}`), { settleMs: 100 });
      timers.elapse();
      await yieldToOthers();
    }
    expect(ran).toEqual([`again ${MAX_SETTLE_ROUNDS - 1}`]);
  });

  test("a failing run rejects every request it served; idle() waits for the last run", async () => {
    const timers = manualDelay();
    const queue = new KeyedQueue(timers.delay);
    const failing = () => Promise.reject(new Error("GitHub answered 500"));
    const requests = [
      queue.run("pr", failing, { settleMs: 100 }),
      queue.run("pr", failing, { settleMs: 100 }),
    ];
    let idle = false;
    void queue.idle().then(() => (idle = true));
    await yieldToOthers();
    expect(idle).toBe(false);
    timers.elapse();
    await yieldToOthers();
    timers.elapse();
    for (const request of requests) await expect(request).rejects.toThrow("GitHub answered 500");
    await yieldToOthers();
    expect(idle).toBe(true);
    expect(queue.size).toBe(0);
  });
});

describe("KeyedQueue's limit on runs at once", () => {
  test("a limited run waits for a place, and takes in its key's requests meanwhile", async () => {
    const queue = new KeyedQueue(manualDelay().delay, 1);
    const { ran, work, finish } = recorder();

    void queue.run("one", work("one"), { limited: true });
    const two = queue.run("two", work("two: first"), { limited: true });
    const again = queue.run("two", work("two: latest"), { limited: true });
    expect(again).toBe(two);
    void queue.run("deploy", work("unlimited"));
    expect(ran).toEqual(["one", "unlimited"]);

    finish();
    await yieldToOthers();
    expect(ran).toEqual(["one", "unlimited", "two: latest"]);
  });
});

describe("KeyedQueue.quiet", () => {
  test("waits for the matching keys' work, and what was queued for them meanwhile, not for others", async () => {
    const queue = new KeyedQueue(manualDelay().delay);
    const { ran, work, finish } = recorder();
    void queue.run("deploy:a", work("a1"));
    void queue.run("pr:1", work("p1"));
    let quiet = false;
    const waiting = queue.quiet((key) => key.startsWith("deploy:")).then(() => (quiet = true));
    void queue.run("deploy:a", work("a2"));

    finish(); // a1
    await yieldToOthers();
    expect(ran).toEqual(["a1", "p1", "a2"]);
    expect(quiet).toBe(false);
    finish(); // p1: not a matching key
    await yieldToOthers();
    expect(quiet).toBe(false);
    finish(); // a2
    await waiting;
    expect(quiet).toBe(true);
  });

  test("resolves at once when no matching key is busy", async () => {
    const queue = new KeyedQueue(manualDelay().delay);
    await expect(queue.quiet(() => true)).resolves.toBeUndefined();
  });
});
