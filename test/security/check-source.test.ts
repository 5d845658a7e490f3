// Test evidence posted by someone else: any app on the installation, or any workflow with the
// repository's token, can report a check under any name. A required check counts only the
// source the policy names, and a name two sources report fails when the policy names none.
import nock from "nock";
import {
  api,
  bodyOf,
  cleanNock,
  contents,
  createHarness,
  example,
  expectBudget,
  github,
  listedCheckRun,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
  RUNS,
  STATUSES,
  HEAD,
  CREATE_RUN,
  UPDATE_RUN,
  type Harness,
} from "../integration/harness.js";

beforeEach(cleanNock);
afterAll(() => nock.restore());

const CI = { id: 15368, slug: "ci" };
const IMPOSTOR = { id: 9999, slug: "impostor" };

const run = (id: number, app: { id: number; slug: string }, conclusion: string | null) => ({
  id,
  name: "build",
  status: conclusion === null ? "in_progress" : "completed",
  conclusion,
  html_url: `https://github.com/Codertocat/Hello-World/runs/${id}`,
  app,
  output: { title: null, summary: null, text: null, annotations_count: 0 },
});

const policy = (checks: string) => `gates:
  tests:
    stage: pull_request
    require: { checks: ${checks} }
`;

/** Opens the pull request with CI's `build` as given; resolves with the check run created. */
async function open(
  harness: Harness,
  text: string,
  runs: object[],
): Promise<Record<string, unknown>> {
  const scope = github()
    .get(POLICY_URL)
    .reply(200, contents(text))
    .get(RUNS)
    .reply(200, { total_count: runs.length, check_runs: runs })
    .get(STATUSES)
    .reply(200, { state: "pending", statuses: [] })
    .get(POLICY_AT_HEAD)
    .reply(200, contents(text))
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id: 1 });
  const made = await harness.receive("pull_request", example("pull_request", "opened"));
  expect(scope.pendingMocks()).toEqual([]);
  expectBudget(made, { reads: { atMost: 5 }, writes: [CREATE_RUN] });
  return bodyOf(made, CREATE_RUN);
}

/** Another app's `build` completing, as the webhook carries it. */
function completed(app: { id: number; slug: string }, conclusion: string): Record<string, unknown> {
  const payload = example("check_run", "completed");
  const checkRun = payload.check_run as Record<string, unknown>;
  Object.assign(checkRun, { name: "build", conclusion, head_sha: HEAD, app: { ...app } });
  return payload;
}

/** The impostor's `build: success` arrives after CI's failure; resolves with the update. */
async function impostorReports(
  harness: Harness,
  created: Record<string, unknown>,
  ciConclusion: string | null,
): Promise<Record<string, unknown>> {
  const listed = [
    run(8, IMPOSTOR, "success"),
    run(7, CI, ciConclusion),
    listedCheckRun(1, created),
  ];
  const scope = api()
    .get(RUNS)
    .reply(200, { total_count: listed.length, check_runs: listed })
    .patch(`${REPO_PATH}/check-runs/1`)
    .reply(200, { id: 1 });
  const made = await harness.receive("check_run", completed(IMPOSTOR, "success"));
  expect(scope.pendingMocks()).toEqual([]);
  expectBudget(made, { reads: { atMost: 1 }, writes: [UPDATE_RUN] });
  return bodyOf(made, UPDATE_RUN);
}

const shown = (body: Record<string, unknown>): string => JSON.stringify(body.output);

describe("a check the policy ties to no source", () => {
  test("another app's later build: success over CI's failure fails, naming both apps", async () => {
    const harness = await createHarness();
    const created = await open(harness, policy("[build]"), [run(7, CI, "failure")]);
    expect(created).toMatchObject({ conclusion: "failure" });

    const updated = await impostorReports(harness, created, "failure");

    expect(updated).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(shown(updated)).toContain("more than one source");
    expect(shown(updated)).toContain("by app \\\\`impostor\\\\` and app \\\\`ci\\\\`");
  });

  test("another app's build: success while CI still runs fails rather than waits", async () => {
    const harness = await createHarness();
    const created = await open(harness, policy("[build]"), [run(7, CI, null)]);
    expect(created).toMatchObject({ status: "in_progress" });

    const updated = await impostorReports(harness, created, null);

    expect(updated).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(shown(updated)).toContain("more than one source");
  });

  test("a commit status posted as build: success beside CI's check run fails, naming both", async () => {
    const harness = await createHarness();
    await open(harness, policy("[build]"), [run(7, CI, null)]);
    // The check runs are kept from the opening: only the statuses are read again.
    const scope = api()
      .get(STATUSES)
      .reply(200, {
        state: "success",
        statuses: [{ context: "build", state: "success", target_url: null }],
      })
      .get(`${REPO_PATH}/commits/${HEAD}/pulls`)
      .reply(200, [example("pull_request", "opened").pull_request])
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });

    const made = await harness.receive("status", {
      ...example("status"),
      sha: HEAD,
      context: "build",
      state: "success",
    });

    expect(scope.pendingMocks()).toEqual([]);
    const updated = bodyOf(made, UPDATE_RUN);
    expect(updated).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(shown(updated)).toContain("by app \\\\`ci\\\\` and a commit status");
  });
});

describe("a check the policy ties to an app", () => {
  const SOURCED = policy("[{ name: build, app: ci }]");

  test("another app's later build: success does not stand in for CI's failure", async () => {
    const harness = await createHarness();
    const created = await open(harness, SOURCED, [run(7, CI, "failure")]);

    const updated = await impostorReports(harness, created, "failure");

    expect(updated).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(shown(updated)).toContain("check \\\\`build\\\\` failed");
    expect(shown(updated)).toContain("not counted");
  });

  test("another app's build: success while CI still runs leaves the gate waiting on CI", async () => {
    const harness = await createHarness();
    const created = await open(harness, SOURCED, [run(7, CI, null)]);

    const updated = await impostorReports(harness, created, null);

    expect(updated).toMatchObject({ status: "in_progress" });
    expect(shown(updated)).toContain("waiting for check");
  });

  test("CI's own success passes, whatever another app says", async () => {
    const harness = await createHarness();
    const created = await open(harness, SOURCED, [
      run(8, IMPOSTOR, "failure"),
      run(7, CI, "success"),
    ]);

    expect(created).toMatchObject({ status: "completed", conclusion: "success" });
  });
});
