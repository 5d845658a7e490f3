// A read that fails while a pull request is judged: the check says why, the delivery is left
// for a redelivery to judge again, and the app's own back-off judges it again once GitHub
// answers, without anyone pressing "Re-evaluate". Timers are driven by the test.
import nock from "nock";
import type { EvaluationTiming } from "../../src/handlers/timing.js";
import { elapseUntil, manualDelay, yieldToOthers } from "../support/manual-delay.js";
import {
  api,
  bodyOf,
  cleanNock,
  contents,
  createHarness,
  CREATE_RUN,
  example,
  expectBudget,
  github,
  OWN_RUNS,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
  RUNS,
  STATUSES,
} from "./harness.js";

const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
  tests:
    stage: pull_request
    require: { checks: [build] }
`;

beforeEach(cleanNock);
afterAll(() => nock.restore());

function opened(): Record<string, unknown> {
  const payload = example("pull_request", "opened");
  (payload.pull_request as Record<string, unknown>).title = "CHG0000001 Update the README";
  return payload;
}

function retrying() {
  const timers = manualDelay();
  const tracked: Promise<void>[] = [];
  const timing: Partial<EvaluationTiming> = {
    delay: timers.delay,
    track: (work) => {
      const running = work();
      tracked.push(running);
      return running;
    },
  };
  return { timers, tracked, timing, reEvaluation: { baseMs: 1000, attempts: 3 } };
}

test("a 503 on the policy read: a failing check that says why, then judged again after 10 s", async () => {
  const { timers, tracked, timing, reEvaluation } = retrying();
  const harness = await createHarness({ timing, reEvaluation });
  const failing = github()
    .get(POLICY_URL)
    .reply(503, { message: "Service Unavailable" })
    // Nothing gathered: only the app's own run is looked up, then the check is written.
    .get(OWN_RUNS)
    .reply(200, { total_count: 0, check_runs: [] })
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id: 1 });

  const made = await harness.receive("pull_request", opened(), "delivery-a");

  expect(failing.pendingMocks()).toEqual([]);
  expectBudget(made, {
    reads: {
      atMost: 3,
      includes: [`GET ${OWN_RUNS}`],
      excludes: [`GET ${RUNS}`, `GET ${STATUSES}`, `GET ${POLICY_AT_HEAD}`],
    },
    writes: [CREATE_RUN],
  });
  const check = bodyOf(made, CREATE_RUN);
  expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
  expect((check.output as { summary: string }).summary).toContain(
    "Could not read from GitHub: GitHub answered 503",
  );
  // Not marked handled: GitHub's redelivery of the same id judges again.
  expect(await harness.store.get("delivery:delivery-a")).toBeNull();
  // One re-evaluation waits, 10 units of the back-off.
  expect(timers.pending).toEqual([10_000]);

  const recovered = api()
    .get(POLICY_URL)
    .reply(200, contents(POLICY))
    .get(RUNS)
    .reply(200, { total_count: 0, check_runs: [] })
    .get(STATUSES)
    .reply(200, { state: "pending", statuses: [] })
    .get(POLICY_AT_HEAD)
    .reply(200, contents(POLICY))
    // The failure was completed; a pending check is a fresh run (GitHub cannot reopen one).
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id: 2 });
  timers.elapse();
  // The re-evaluation starts once its wait is over: then it is tracked, and awaited.
  while (tracked.length === 0) await yieldToOthers();
  await elapseUntil(timers, Promise.all(tracked));

  expect(recovered.pendingMocks()).toEqual([]);
  expect(timers.pending).toEqual([]);
});

test("a 404 is not GitHub failing: the check says why and nothing is retried", async () => {
  const { timers, timing, reEvaluation } = retrying();
  const harness = await createHarness({ timing, reEvaluation });
  const scope = github()
    .get(POLICY_URL)
    .reply(200, contents(POLICY))
    .get(RUNS)
    .reply(404, { message: "Not Found" })
    .get(STATUSES)
    .reply(200, { state: "pending", statuses: [] })
    .get(OWN_RUNS)
    .reply(200, { total_count: 0, check_runs: [] })
    .get(POLICY_AT_HEAD)
    .reply(200, contents(POLICY))
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id: 1 });

  const made = await harness.receive("pull_request", opened());

  expect(scope.pendingMocks()).toEqual([]);
  expect(bodyOf(made, CREATE_RUN)).toMatchObject({ conclusion: "failure" });
  expect(timers.pending).toEqual([]);
});
