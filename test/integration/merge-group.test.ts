// Merge queues: `merge_group.checks_requested` gets a `release-policy` check on the group's
// head commit, passing only when every pull request in the group passed its own check. The
// payload is GitHub's published example, checked against GitHub's webhook schema.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv } from "ajv";
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
  NOTHING,
  OWNER,
  POLICY_URL,
  REPO,
  REPO_PATH,
  CREATE_RUN,
  UPDATE_RUN,
} from "./harness.js";

const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;
const ORG_POLICY_URL = `/repos/${OWNER}/.github/contents/.github%2Frelease-policy.yml`;

const GROUP_HEAD = "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d";
const MAIN_TIP = "380387fbc80638b734a49e1be1c4dfec1c01b33c";
/** The head of the queue entry ahead (#103), which #104's group is stacked on. */
const AHEAD_HEAD = "929f8209d40f77f4abc622a499c93a83babdbe64";
const HEAD_104 = "aaaa000000000000000000000000000000000104";
const HEAD_103 = "aaaa000000000000000000000000000000000103";
const OWN_BRANCH = `gh-readonly-queue/main/pr-104-${AHEAD_HEAD}`;
const AHEAD_BRANCH = `gh-readonly-queue/main/pr-103-${MAIN_TIP}`;

const QUEUE = `${REPO_PATH}/git/matching-refs/heads%2Fgh-readonly-queue%2Fmain%2F`;
const pull = (n: number) => `${REPO_PATH}/pulls/${n}`;
const ownRuns = (sha: string) =>
  `${REPO_PATH}/commits/${sha}/check-runs?check_name=release-policy&filter=latest&per_page=100`;

/** GitHub's example of the event, in the harness's repository. */
function checksRequested(headRef = `refs/heads/${OWN_BRANCH}`): Record<string, unknown> {
  const payload = example("merge_group", "checks_requested");
  const group = payload.merge_group as Record<string, unknown>;
  group.head_ref = headRef;
  const repository = payload.repository as Record<string, unknown>;
  Object.assign(repository, { name: REPO, full_name: `${OWNER}/${REPO}` });
  (repository.owner as Record<string, unknown>).login = OWNER;
  return payload;
}

const queueRef = (branch: string, sha: string) => ({
  ref: `refs/heads/${branch}`,
  node_id: "REF_kwDOAAAB",
  url: `https://api.github.com${REPO_PATH}/git/refs/heads/${branch}`,
  object: { type: "commit", sha, url: `https://api.github.com${REPO_PATH}/git/commits/${sha}` },
});

const pullRequest = (number: number, headSha: string, base = "main", state = "open") => ({
  number,
  state,
  html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
  base: { ref: base },
  head: { sha: headSha, ref: `feature-${number}` },
});

/** The app's own check on a pull request's head, as GitHub lists it. */
const verdict = (headSha: string, conclusion: string | null, appId?: number) => ({
  total_count: 1,
  check_runs: [
    listedCheckRun(
      7,
      {
        status: conclusion === null ? "in_progress" : "completed",
        conclusion,
        output: { title: "t", summary: "s" },
      },
      { headSha, ...(appId ? { appId } : {}) },
    ),
  ],
});
const NONE = { total_count: 0, check_runs: [] };

beforeEach(cleanNock);
afterAll(() => nock.restore());

test("the payload is GitHub's example of merge_group.checks_requested, valid under its schema", () => {
  const require = createRequire(import.meta.url);
  const document = JSON.parse(
    readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.deref.json"), "utf8"),
  ) as {
    "x-webhooks": Record<string, { post: { requestBody: { content: Record<string, unknown> } } }>;
  };
  const schema = document["x-webhooks"]["merge-group-checks-requested"]?.post.requestBody.content[
    "application/json"
  ] as { schema: object };
  // Shapes, not formats: GitHub's own example has `"homepage": ""` where the schema says uri.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema.schema);
  expect([validate(checksRequested()), validate.errors ?? []]).toEqual([true, []]);
});

