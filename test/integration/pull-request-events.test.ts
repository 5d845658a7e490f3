// Events around a pull request: which cost nothing once the policy is cached, and which
// re-evaluate it (a named check completing, the policy changing, "Re-evaluate").
import nock from "nock";
import {
  api,
  APP_ID,
  bodyOf,
  cleanNock,
  contents,
  createHarness,
  example,
  expectBudget,
  github,
  listedCheckRun,
  NOTHING,
  POLICY_URL,
  REPO_PATH,
  type Harness,
  HEAD,
  RUNS,
  STATUSES,
  POLICY_AT_HEAD,
  PULL,
  CREATE_RUN,
  UPDATE_RUN,
} from "./harness.js";

const OPEN_PULLS = `${REPO_PATH}/pulls?state=open&per_page=100`;
/** The head's check runs and its statuses, with any query. */
const HEAD_RUNS = `${REPO_PATH}/commits/${HEAD}/check-runs`;
const HEAD_STATUS = `${REPO_PATH}/commits/${HEAD}/status`;

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
  const payload = example("pull_request", action);
  (payload.pull_request as Record<string, unknown>).title = TITLE;
  return payload;
}

const pullRequest = () => pullRequestEvent("opened").pull_request as Record<string, unknown>;

/** A completed check run on the head, as the webhook carries it. */
function checkRunEvent(
  action: string,
  run: { name: string; appId: number; conclusion?: string },
): Record<string, unknown> {
  const payload = example("check_run", "completed");
  payload.action = action;
  const checkRun = payload.check_run as Record<string, unknown>;
  checkRun.name = run.name;
  checkRun.conclusion = run.conclusion ?? "success";
  (checkRun.app as Record<string, unknown>).id = run.appId;
  return payload;
}

const build = (conclusion: string) => ({
  id: 7,
  name: "build",
  status: "completed",
  conclusion,
  html_url: "https://github.com/Codertocat/Hello-World/runs/7",
  app: { id: 15368 },
  output: { title: null, summary: null, text: null, annotations_count: 0 },
});

/** Opens the pull request: the pattern holds, the build has not reported. */
async function open(harness: Harness): Promise<Record<string, unknown>> {
  const scope = github()
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
  const made = await harness.receive("pull_request", pullRequestEvent("opened"));
  expect(scope.pendingMocks()).toEqual([]);
  expectBudget(made, { reads: { atMost: 5 }, writes: [CREATE_RUN] });
  const created = bodyOf(made, CREATE_RUN);
  expect(created).toMatchObject({
    status: "in_progress",
    output: { title: "1 of 2 gates pass · waiting on 1" },
  });
  return created;
}

function push(ref: string, files: { added?: string[]; modified?: string[] }) {
  const payload = example("push");
  payload.ref = ref;
  const commit = (payload.commits as Record<string, unknown>[])[0] ?? {};
  payload.commits = [{ ...commit, added: [], removed: [], modified: [], ...files }];
  return payload;
}

function unrelatedComment(onPullRequest: boolean) {
  const payload = example("issue_comment", "edited");
  if (onPullRequest) {
    Object.assign(payload.issue as object, {
      number: 2,
      pull_request: { url: `https://api.github.com${PULL}` },
    });
  }
  return payload;
}

describe("events that cannot change anything cost no request once the policy is cached", () => {
  test.each([
    [
      "check_run.completed of a check no gate names",
      "check_run",
      () => checkRunEvent("completed", { name: "Octocoders-linter", appId: 29310 }),
    ],
    [
      "the app's own check run echoing back",
      "check_run",
      () => checkRunEvent("completed", { name: "release-policy", appId: APP_ID }),
    ],
    ["issue_comment.edited on an issue", "issue_comment", () => unrelatedComment(false)],
    [
      "issue_comment.edited of someone else's comment on the pull request",
      "issue_comment",
      () => unrelatedComment(true),
    ],
    [
      "a push to another branch, even touching the policy",
      "push",
      () => push("refs/heads/feature", { modified: [".github/release-policy.yml"] }),
    ],
    [
      "a push to the default branch not touching the policy",
      "push",
      () => push("refs/heads/master", { modified: ["README.md"] }),
    ],
    [
      "a commit status no gate names",
      "status",
      () => ({ ...example("status"), sha: HEAD, context: "coverage" }),
    ],
  ])("%s", async (_name, event, payload) => {
    const harness = await createHarness();
    await open(harness);

    expectBudget(await harness.receive(event, payload()), NOTHING);
  });
});

