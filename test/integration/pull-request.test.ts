// The pull-request pipeline end to end: policy loading, approvals, idempotence, policy
// edits and API errors. Every event's writes are listed exactly and its reads counted; a
// read a test is about making or avoiding is named.
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
  REPO_PATH,
  type Harness,
  HEAD,
  RUNS,
  OWN_RUNS,
  POLICY_AT_HEAD,
  CREATE_RUN,
  UPDATE_RUN,
  COMMITS,
  REVIEWS,
} from "./harness.js";

const OLD_COMMIT = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
const ORG_POLICY_URL = `/repos/${OWNER}/.github/contents/.github%2Frelease-policy.yml`;
/** Any check-run listing of the head: the full one or the app's own. */
const HEAD_RUNS = `${REPO_PATH}/commits/${HEAD}/check-runs`;
const FILES = `${REPO_PATH}/pulls/2/files?per_page=100`;
const TEAM_ENG = `/orgs/${OWNER}/teams/eng/members?per_page=100`;

const REVIEW_POLICY = `gates:
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1, from: { teams: [eng] } } }
`;

beforeEach(cleanNock);
afterAll(() => nock.restore());

const review = (user: string, state: string, commitId = HEAD, at = "2026-11-26T09:00:00Z") => ({
  id: user.length * 1000 + state.length,
  user: { login: user, type: "User" },
  state,
  commit_id: commitId,
  submitted_at: at,
});

/** The reviews GitHub lists before the eligible approval arrives. */
const EARLY_REVIEWS = [
  review("Codertocat", "APPROVED"), // the author approving their own change
  review("carol", "APPROVED"), // carol committed to the pull request
  review("bob", "APPROVED", OLD_COMMIT), // approved a commit that is no longer the head
];
const COMMIT_LIST = [
  { sha: OLD_COMMIT, author: { login: "Codertocat" }, committer: { login: "web-flow" } },
  { sha: HEAD, author: { login: "carol" }, committer: { login: "web-flow" } },
];
const ENG_MEMBERS = ["Codertocat", "carol", "bob", "alice"].map((login) => ({ login }));
/** Someone else's check run of the same name: never the one the app updates. */
const FOREIGN_RUN = {
  id: 99,
  name: "release-policy",
  status: "completed",
  conclusion: "success",
  app: { id: 1 },
  output: { title: "impostor", summary: "", text: null, annotations_count: 0 },
};

function approvedByAlice(): Record<string, unknown> {
  const payload = example("pull_request_review", "submitted");
  const reviewPayload = payload.review as Record<string, unknown>;
  Object.assign(reviewPayload, { state: "approved", user: { login: "alice", type: "User" } });
  payload.sender = { login: "alice", type: "User" };
  return payload;
}

/** Opens the pull request under REVIEW_POLICY: the check is created, waiting on a review. */
async function openForReview(harness: Harness): Promise<Record<string, unknown>> {
  const scope = github()
    .get(POLICY_URL)
    .reply(200, contents(REVIEW_POLICY))
    .get(REVIEWS)
    .reply(200, EARLY_REVIEWS)
    .get(COMMITS)
    .reply(200, COMMIT_LIST)
    .get(RUNS)
    .reply(200, { total_count: 1, check_runs: [FOREIGN_RUN] })
    .get(TEAM_ENG)
    .reply(200, ENG_MEMBERS)
    .get(POLICY_AT_HEAD)
    .reply(200, contents(REVIEW_POLICY))
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id: 1 });
  const made = await harness.receive("pull_request", example("pull_request", "opened"));
  expect(scope.pendingMocks()).toEqual([]);
  expectBudget(made, { reads: { atMost: 7 }, writes: [CREATE_RUN] });
  return bodyOf(made, CREATE_RUN);
}