describe("merge_group.checks_requested", () => {
  test("one pull request that passed: the group's head gets a passing check, once", async () => {
    const harness = await createHarness();
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(ORG_POLICY_URL)
      .reply(404, { message: "Not Found" })
      .get(QUEUE)
      .reply(200, [queueRef(OWN_BRANCH, GROUP_HEAD)])
      .get(pull(104))
      .reply(200, pullRequest(104, HEAD_104))
      .get(ownRuns(HEAD_104))
      .reply(200, verdict(HEAD_104, "success"))
      .get(ownRuns(GROUP_HEAD))
      .reply(200, NONE)
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const made = await harness.receive("merge_group", checksRequested(), "group-1");

    expect(scope.pendingMocks()).toEqual([]);
    // An organization's base is read once: is it required?
    expectBudget(made, {
      reads: { atMost: 7, includes: [`GET ${ORG_POLICY_URL}`] },
      writes: [CREATE_RUN],
    });
    const created = bodyOf(made, CREATE_RUN);
    expect(created).toMatchObject({
      name: "release-policy",
      head_sha: GROUP_HEAD,
      status: "completed",
      conclusion: "success",
      output: { title: "Pull request passed" },
      // "Re-evaluate" judges pull requests: a merge group is judged again by queuing anew.
      actions: [],
    });
    const summary = (created.output as { summary: string }).summary;
    expect(summary).toContain(
      `| [#104](https://github.com/${OWNER}/${REPO}/pull/104) | ✅ pass | release-policy passed on its head aaaa000. |`,
    );

    // The same delivery again: nothing is read or written.
    expectBudget(await harness.receive("merge_group", checksRequested(), "group-1"), NOTHING);

    // Another delivery for the same group: judged again, and the check already says so.
    api()
      .get(QUEUE)
      .reply(200, [queueRef(OWN_BRANCH, GROUP_HEAD)])
      .get(pull(104))
      .reply(200, pullRequest(104, HEAD_104))
      .get(ownRuns(HEAD_104))
      .reply(200, verdict(HEAD_104, "success"))
      .get(ownRuns(GROUP_HEAD))
      .reply(200, { total_count: 1, check_runs: [listedCheckRun(1, created)] });
    const again = await harness.receive("merge_group", checksRequested(), "group-2");
    expectBudget(again, { reads: { atMost: 4 }, writes: [] });
  });

  test("a group stacked on another entry: every pull request in it is judged, and a failing one named", async () => {
    const harness = await createHarness();
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(ORG_POLICY_URL)
      .reply(404, { message: "Not Found" })
      .get(QUEUE)
      .reply(200, [queueRef(AHEAD_BRANCH, AHEAD_HEAD), queueRef(OWN_BRANCH, GROUP_HEAD)])
      .get(pull(104))
      .reply(200, pullRequest(104, HEAD_104))
      .get(ownRuns(HEAD_104))
      .reply(200, verdict(HEAD_104, "success"))
      .get(pull(103))
      .reply(200, pullRequest(103, HEAD_103))
      .get(ownRuns(HEAD_103))
      .reply(200, verdict(HEAD_103, "failure"))
      .get(ownRuns(GROUP_HEAD))
      .reply(200, NONE)
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const made = await harness.receive("merge_group", checksRequested());

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 9, includes: [`GET ${pull(103)}`, `GET ${ownRuns(HEAD_103)}`] },
      writes: [CREATE_RUN],
    });
    const created = bodyOf(made, CREATE_RUN);
    expect(created).toMatchObject({
      head_sha: GROUP_HEAD,
      conclusion: "failure",
      output: { title: "#103 did not pass" },
    });
    const summary = (created.output as { summary: string }).summary;
    expect(summary).toContain("| ✅ pass | release-policy passed on its head aaaa000. |");
    expect(summary).toContain(
      `| [#103](https://github.com/${OWNER}/${REPO}/pull/103) | ❌ fail | release-policy concluded failure on its head aaaa000. |`,
    );
  });

  test.each([
    ["no check on its head", NONE, "Its head aaaa000 has no release-policy check from this app."],
    [
      "a check of the same name by another app",
      verdict(HEAD_104, "success", 1),
      "Its head aaaa000 has no release-policy check from this app.",
    ],
    ["a check still running", verdict(HEAD_104, null), "release-policy is still pending"],
  ])("a pull request with %s does not pass", async (_, runs, reason) => {
    const harness = await createHarness();
    github()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(ORG_POLICY_URL)
      .reply(404, { message: "Not Found" })
      .get(QUEUE)
      .reply(200, [queueRef(OWN_BRANCH, GROUP_HEAD)])
      .get(pull(104))
      .reply(200, pullRequest(104, HEAD_104))
      .get(ownRuns(HEAD_104))
      .reply(200, runs)
      .get(ownRuns(GROUP_HEAD))
      .reply(200, NONE)
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const created = bodyOf(await harness.receive("merge_group", checksRequested()), CREATE_RUN);

    expect(created).toMatchObject({
      conclusion: "failure",
      output: { title: "#104 did not pass" },
    });
    expect((created.output as { summary: string }).summary).toContain(reason);
  });

  test("a pull request that now targets another branch does not pass", async () => {
    const harness = await createHarness();
    github()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(ORG_POLICY_URL)
      .reply(404, { message: "Not Found" })
      .get(QUEUE)
      .reply(200, [queueRef(OWN_BRANCH, GROUP_HEAD)])
      .get(pull(104))
      .reply(200, pullRequest(104, HEAD_104, "release"))
      .get(ownRuns(HEAD_104))
      .reply(200, verdict(HEAD_104, "success"))
      .get(ownRuns(GROUP_HEAD))
      .reply(200, NONE)
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const created = bodyOf(await harness.receive("merge_group", checksRequested()), CREATE_RUN);

    expect(created).toMatchObject({ conclusion: "failure" });
    expect((created.output as { summary: string }).summary).toContain(
      "It targets release, not main.",
    );
  });

  test("a read that fails: the check fails and says why, and a redelivery judges again", async () => {
    const harness = await createHarness();
    const written: Record<string, unknown>[] = [];
    github()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(ORG_POLICY_URL)
      .reply(404, { message: "Not Found" })
      .get(QUEUE)
      .reply(200, [queueRef(OWN_BRANCH, GROUP_HEAD)])
      .get(pull(104))
      .reply(502, { message: "Server Error" })
      .get(ownRuns(GROUP_HEAD))
      .reply(200, NONE)
      // The body matcher keeps what was written: the failing delivery returns no requests.
      .post(`${REPO_PATH}/check-runs`, (body: Record<string, unknown>) => {
        written.push(body);
        return true;
      })
      .reply(201, { id: 1 });

    // The delivery fails (its claim is released), after the check that says why is written.
    await expect(harness.receive("merge_group", checksRequested(), "group-502")).rejects.toThrow(
      "Server Error",
    );

    const [failed] = written;
    expect(written).toHaveLength(1);
    expect(failed).toMatchObject({
      head_sha: GROUP_HEAD,
      conclusion: "failure",
      output: { title: "Merge group could not be judged" },
    });
    expect((failed?.output as { summary: string }).summary).toContain(
      "**Why:** GitHub answered 502: Server Error",
    );
    // GitHub redelivers (same delivery id): judged again, and the check is corrected.
    const scope = api()
      .get(QUEUE)
      .reply(200, [queueRef(OWN_BRANCH, GROUP_HEAD)])
      .get(pull(104))
      .reply(200, pullRequest(104, HEAD_104))
      .get(ownRuns(HEAD_104))
      .reply(200, verdict(HEAD_104, "success"))
      .get(ownRuns(GROUP_HEAD))
      .reply(200, { total_count: 1, check_runs: [listedCheckRun(1, failed ?? {})] })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });

    const made = await harness.receive("merge_group", checksRequested(), "group-502");

    expect(scope.pendingMocks()).toEqual([]);
    expect(bodyOf(made, UPDATE_RUN)).toMatchObject({ conclusion: "success" });
  });

  test("a head branch that is no queue branch of the base: fails, naming no pull request", async () => {
    const harness = await createHarness();
    github()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(ORG_POLICY_URL)
      .reply(404, { message: "Not Found" })
      .get(ownRuns(GROUP_HEAD))
      .reply(200, NONE)
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const made = await harness.receive(
      "merge_group",
      checksRequested(`refs/heads/gh-readonly-queue/release/pr-104-${AHEAD_HEAD}`),
    );

    // An organization's base is read once: is it required? No queue entry is looked up.
    expectBudget(made, {
      reads: {
        atMost: 4,
        includes: [`GET ${ORG_POLICY_URL}`],
        excludes: [`GET ${QUEUE}`, `GET ${pull(104)}`],
      },
      writes: [CREATE_RUN],
    });
    expect(bodyOf(made, CREATE_RUN)).toMatchObject({
      conclusion: "failure",
      output: { title: "No pull request to judge" },
    });
  });

  test("a repository without a policy: no check, as on its pull requests", async () => {
    const harness = await createHarness();
    github().get(POLICY_URL).reply(404, { message: "Not Found" });
    api().get(ORG_POLICY_URL).reply(404, { message: "Not Found" });

    const made = await harness.receive("merge_group", checksRequested());

    expectBudget(made, { reads: { atMost: 3 }, writes: [] });
  });
});