describe("events that re-evaluate", () => {
  test("check_run.completed of a named check re-reads the check runs only, and re-evaluates", async () => {
    const harness = await createHarness();
    const created = await open(harness);
    const scope = api()
      .get(RUNS)
      .reply(200, { total_count: 2, check_runs: [build("success"), listedCheckRun(1, created)] })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });

    // The pull request is as the opened event showed it, and the statuses did not change.
    const made = await harness.receive(
      "check_run",
      checkRunEvent("completed", { name: "build", appId: 15368 }),
    );

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: {
        atMost: 1,
        includes: [`GET ${RUNS}`],
        excludes: [`GET ${PULL}`, `GET ${HEAD_STATUS}`],
      },
      writes: [UPDATE_RUN],
    });
    expect(bodyOf(made, UPDATE_RUN)).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "All 2 gates pass" },
    });
  });

  test("check_run.completed from a fork (no pull_requests in the payload) finds the pull request by commit", async () => {
    const harness = await createHarness();
    const created = await open(harness);
    const pulls = `${REPO_PATH}/commits/${HEAD}/pulls`;
    const scope = api()
      .get(pulls)
      .reply(200, [pullRequest()])
      .get(RUNS)
      .reply(200, { total_count: 2, check_runs: [build("success"), listedCheckRun(1, created)] })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });
    const payload = checkRunEvent("completed", { name: "build", appId: 15368 });
    (payload.check_run as Record<string, unknown>).pull_requests = [];
    (payload.check_run as Record<string, unknown>).head_sha = HEAD;

    const made = await harness.receive("check_run", payload);

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, { reads: { atMost: 2, includes: [`GET ${pulls}`] }, writes: [UPDATE_RUN] });
    expect(bodyOf(made, UPDATE_RUN)).toMatchObject({ conclusion: "success" });
  });

  test("a push that changes the policy drops the cached one and re-evaluates each open pull request on its kept facts", async () => {
    const harness = await createHarness();
    await open(harness);
    const stricter = `${POLICY}  labelled:
    stage: pull_request
    require: { labels: { one_of: ["risk: low", "risk: high"] } }
`;
    const scope = api()
      .get(OPEN_PULLS)
      .reply(200, [pullRequest()])
      .get(POLICY_URL)
      .reply(200, contents(stricter, "policysha2"))
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });

    const made = await harness.receive(
      "push",
      push("refs/heads/master", { modified: [".github/release-policy.yml"] }),
    );

    expect(scope.pendingMocks()).toEqual([]);
    // A policy is not a fact of the pull request: its check runs and statuses are kept.
    expectBudget(made, {
      reads: {
        atMost: 2,
        includes: [`GET ${OPEN_PULLS}`, `GET ${POLICY_URL}`],
        excludes: [`GET ${HEAD_RUNS}`, `GET ${HEAD_STATUS}`],
      },
      writes: [UPDATE_RUN],
    });
    const updated = bodyOf(made, UPDATE_RUN);
    expect(updated).toMatchObject({ status: "completed", conclusion: "failure" });
    expect((updated.output as { summary: string }).summary).toContain("**labelled**");
  });

  test('"Re-evaluate" on the app\'s check re-reads the policy and the pull request', async () => {
    const harness = await createHarness();
    const created = await open(harness);
    // The policy changed without the push reaching the app.
    const relaxed = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;
    const scope = api()
      .get(POLICY_URL)
      .reply(200, contents(relaxed, "policysha2"))
      .get(PULL)
      .reply(200, pullRequest())
      .get(RUNS)
      .reply(200, { total_count: 1, check_runs: [listedCheckRun(1, created)] })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });
    const payload = checkRunEvent("requested_action", { name: "release-policy", appId: APP_ID });
    payload.requested_action = { identifier: "reevaluate" };

    const made = await harness.receive("check_run", payload);

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 3, includes: [`GET ${POLICY_URL}`, `GET ${PULL}`] },
      writes: [UPDATE_RUN],
    });
    expect(bodyOf(made, UPDATE_RUN)).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "1 gate passes" },
    });
  });
});
