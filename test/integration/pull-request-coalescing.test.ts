// When a pull request is evaluated: a burst of its events settles into one evaluation and
// one write; kept facts are refreshed by the events that can change them, and expire so a
// lost webhook cannot keep a stale fact; answering first still evaluates, and a failure
// after the answer leaves the delivery retryable.
import nock from "nock";
import { FACT_TTL_MS } from "../../src/facts/fact-cache.js";
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
  HEAD,
  listedCheckRun,
  NOTHING,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
  RUNS,
  STATUSES,
  UPDATE_RUN,
  type Budget,
  type Harness,
  type SeenRequest,
} from "./harness.js";

const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
  tests:
    stage: pull_request
    require: { checks: [build] }
`;
const TITLE = "CHG0000001 Update the README";

beforeEach(cleanNock);
afterAll(() => nock.restore());

function pullRequestEvent(action: string): Record<string, unknown> {
  // GitHub's examples have no "edited": it is an opened payload with the changes.
  const payload = example("pull_request", action === "edited" ? "opened" : action);
  if (action === "edited") Object.assign(payload, { action, changes: { title: { from: "x" } } });
  (payload.pull_request as Record<string, unknown>).title = TITLE;
  return payload;
}

function checkRunEvent(action: string, name: string, conclusion = "success") {
  const payload = example("check_run", action === "created" ? "created" : "completed");
  payload.action = action;
  const run = payload.check_run as Record<string, unknown>;
  Object.assign(run, { name, head_sha: HEAD, app: { ...(run.app as object), id: 15368 } });
  if (action === "completed") Object.assign(run, { status: "completed", conclusion });
  return payload;
}

const buildRun = (status: string, conclusion: string | null) => ({
  id: 7,
  name: "build",
  status,
  conclusion,
  html_url: `https://github.com/Codertocat/Hello-World/runs/7`,
  app: { id: 15368 },
  output: { title: null, summary: null, text: null, annotations_count: 0 },
});

/** What opening the pull request costs: the policy, the head's facts, the check. */
const OPENED: Budget = { reads: { atMost: 5 }, writes: [CREATE_RUN] };

function openScope(): nock.Scope {
  return github()
    .get(POLICY_URL)
    .reply(200, contents(POLICY))
    .get(RUNS)
    .reply(200, { total_count: 0, check_runs: [] })
    .get(STATUSES)
    .reply(200, { state: "pending", statuses: [] })
    .get(POLICY_AT_HEAD)
    .reply(200, contents(POLICY))
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id: 1 });
}

/** Opens the pull request, evaluated at once: waiting on the build. */
async function open(harness: Harness): Promise<Record<string, unknown>> {
  const scope = openScope();
  const made = await harness.receive("pull_request", pullRequestEvent("opened"));
  expect(scope.pendingMocks()).toEqual([]);
  expectBudget(made, OPENED);
  return bodyOf(made, CREATE_RUN);
}

describe("a burst of events for one pull request", () => {
  test("settles into one evaluation and one write", async () => {
    const timers = manualDelay();
    const harness = await createHarness({ timing: { settleMs: 100, delay: timers.delay } });
    const opened = harness.receive("pull_request", pullRequestEvent("opened"));
    const scope = openScope();
    expectBudget(await elapseUntil(timers, opened), OPENED);
    expect(scope.pendingMocks()).toEqual([]);
    const created = bodyOf(await opened, CREATE_RUN);

    // One read of the check runs and one write, for two build completions (a re-run), a
    // label, an edit and a status no gate names. Without settling, each completion would
    // read the check runs.
    const burst = api()
      .get(RUNS)
      .reply(200, {
        total_count: 2,
        check_runs: [buildRun("completed", "success"), listedCheckRun(1, created)],
      })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });
    const deliveries: Promise<SeenRequest[]>[] = [
      harness.receive("check_run", checkRunEvent("completed", "build")),
      harness.receive("pull_request", pullRequestEvent("labeled")),
      harness.receive("pull_request", pullRequestEvent("edited")),
      harness.receive("status", { ...example("status"), sha: HEAD, context: "coverage" }),
      harness.receive("check_run", checkRunEvent("completed", "build")),
    ];
    await yieldToOthers();
    expect(timers.pending).toEqual([100]); // one settle period for the pull request

    const [made] = await elapseUntil(timers, Promise.all(deliveries));

    expect(burst.pendingMocks()).toEqual([]);
    expectBudget(made ?? [], {
      reads: { atMost: 1, includes: [`GET ${RUNS}`] },
      writes: [UPDATE_RUN],
    });
    expect(bodyOf(made ?? [], UPDATE_RUN)).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "All 2 gates pass" },
    });
  });
});