describe("policy loading", () => {
  test("no policy in the repository nor in <owner>/.github: quiet, and cached", async () => {
    const harness = await createHarness();
    const scope = github()
      .get(POLICY_URL)
      .reply(404, { message: "Not Found" })
      .get(ORG_POLICY_URL)
      .reply(404, { message: "Not Found" });

    const made = await harness.receive("pull_request", example("pull_request", "opened"));

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 3, includes: [`GET ${POLICY_URL}`, `GET ${ORG_POLICY_URL}`] },
      writes: [],
    });
    // The absence is remembered: the next event reads nothing.
    const next = await harness.receive("pull_request", example("pull_request", "synchronize"));
    expectBudget(next, NOTHING);
  });

  test("an invalid policy fails the check with each problem and reads nothing else", async () => {
    const harness = await createHarness();
    const invalid = `gates:
  review:
    stage: pull_request
    require: { approvals: { count: 0 } }
`;
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(invalid))
      .get(OWN_RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const made = await harness.receive("pull_request", example("pull_request", "opened"));

    expect(scope.pendingMocks()).toEqual([]);
    // Only the app's own run is looked up, to write the check: no fact the gates need.
    expectBudget(made, {
      reads: {
        atMost: 3,
        includes: [`GET ${OWN_RUNS}`],
        excludes: [`GET ${REPO_PATH}/pulls/2/reviews`, `GET ${RUNS}`, `GET ${POLICY_AT_HEAD}`],
      },
      writes: [CREATE_RUN],
    });
    const created = bodyOf(made, CREATE_RUN);
    expect(created).toMatchObject({
      name: "release-policy",
      head_sha: HEAD,
      status: "completed",
      conclusion: "failure",
      output: { title: "Policy is invalid" },
    });
    const summary = (created.output as { summary: string }).summary;
    expect(summary).toContain(
      "Codertocat/Hello-World:.github/release-policy.yml:4:36 · gates.review.require.approvals.count",
    );
  });
});

describe("approvals", () => {
  test("the author's, a committer's and a stale approval do not count", async () => {
    const harness = await createHarness();
    const created = await openForReview(harness);

    expect(created).toMatchObject({ head_sha: HEAD, status: "in_progress" });
    expect(created).not.toHaveProperty("conclusion");
    const output = created.output as { title: string; summary: string; text: string };
    expect(output.title).toBe("0 of 1 gate passes · waiting on 1");
    expect(output.summary).toContain("0 of 1 approval from team eng");
    expect(output.text).toContain("@\u2060Codertocat is the author: segregation of duties");
    expect(output.text).toContain(
      "@\u2060carol committed to this pull request: segregation of duties",
    );
    expect(output.text).toContain("@\u2060bob approved an older commit 6113728");
  });

  test("an eligible approval on the head turns the gate green: the app's own run is updated", async () => {
    const harness = await createHarness();
    const created = await openForReview(harness);
    expect(created).toMatchObject({ status: "in_progress" });
    const scope = api()
      .get(REVIEWS)
      .reply(200, [...EARLY_REVIEWS, review("alice", "APPROVED", HEAD, "2026-11-26T09:30:00Z")])
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });

    // A review changes only the reviews: the committers, the check runs (the app's own as it
    // created it), the team's members and the verdict on the head's policy file are kept.
    const made = await harness.receive("pull_request_review", approvedByAlice());

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: {
        atMost: 1,
        includes: [`GET ${REVIEWS}`],
        excludes: [
          `GET ${COMMITS}`,
          `GET ${HEAD_RUNS}`,
          `GET ${TEAM_ENG}`,
          `GET ${POLICY_AT_HEAD}`,
        ],
      },
      writes: [UPDATE_RUN],
    });
    const updated = bodyOf(made, UPDATE_RUN);
    expect(updated).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "1 gate passes" },
    });
    expect((updated.output as { text: string }).text).toContain("@\u2060alice approved");
  });
});

describe("idempotence", () => {
  async function approved(harness: Harness): Promise<void> {
    await openForReview(harness);
    api()
      .get(REVIEWS)
      .reply(200, [...EARLY_REVIEWS, review("alice", "APPROVED")])
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });
    const made = await harness.receive("pull_request_review", approvedByAlice(), "review-1");
    expectBudget(made, { reads: { atMost: 1 }, writes: [UPDATE_RUN] });
  }

  /** A review event reads the reviews again, and nothing else while the rest is kept. */
  function unchangedReads(): nock.Scope {
    return api()
      .get(REVIEWS)
      .reply(200, [...EARLY_REVIEWS, review("alice", "APPROVED")]);
  }

  test("an identical event writes nothing; a redelivery requests nothing", async () => {
    const harness = await createHarness();
    await approved(harness);
    const scope = unchangedReads();

    const again = await harness.receive("pull_request_review", approvedByAlice(), "review-2");

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(again, { reads: { atMost: 1, includes: [`GET ${REVIEWS}`] }, writes: [] });
    const redelivered = await harness.receive("pull_request_review", approvedByAlice(), "review-2");
    expectBudget(redelivered, NOTHING);
  });

  test("a later identical event writes nothing either: only the evaluation time differs", async () => {
    const harness = await createHarness();
    await approved(harness);
    // Team membership expired; the policy and the kept facts not.
    harness.clock.now = new Date("2026-11-26T10:05:00Z");
    const scope = unchangedReads().get(TEAM_ENG).reply(200, ENG_MEMBERS);

    const later = await harness.receive("pull_request_review", approvedByAlice());

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(later, {
      reads: {
        atMost: 2,
        includes: [`GET ${REVIEWS}`, `GET ${TEAM_ENG}`],
        excludes: [`GET ${POLICY_URL}`, `GET ${COMMITS}`, `GET ${HEAD_RUNS}`],
      },
      writes: [],
    });
  });

  test("a review that only comments cannot change a gate and costs nothing", async () => {
    const harness = await createHarness();
    await openForReview(harness);
    const commented = example("pull_request_review", "submitted"); // state: commented

    expectBudget(await harness.receive("pull_request_review", commented), NOTHING);
  });
});

