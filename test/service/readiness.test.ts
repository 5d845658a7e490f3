// Readiness: one authentication per TTL, failures trusted for less long, concurrent probes
// share one check, and a failure says why.
import type { Logger } from "pino";
import { AppReadiness } from "../../src/service/readiness.js";

function setup(outcomes: (Error | null)[]) {
  const clock = { now: 0 };
  let calls = 0;
  const readiness = new AppReadiness({
    authenticate: async () => {
      const outcome = outcomes[calls++];
      if (outcome) throw outcome;
    },
    now: () => clock.now,
    okTtlMs: 30_000,
    failedTtlMs: 5_000,
  });
  return { readiness, clock, calls: () => calls };
}

const unauthorized = Object.assign(new Error("Bad credentials"), { status: 401 });

test("a success is trusted for 30 s", async () => {
  const { readiness, clock, calls } = setup([null, unauthorized]);
  expect(await readiness.check()).toEqual({ ready: true });
  clock.now = 29_999;
  expect(await readiness.check()).toEqual({ ready: true });
  expect(calls()).toBe(1);
  clock.now = 30_000;
  expect(await readiness.check()).toEqual({
    ready: false,
    reason: "cannot authenticate as the app: GitHub answered 401: Bad credentials",
  });
  expect(calls()).toBe(2);
});

test("a failure is trusted for 5 s, then asked again", async () => {
  const { readiness, clock, calls } = setup([new Error("connect ECONNREFUSED"), null]);
  expect(await readiness.check()).toEqual({
    ready: false,
    reason: "cannot authenticate as the app: connect ECONNREFUSED",
  });
  clock.now = 4_999;
  expect((await readiness.check()).ready).toBe(false);
  expect(calls()).toBe(1);
  clock.now = 5_000;
  expect(await readiness.check()).toEqual({ ready: true });
  expect(calls()).toBe(2);
});

test("concurrent probes share one authentication", async () => {
  const { readiness, calls } = setup([null]);
  const answers = await Promise.all([readiness.check(), readiness.check(), readiness.check()]);
  expect(answers).toEqual([{ ready: true }, { ready: true }, { ready: true }]);
  expect(calls()).toBe(1);
});

test("a failed check logs its error, stack included, at debug level only", async () => {
  const debug: unknown[][] = [];
  const readiness = new AppReadiness({
    authenticate: () => Promise.reject(unauthorized),
    log: { debug: ((...args: unknown[]) => void debug.push(args)) as Logger["debug"] },
  });
  await readiness.check();
  expect(debug).toEqual([
    [{ err: unauthorized }, "cannot authenticate as the app: GitHub answered 401: Bad credentials"],
  ]);
});
