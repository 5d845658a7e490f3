import { pino } from "pino";
import { reEvaluationDelayMs } from "../../src/github/back-off.js";
import { ReEvaluations } from "../../src/pipeline/re-evaluation.js";
import { retryRateLimit, RATE_LIMIT_RETRIES } from "../../src/service/octokit-retry.js";

const log = pino({ level: "silent" });
const NOW = new Date("2026-12-02T10:00:00Z");
const serverError = Object.assign(new Error("Bad Gateway"), { status: 502 });

/** Timers driven by the test: each wait is recorded and resolved by `fire`. */
function handDriven() {
  const waits: { ms: number; fire: () => void }[] = [];
  const delay = (ms: number) => new Promise<void>((resolve) => waits.push({ ms, fire: resolve }));
  return { waits, delay };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("reEvaluationDelayMs", () => {
  test("10 units, doubling, at most 600", () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => reEvaluationDelayMs(1000, attempt));
    expect(waits).toEqual([10e3, 20e3, 40e3, 80e3, 160e3, 320e3, 600e3, 600e3]);
  });

  test("never sooner than GitHub asked", () => {
    expect(reEvaluationDelayMs(1000, 1, 45_000)).toBe(45_000);
    expect(reEvaluationDelayMs(1000, 3, 5_000)).toBe(40_000);
  });
});

describe("ReEvaluations", () => {
  test("a failure is evaluated again after the back-off, a streak up to its attempts", async () => {
    const timers = handDriven();
    const retries = new ReEvaluations({ baseMs: 10, attempts: 3, delay: timers.delay }, () => NOW);
    let runs = 0;
    const again = async () => {
      runs += 1;
      // Still failing: the evaluation reports it again, as src/handlers/common.ts does.
      retries.failed("acme/shop#1", serverError, again, log);
    };

    expect(retries.failed("acme/shop#1", serverError, again, log)).toBe(100);
    for (const expected of [100, 200, 400]) {
      expect(timers.waits.at(-1)?.ms).toBe(expected);
      timers.waits.at(-1)?.fire();
      await flush();
    }
    // Three attempts made; the fourth failure gives up and leaves it to the next event.
    expect(runs).toBe(3);
    expect(timers.waits).toHaveLength(3);
    expect(retries.waiting).toBe(0);
  });

  test("one re-evaluation waits per pull request, however many failures report", () => {
    const timers = handDriven();
    const retries = new ReEvaluations({ baseMs: 10, attempts: 5, delay: timers.delay }, () => NOW);
    const again = () => Promise.resolve();
    retries.failed("acme/shop#1", serverError, again, log);
    expect(retries.failed("acme/shop#1", serverError, again, log)).toBeNull();
    retries.failed("acme/shop#2", serverError, again, log);
    expect(timers.waits).toHaveLength(2);
  });

  test("a success starts the count over", async () => {
    const timers = handDriven();
    const retries = new ReEvaluations({ baseMs: 10, attempts: 5, delay: timers.delay }, () => NOW);
    const again = () => Promise.resolve();
    retries.failed("acme/shop#1", serverError, again, log);
    timers.waits[0]?.fire();
    await flush();
    retries.succeeded("acme/shop#1");
    expect(retries.failed("acme/shop#1", serverError, again, log)).toBe(100);
  });

  test("a rate limit waits for GitHub's retry-after", () => {
    const timers = handDriven();
    const retries = new ReEvaluations({ baseMs: 10, attempts: 5, delay: timers.delay }, () => NOW);
    const limited = Object.assign(new Error("secondary rate limit"), {
      status: 403,
      response: { headers: { "retry-after": "30" } },
    });
    expect(retries.failed("acme/shop#1", limited, () => Promise.resolve(), log)).toBe(30_000);
  });

  test("off without attempts: nothing is scheduled", () => {
    const timers = handDriven();
    const retries = new ReEvaluations({ baseMs: 10, attempts: 0, delay: timers.delay }, () => NOW);
    expect(retries.failed("acme/shop#1", serverError, () => Promise.resolve(), log)).toBeNull();
    expect(timers.waits).toEqual([]);
  });
});

describe("retryRateLimit (the service's throttling handlers)", () => {
  const request = { method: "POST", url: "/repos/{owner}/{repo}/check-runs" };
  const octokit = { log: { warn: () => undefined } };

  test("retries a bounded number of times", () => {
    const answers = [0, 1, 2, 3, 4].map((count) => retryRateLimit(1, request, octokit, count));
    expect(answers).toEqual([0, 1, 2, 3, 4].map((count) => count < RATE_LIMIT_RETRIES));
  });

  test("does not hold a request for a wait longer than a minute", () => {
    expect(retryRateLimit(3600, request, octokit, 0)).toBe(false);
  });
});