describe("failing closed", () => {
  test("a 500 on the reviews fails the check with the reason; nothing passes", async () => {
    const harness = await createHarness();
    const created = await openForReview(harness);
    expect(created).toMatchObject({ status: "in_progress" });
    const scope = api()
      .get(REVIEWS)
      .reply(500, { message: "Server Error" })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });

    // The app's own run is known from the kept check runs: the failure costs no other read.
    const made = await harness.receive("pull_request_review", approvedByAlice());

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 1, excludes: [`GET ${HEAD_RUNS}`] },
      writes: [UPDATE_RUN],
    });
    const updated = bodyOf(made, UPDATE_RUN);
    expect(updated).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Blocked: 1 gate could not be evaluated" },
    });
    const summary = (updated.output as { summary: string }).summary;
    expect(summary).toContain("Could not read from GitHub: GitHub answered 500");
    expect(summary).not.toContain("✅ pass");

    // The failed read left nothing kept: a label, which changes no fact read from GitHub,
    // still reads the reviews again, and the gate passes on them.
    const retry = api()
      .get(REVIEWS)
      .reply(200, [...EARLY_REVIEWS, review("alice", "APPROVED")])
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });
    const labeled = await harness.receive("pull_request", example("pull_request", "labeled"));
    expect(retry.pendingMocks()).toEqual([]);
    expectBudget(labeled, {
      reads: { atMost: 1, includes: [`GET ${REVIEWS}`] },
      writes: [UPDATE_RUN],
    });
    expect(bodyOf(labeled, UPDATE_RUN)).toMatchObject({ conclusion: "success" });
  });
});