describe("kept facts", () => {
  test("a label changes no fact read from GitHub: it reads nothing and writes nothing", async () => {
    const harness = await createHarness();
    await open(harness);

    const made = await harness.receive("pull_request", pullRequestEvent("labeled"));

    expectBudget(made, NOTHING);
  });

  test("a named check being re-run costs nothing, and the next evaluation reads the check runs again", async () => {
    const harness = await createHarness();
    const created = await open(harness);

    expectBudget(await harness.receive("check_run", checkRunEvent("created", "build")), NOTHING);

    const scope = api()
      .get(RUNS)
      .reply(200, {
        total_count: 2,
        check_runs: [buildRun("in_progress", null), listedCheckRun(1, created)],
      })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });
    const made = await harness.receive("pull_request", pullRequestEvent("labeled"));
    expect(scope.pendingMocks()).toEqual([]);
    // The check now says the build is running, not that it has not reported.
    expect((created.output as { text: string }).text).toContain("\\`build\\`: not reported yet");
    expectBudget(made, { reads: { atMost: 1, includes: [`GET ${RUNS}`] }, writes: [UPDATE_RUN] });
    expect(bodyOf(made, UPDATE_RUN)).toMatchObject({
      status: "in_progress",
      output: { text: expect.stringContaining("\\`build\\`: pending") as unknown },
    });
  });

  test("a lost event: kept facts are read again once their time to live has passed", async () => {
    const harness = await createHarness();
    const created = await open(harness);
    const start = harness.clock.now.getTime();

    harness.clock.now = new Date(start + FACT_TTL_MS - 60_000);
    expectBudget(await harness.receive("pull_request", pullRequestEvent("labeled")), NOTHING);

    // The build completed, and its webhook never arrived: once the kept check runs expire,
    // the next event sees it. (The cached policy expired too.)
    harness.clock.now = new Date(start + FACT_TTL_MS + 1_000);
    const scope = api()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(RUNS)
      .reply(200, {
        total_count: 2,
        check_runs: [buildRun("completed", "success"), listedCheckRun(1, created)],
      })
      .get(STATUSES)
      .reply(200, { state: "pending", statuses: [] })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });
    const made = await harness.receive("pull_request", pullRequestEvent("labeled"));

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 3, includes: [`GET ${POLICY_URL}`, `GET ${RUNS}`, `GET ${STATUSES}`] },
      writes: [UPDATE_RUN],
    });
    expect(bodyOf(made, UPDATE_RUN)).toMatchObject({ conclusion: "success" });
  });
});

describe("answering first", () => {
  function answeringFirst() {
    const timers = manualDelay();
    const tracked: Promise<void>[] = [];
    const timing: Partial<EvaluationTiming> = {
      settleMs: 100,
      answerFirst: true,
      delay: timers.delay,
      track: (work) => {
        const running = work();
        tracked.push(running);
        return running;
      },
    };
    return { timers, tracked, timing };
  }

  test("the webhook is answered before the evaluation, which shutdown can wait for", async () => {
    const { timers, tracked, timing } = answeringFirst();
    const harness = await createHarness({ timing });
    const scope = openScope();

    const answered = await harness.receive("pull_request", pullRequestEvent("opened"));

    expect(answered).toEqual([]);
    expect(tracked).toHaveLength(1);
    await elapseUntil(timers, Promise.all(tracked));
    expect(scope.pendingMocks()).toEqual([]);
  });

  test("a policy push is answered before its open pull requests are judged again", async () => {
    const { timers, tracked, timing } = answeringFirst();
    const harness = await createHarness({ timing });
    const push = example("push");
    push.ref = "refs/heads/master";
    const commit = (push.commits as Record<string, unknown>[])[0] ?? {};
    push.commits = [
      { ...commit, added: [], removed: [], modified: [".github/release-policy.yml"] },
    ];
    const listing = github().get(`${REPO_PATH}/pulls?state=open&per_page=100`).reply(200, []);

    const answered = await harness.receive("push", push);

    expect(answered).toEqual([]);
    expect(tracked).toHaveLength(1);
    await elapseUntil(timers, Promise.all(tracked));
    expect(listing.pendingMocks()).toEqual([]);
  });

  test("a failure after the answer releases the delivery: GitHub's redelivery evaluates again", async () => {
    const { timers, tracked, timing } = answeringFirst();
    const harness = await createHarness({ timing });
    const failing = github()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(STATUSES)
      .reply(200, { state: "pending", statuses: [] })
      .get(POLICY_AT_HEAD)
      .reply(200, contents(POLICY))
      .post(`${REPO_PATH}/check-runs`)
      .reply(500, { message: "Server Error" });

    await harness.receive("pull_request", pullRequestEvent("opened"), "delivery-a");
    await elapseUntil(timers, Promise.all(tracked));
    expect(failing.pendingMocks()).toEqual([]);

    // An opened event reads the head's facts again; the write is made this time.
    const retried = api()
      .get(RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(STATUSES)
      .reply(200, { state: "pending", statuses: [] })
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });
    await harness.receive("pull_request", pullRequestEvent("opened"), "delivery-a");
    expect(tracked).toHaveLength(2);
    await elapseUntil(timers, Promise.all(tracked));
    expect(retried.pendingMocks()).toEqual([]);
  });
});