describe("a pull request that edits the policy file", () => {
  const BROKEN_EDIT = `gates:
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1, from: { teams: [eng] } } }
  deploy:
    stage: sometimes
    require: { pattern: "CHG[0-9]{7}" }
  tests:
    stage: pull_request
    require: { checks: [build], approvals: { count: 0 } }
`;

  /**
   * Opens the pull request, nobody has reviewed yet; `atHead` answers the head's copy and
   * `bases` the base policies it extends, read from their default branches.
   */
  async function openEditing(
    harness: Harness,
    atHead: [number, object],
    bases: [path: string, text: string][] = [],
    /** The pull request's changed files; null when they are not read. */
    changed: string[] | null = [".github/release-policy.yml"],
  ) {
    let scope = github()
      .get(POLICY_URL)
      .reply(200, contents(REVIEW_POLICY, "default-sha"))
      .get(REVIEWS)
      .reply(200, [])
      .get(COMMITS)
      .reply(200, COMMIT_LIST)
      .get(RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(TEAM_ENG)
      .reply(200, ENG_MEMBERS)
      .get(POLICY_AT_HEAD)
      .reply(...atHead);
    if (changed) {
      const listed = changed.map((filename) => ({ filename, status: "modified" }));
      scope = scope.get(FILES).reply(200, listed);
    }
    for (const [path, text] of bases)
      scope = scope.get(path).reply(200, contents(text, "base-sha"));
    scope = scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
    const made = await harness.receive("pull_request", example("pull_request", "opened"));
    expect(scope.pendingMocks()).toEqual([]);
    // What opening costs under REVIEW_POLICY, and the changed files and each base on top.
    expectBudget(made, {
      reads: {
        atMost: 7 + (changed ? 1 : 0) + bases.length,
        includes: bases.map(([path]) => `GET ${path}`),
      },
      writes: [CREATE_RUN],
    });
    return bodyOf(made, CREATE_RUN);
  }

  test("its copy is checked merged with the base it extends: redefining an inherited gate fails", async () => {
    const harness = await createHarness();
    // A base in its own repository: another repository's, new to the default branch's
    // policy, is refused unread (test/security/extends-disclosure.test.ts).
    const base = `${REPO_PATH}/contents/.github%2Fbase-policy.yml`;
    const extending = `_extends: Hello-World:.github/base-policy.yml\n${REVIEW_POLICY}`;
    const created = await openEditing(
      harness,
      [200, contents(extending, "edited-sha")],
      [[base, REVIEW_POLICY]],
    );

    expect(created).toMatchObject({ status: "completed", conclusion: "failure" });
    const output = created.output as { summary: string; annotations: Record<string, unknown>[] };
    expect(output.summary).toContain("**policy-file**");
    expect(output.annotations).toHaveLength(1);
    expect(output.annotations[0]).toMatchObject({
      path: ".github/release-policy.yml",
      start_line: 3,
      title: "gates.peer-review",
    });
    expect(output.annotations[0]?.message).toContain("base-policy.yml");
  });

  test("a copy that differs only because the default branch moved on is not an edit", async () => {
    const harness = await createHarness();
    const created = await openEditing(
      harness,
      [200, contents(BROKEN_EDIT, "older-sha")],
      [],
      ["README.md"],
    );

    expect(created).toMatchObject({ status: "in_progress" });
    expect((created.output as { summary: string }).summary).not.toContain("policy-file");
    expect(created.output).not.toHaveProperty("annotations");
  });

  test("deleting the policy file is shown, and passes: the pull request is still judged by it", async () => {
    const harness = await createHarness();
    const created = await openEditing(harness, [404, { message: "Not Found" }]);

    expect(created).toMatchObject({ status: "in_progress" });
    const output = created.output as { summary: string };
    expect(output.summary).toContain("This pull request deletes .github/release-policy.yml");
    expect(created.output).not.toHaveProperty("annotations");
  });

  test("its invalid copy fails a policy-file gate, annotated on the exact lines", async () => {
    const harness = await createHarness();
    const created = await openEditing(harness, [200, contents(BROKEN_EDIT, "edited-sha")]);

    expect(created).toMatchObject({ status: "completed", conclusion: "failure" });
    const output = created.output as { summary: string; annotations: Record<string, unknown>[] };
    expect(output.summary).toContain("**policy-file**");
    expect(output.annotations.map((a) => [a.path, a.start_line, a.annotation_level])).toEqual([
      [".github/release-policy.yml", 6, "failure"],
      [".github/release-policy.yml", 10, "failure"],
    ]);
  });

  test("annotations are sent once: GitHub appends those of every update", async () => {
    const harness = await createHarness();
    const created = await openEditing(harness, [200, contents(BROKEN_EDIT, "edited-sha")]);
    expect(created.output).toHaveProperty("annotations");
    const reads = () =>
      api()
        .get(REVIEWS)
        .reply(200, [review("alice", "APPROVED")]);
    const scope = reads().patch(`${REPO_PATH}/check-runs/1`).reply(200, { id: 1 });

    // The verdict on the head's copy is kept: it is not read again.
    const made = await harness.receive("pull_request_review", approvedByAlice());

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 1, excludes: [`GET ${POLICY_AT_HEAD}`] },
      writes: [UPDATE_RUN],
    });
    const updated = bodyOf(made, UPDATE_RUN);
    expect(updated).toMatchObject({ conclusion: "failure" });
    expect(updated.output).not.toHaveProperty("annotations");
    // The run still shows the two annotations of its creation (kept as written): nothing to
    // write.
    reads();
    const next = await harness.receive("pull_request_review", approvedByAlice());
    expectBudget(next, { reads: { atMost: 1 }, writes: [] });
  });

  test("a failed read of its copy fails for now, and is read again on the next event", async () => {
    const harness = await createHarness();
    const created = await openEditing(harness, [500, { message: "Server Error" }], [], null);

    expect(created).toMatchObject({ conclusion: "failure" });
    const output = created.output as { title: string; summary: string };
    expect(output.title).toBe("Blocked: 1 gate could not be evaluated");
    expect(output.summary).toContain(
      "Could not read this pull request's copy of the policy: GitHub answered 500",
    );
    expect(created.output).not.toHaveProperty("annotations");
    const scope = api()
      .get(REVIEWS)
      .reply(200, [])
      .get(COMMITS)
      .reply(200, COMMIT_LIST)
      .get(RUNS)
      .reply(200, { total_count: 1, check_runs: [listedCheckRun(1, created)] })
      .get(POLICY_AT_HEAD)
      .reply(200, contents(REVIEW_POLICY, "default-sha"))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 2 });

    const made = await harness.receive("pull_request", example("pull_request", "synchronize"));

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 4, includes: [`GET ${POLICY_AT_HEAD}`] },
      writes: [CREATE_RUN],
    });
    // Back to waiting on a review: a completed run cannot reopen, so a new one is created.
    const fresh = bodyOf(made, CREATE_RUN);
    expect(fresh).toMatchObject({ status: "in_progress", head_sha: HEAD });
    expect((fresh.output as { summary: string }).summary).not.toContain("policy-file");
  });
});
