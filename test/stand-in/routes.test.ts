/**
 * Every modelled route, driven through Probot's Octokit, with response validation on:
 * each answer must match GitHub's documented response schema, or it is a violation.
 */
import type { ProbotOctokit } from "probot";
import { NOW, startWithProbot } from "./fixtures.js";
import type { StandIn } from "./server.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

const repo = { owner: "acme", repo: "shop" };
let standIn: StandIn;
let octokit: Octokit;
let pr7: { headSha: string; baseSha: string; commits: string[] };
let expectedViolations: RegExp[] = [];

beforeAll(async () => {
  const started = await startWithProbot();
  standIn = started.standIn;
  const { state } = standIn;
  state.addRepo({ owner: "acme", repo: "shop", installationId: 42 });
  pr7 = state.addPullRequest("acme", "shop", {
    number: 7,
    title: "Add cart CHG0001234",
    body: "Rollback: revert",
    author: "alice",
    labels: ["risk: high"],
    commits: [
      {
        message: "Cart model",
        files: [{ filename: "src/cart.ts", status: "added", additions: 40 }],
      },
      {
        message: "Cart view",
        author: "carol",
        files: [{ filename: "src/view.ts", additions: 3, deletions: 1 }],
      },
    ],
    requestedReviewers: ["dave"],
  });
  state.addPullRequest("acme", "shop", {
    number: 8,
    title: "Old fix",
    author: "bob",
    merged: true,
    mergedAt: "2026-02-01T09:00:00Z",
  });
  state.addReview("acme", "shop", 7, { user: "bob", state: "APPROVED" });
  state.addReview("acme", "shop", 7, {
    user: "carol",
    state: "CHANGES_REQUESTED",
    commitId: pr7.commits[0],
  });
  state.addTeam("acme", "cab", ["bob", "erin"], { maintainers: ["frank"] });
  state.setPermission("acme", "shop", "bob", "maintain");
  state.addCheckRun("acme", "shop", { name: "build", headSha: pr7.headSha, conclusion: "success" });
  octokit = await started.probot.auth(42);
});

afterAll(() => standIn.close());

beforeEach(() => {
  standIn.clearLogs();
  expectedViolations = [];
});

afterEach(() => {
  // Each test names the violations it provokes; any other one (including an answer of
  // ours that breaks GitHub's response schema) fails it.
  const reasons = standIn.violations().map((v) => v.reason);
  expect(reasons.filter((r) => !expectedViolations.some((e) => e.test(r)))).toEqual([]);
  expect(standIn.unmodelled()).toEqual([]);
});

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

describe("pull requests and reviews", () => {
  it("gets one PR with its head, base, labels and counts", async () => {
    const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: 7 });
    expect(data).toMatchObject({
      number: 7,
      state: "open",
      merged: false,
      user: { login: "alice", type: "User" },
      head: { sha: pr7.headSha, ref: "change-7" },
      base: { ref: "main", sha: pr7.baseSha },
      commits: 2,
      changed_files: 2,
      additions: 43,
      html_url: `${standIn.url}/acme/shop/pull/7`,
    });
    expect(data.labels.map((l) => l.name)).toEqual(["risk: high"]);
    expect(typeof data.id).toBe("number");
  });

  it("lists PRs by state", async () => {
    const numbers = async (state: "open" | "closed" | "all") =>
      (await octokit.rest.pulls.list({ ...repo, state })).data.map((p) => p.number);
    expect(await numbers("open")).toEqual([7]);
    expect(await numbers("closed")).toEqual([8]);
    expect((await numbers("all")).sort()).toEqual([7, 8]);
  });

  it("lists files, commits, reviews and requested reviewers", async () => {
    const files = await octokit.rest.pulls.listFiles({ ...repo, pull_number: 7 });
    expect(files.data.map((f) => [f.filename, f.status, f.changes])).toEqual([
      ["src/cart.ts", "added", 40],
      ["src/view.ts", "modified", 4],
    ]);
    const commits = await octokit.rest.pulls.listCommits({ ...repo, pull_number: 7 });
    expect(commits.data.map((c) => [c.sha, c.commit.message, c.author?.login])).toEqual([
      [pr7.commits[0], "Cart model", "alice"],
      [pr7.commits[1], "Cart view", "carol"],
    ]);
    const reviews = await octokit.rest.pulls.listReviews({ ...repo, pull_number: 7 });
    expect(reviews.data.map((r) => [r.user?.login, r.state, r.commit_id])).toEqual([
      ["bob", "APPROVED", pr7.headSha],
      ["carol", "CHANGES_REQUESTED", pr7.commits[0]],
    ]);
    const requested = await octokit.rest.pulls.listRequestedReviewers({ ...repo, pull_number: 7 });
    expect(requested.data.users.map((u) => u.login)).toEqual(["dave"]);
  });

  it("finds the PRs of a commit, including by merge commit", async () => {
    const merged = standIn.state.pullRequest("acme", "shop", 8);
    const byHead = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      ...repo,
      commit_sha: pr7.headSha,
    });
    expect(byHead.data.map((p) => p.number)).toEqual([7]);
    const byMerge = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      ...repo,
      commit_sha: merged?.mergeCommitSha ?? "",
    });
    expect(byMerge.data.map((p) => [p.number, p.merged_at])).toEqual([
      [8, "2026-02-01T09:00:00.000Z"],
    ]);
  });
});

describe("check runs", () => {
  it("creates, updates, gets and lists the app's check run beside CI's", async () => {
    const created = await octokit.rest.checks.create({
      ...repo,
      name: "release-policy",
      head_sha: pr7.headSha,
      status: "in_progress",
      output: { title: "Evaluating", summary: "…" },
    });
    expect(created.status).toBe(201);
    expect(created.data.app?.id).toBe(standIn.state.app.id);
    expect(created.data.pull_requests.map((p) => p.number)).toEqual([7]);
    await octokit.rest.checks.update({
      ...repo,
      check_run_id: created.data.id,
      conclusion: "failure",
      output: {
        title: "1 gate open",
        summary: "| gate | status |",
        annotations: [
          {
            path: ".github/release-policy.yml",
            start_line: 3,
            end_line: 3,
            annotation_level: "failure",
            message: "bad",
          },
        ],
      },
    });
    const got = await octokit.rest.checks.get({ ...repo, check_run_id: created.data.id });
    expect(got.data).toMatchObject({
      status: "completed",
      conclusion: "failure",
      completed_at: NOW.toISOString(),
    });
    expect(got.data.output.annotations_count).toBe(1);

    const mine = await octokit.rest.checks.listForRef({
      ...repo,
      ref: pr7.headSha,
      check_name: "release-policy",
    });
    expect(mine.data.check_runs.map((r) => r.id)).toEqual([created.data.id]);
    const byApp = await octokit.rest.checks.listForRef({ ...repo, ref: "change-7", app_id: 15368 });
    expect(byApp.data.check_runs.map((r) => r.name)).toEqual(["build"]);
    expect(
      (await octokit.rest.checks.listForRef({ ...repo, ref: pr7.headSha })).data.total_count,
    ).toBe(2);
    expect(standIn.state.ownCheckRuns("acme", "shop", pr7.headSha)).toHaveLength(1);
  });

  it("keeps only the latest run per name unless filter=all", async () => {
    await octokit.rest.checks.create({
      ...repo,
      name: "dup",
      head_sha: pr7.headSha,
      conclusion: "neutral",
    });
    const second = await octokit.rest.checks.create({
      ...repo,
      name: "dup",
      head_sha: pr7.headSha,
      conclusion: "success",
    });
    const latest = await octokit.rest.checks.listForRef({
      ...repo,
      ref: pr7.headSha,
      check_name: "dup",
    });
    expect(latest.data.check_runs.map((r) => r.id)).toEqual([second.data.id]);
    const all = await octokit.rest.checks.listForRef({
      ...repo,
      ref: pr7.headSha,
      check_name: "dup",
      filter: "all",
    });
    expect(all.data.total_count).toBe(2);
  });

  it("refuses what GitHub refuses: completed without conclusion, another app's run", async () => {
    expectedViolations = [/conclusion is required/, /belongs to another app/];
    expect(
      await statusOf(
        octokit.rest.checks.create({
          ...repo,
          name: "x",
          head_sha: pr7.headSha,
          status: "completed",
        }),
      ),
    ).toBe(422);
    const ci = standIn.state.checkRuns("acme", "shop", { name: "build" })[0];
    expect(
      await statusOf(
        octokit.rest.checks.update({ ...repo, check_run_id: ci?.id ?? 0, conclusion: "failure" }),
      ),
    ).toBe(403);
    expect(standIn.violations()).toHaveLength(2);
  });
});

describe("commit statuses", () => {
  it("creates statuses and combines the latest per context", async () => {
    standIn.state.addStatus("acme", "shop", pr7.headSha, {
      state: "failure",
      context: "ci/lint",
      createdAt: "2026-03-01T00:00:00Z",
    });
    standIn.state.addStatus("acme", "shop", pr7.headSha, {
      state: "success",
      context: "ci/lint",
      createdAt: "2026-03-01T01:00:00Z",
    });
    const created = await octokit.rest.repos.createCommitStatus({
      ...repo,
      sha: pr7.headSha,
      state: "pending",
      context: "release-policy",
    });
    expect(created.data.creator?.login).toBe("release-policy[bot]");
    let combined = await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: "change-7" });
    expect(combined.data).toMatchObject({ state: "pending", total_count: 2, sha: pr7.headSha });
    await octokit.rest.repos.createCommitStatus({
      ...repo,
      sha: pr7.headSha,
      state: "success",
      context: "release-policy",
    });
    combined = await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: pr7.headSha });
    expect(combined.data.state).toBe("success");
    const list = await octokit.rest.repos.listCommitStatusesForRef({ ...repo, ref: pr7.headSha });
    expect(list.data.map((s) => `${s.context}:${s.state}`)).toEqual([
      "release-policy:success",
      "release-policy:pending",
      "ci/lint:success",
      "ci/lint:failure",
    ]);
    expect(standIn.state.statuses("acme", "shop", pr7.headSha)).toHaveLength(4);
  });
});

describe("people", () => {
  it("lists team members by role and answers memberships", async () => {
    const all = await octokit.rest.teams.listMembersInOrg({ org: "acme", team_slug: "cab" });
    expect(all.data.map((u) => u.login).sort()).toEqual(["bob", "erin", "frank"]);
    const maintainers = await octokit.rest.teams.listMembersInOrg({
      org: "acme",
      team_slug: "cab",
      role: "maintainer",
    });
    expect(maintainers.data.map((u) => u.login)).toEqual(["frank"]);
    const erin = await octokit.rest.teams.getMembershipForUserInOrg({
      org: "acme",
      team_slug: "cab",
      username: "erin",
    });
    expect(erin.data).toMatchObject({ role: "member", state: "active" });
    expect(
      await statusOf(
        octokit.rest.teams.getMembershipForUserInOrg({
          org: "acme",
          team_slug: "cab",
          username: "alice",
        }),
      ),
    ).toBe(404);
    expect(
      await statusOf(octokit.rest.teams.listMembersInOrg({ org: "acme", team_slug: "nobody" })),
    ).toBe(404);
  });

  it("answers collaborator permission with the legacy level and the real role", async () => {
    const bob = await octokit.rest.repos.getCollaboratorPermissionLevel({
      ...repo,
      username: "bob",
    });
    expect(bob.data).toMatchObject({
      permission: "write",
      role_name: "maintain",
      user: { login: "bob" },
    });
    const alice = await octokit.rest.repos.getCollaboratorPermissionLevel({
      ...repo,
      username: "alice",
    });
    expect(alice.data.permission).toBe("none");
    expect(
      await statusOf(
        octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: "ghost-user" }),
      ),
    ).toBe(404);
  });
});

describe("issues, comments and labels", () => {
  it("creates, updates, gets and lists issues (PRs included, as on GitHub)", async () => {
    const created = await octokit.rest.issues.create({
      ...repo,
      title: "Release v1.2.0",
      body: "record",
      labels: ["release"],
    });
    expect(created.status).toBe(201);
    expect(created.data.user?.login).toBe("release-policy[bot]");
    const number = created.data.number;
    await octokit.rest.issues.update({
      ...repo,
      issue_number: number,
      state: "closed",
      body: "done",
    });
    const got = await octokit.rest.issues.get({ ...repo, issue_number: number });
    expect(got.data).toMatchObject({ state: "closed", body: "done", closed_at: NOW.toISOString() });
    const releases = await octokit.rest.issues.listForRepo({
      ...repo,
      state: "all",
      labels: "release",
    });
    expect(releases.data.map((i) => i.number)).toEqual([number]);
    const open = await octokit.rest.issues.listForRepo({ ...repo });
    expect(open.data.map((i) => [i.number, Boolean(i.pull_request)])).toEqual([[7, true]]);
    expect(standIn.state.issues("acme", "shop").map((i) => i.title)).toEqual(["Release v1.2.0"]);
  });

  it("adds, lists and removes labels", async () => {
    await octokit.rest.issues.addLabels({ ...repo, issue_number: 7, labels: ["change: standard"] });
    expect(standIn.state.labelsOn("acme", "shop", 7)).toEqual(["risk: high", "change: standard"]);
    const listed = await octokit.rest.issues.listLabelsOnIssue({ ...repo, issue_number: 7 });
    expect(listed.data.map((l) => l.name)).toEqual(["risk: high", "change: standard"]);
    await octokit.rest.issues.removeLabel({ ...repo, issue_number: 7, name: "change: standard" });
    expect(standIn.state.labelsOn("acme", "shop", 7)).toEqual(["risk: high"]);
    expect(
      await statusOf(octokit.rest.issues.removeLabel({ ...repo, issue_number: 7, name: "nope" })),
    ).toBe(404);
  });

  it("creates, gets, updates and lists comments", async () => {
    const created = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: 7,
      body: "<!-- release-policy -->\n- [ ] Rollback",
    });
    expect(created.data.html_url).toBe(
      `${standIn.url}/acme/shop/pull/7#issuecomment-${created.data.id}`,
    );
    await octokit.rest.issues.updateComment({
      ...repo,
      comment_id: created.data.id,
      body: "<!-- release-policy -->\n- [x] Rollback",
    });
    const got = await octokit.rest.issues.getComment({ ...repo, comment_id: created.data.id });
    expect(got.data.body).toContain("[x] Rollback");
    expect(standIn.state.comments("acme", "shop", 7).map((c) => c.user)).toContain(
      "release-policy[bot]",
    );
  });

  it("refuses a comment body over GitHub's limit", async () => {
    expectedViolations = [/body is too long/];
    expect(
      await statusOf(
        octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: "x".repeat(65537) }),
      ),
    ).toBe(422);
  });
});

describe("deployments, workflow runs and protection rules", () => {
  it("creates and lists deployments and their statuses", async () => {
    const seeded = standIn.state.addDeployment("acme", "shop", {
      ref: "main",
      environment: "staging",
      createdAt: "2026-03-01T08:00:00Z",
      statuses: [{ state: "success", createdAt: "2026-03-01T08:05:00Z" }],
    });
    const created = await octokit.rest.repos.createDeployment({
      ...repo,
      ref: "main",
      environment: "production",
      required_contexts: [],
    });
    expect(created.status).toBe(201);
    const list = await octokit.rest.repos.listDeployments({ ...repo, environment: "staging" });
    expect(list.data.map((d) => d.id)).toEqual([seeded.id]);
    const statuses = await octokit.rest.repos.listDeploymentStatuses({
      ...repo,
      deployment_id: seeded.id,
    });
    expect(statuses.data.map((s) => [s.state, s.created_at])).toEqual([
      ["success", "2026-03-01T08:05:00.000Z"],
    ]);
    if (!("id" in created.data)) throw new Error("expected a deployment");
    await octokit.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: created.data.id,
      state: "in_progress",
    });
    expect(
      standIn.state.deploymentStatuses("acme", "shop", created.data.id).map((s) => s.state),
    ).toEqual(["in_progress"]);
    const one = await octokit.rest.repos.getDeployment({ ...repo, deployment_id: seeded.id });
    expect(one.data.sha).toBe(standIn.state.branchHead("acme", "shop", "main"));
  });

  it("gets a workflow run, its approvals and pending deployments", async () => {
    const run = standIn.state.addWorkflowRun("acme", "shop", {
      id: 9001,
      headSha: pr7.headSha,
      headBranch: "main",
    });
    standIn.state.addRunApproval("acme", "shop", run.id, {
      user: "frank",
      state: "approved",
      environments: ["production"],
      comment: "ok",
    });
    standIn.state.addPendingDeployment("acme", "shop", run.id, {
      environment: "production",
      reviewers: [{ type: "Team", name: "cab" }],
    });
    const got = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: 9001 });
    expect(got.data).toMatchObject({ id: 9001, head_sha: pr7.headSha, status: "waiting" });
    const approvals = await octokit.rest.actions.getReviewsForRun({ ...repo, run_id: 9001 });
    expect(
      approvals.data.map((a) => [a.user.login, a.state, a.environments.map((e) => e.name)]),
    ).toEqual([["frank", "approved", ["production"]]]);
    const pending = await octokit.rest.actions.getPendingDeploymentsForRun({
      ...repo,
      run_id: 9001,
    });
    expect(pending.data.map((p) => p.environment.name)).toEqual(["production"]);
  });

  it("records protection rule answers and refuses a second decision", async () => {
    expectedViolations = [/already has a decision/, /comment is too long/];
    await octokit.rest.actions.reviewCustomGatesForRun({
      ...repo,
      run_id: 9001,
      environment_name: "production",
      comment: "Waiting for the window",
    });
    await octokit.rest.actions.reviewCustomGatesForRun({
      ...repo,
      run_id: 9001,
      environment_name: "production",
      state: "approved",
      comment: "All gates pass",
    });
    const again = octokit.rest.actions.reviewCustomGatesForRun({
      ...repo,
      run_id: 9001,
      environment_name: "production",
      state: "rejected",
      comment: "x",
    });
    expect(await statusOf(again)).toBe(422);
    const long = octokit.rest.actions.reviewCustomGatesForRun({
      ...repo,
      run_id: 9002,
      environment_name: "production",
      comment: "x".repeat(1025),
    });
    expect(await statusOf(long)).toBe(422);
    expect(
      standIn.state
        .protectionRuleAnswers({ runId: 9001 })
        .map((a) => [a.environmentName, a.state, a.comment, a.installationId]),
    ).toEqual([
      ["production", null, "Waiting for the window", 42],
      ["production", "approved", "All gates pass", 42],
    ]);
  });
});

describe("releases, tags, refs, commits and compare", () => {
  it("creates, gets and lists releases; publishing creates the tag", async () => {
    const created = await octokit.rest.repos.createRelease({
      ...repo,
      tag_name: "v1.0.0",
      name: "1.0.0",
      body: "notes",
    });
    expect(created.status).toBe(201);
    expect(
      (await octokit.rest.repos.getRelease({ ...repo, release_id: created.data.id })).data.body,
    ).toBe("notes");
    expect((await octokit.rest.repos.getReleaseByTag({ ...repo, tag: "v1.0.0" })).data.id).toBe(
      created.data.id,
    );
    expect((await octokit.rest.repos.getLatestRelease(repo)).data.tag_name).toBe("v1.0.0");
    const draft = await octokit.rest.repos.createRelease({
      ...repo,
      tag_name: "v1.1.0",
      draft: true,
    });
    expect((await octokit.rest.repos.listReleases(repo)).data.map((r) => r.tag_name)).toEqual([
      "v1.1.0",
      "v1.0.0",
    ]);
    await octokit.rest.repos.updateRelease({ ...repo, release_id: draft.data.id, draft: false });
    expect(standIn.state.releases("acme", "shop").map((r) => [r.tagName, r.draft])).toEqual([
      ["v1.0.0", false],
      ["v1.1.0", false],
    ]);
    const tags = await octokit.rest.repos.listTags(repo);
    expect(tags.data.map((t) => t.name)).toEqual(["v1.1.0", "v1.0.0"]);
  });

  it("resolves lightweight and annotated tags through git refs", async () => {
    const main = standIn.state.branchHead("acme", "shop", "main") ?? "";
    standIn.state.addTag("acme", "shop", "v2.0.0", main, {
      message: "Release 2.0.0",
      tagger: "frank",
    });
    const light = await octokit.rest.git.getRef({ ...repo, ref: "tags/v1.0.0" });
    expect(light.data.object).toMatchObject({ type: "commit", sha: main });
    const annotated = await octokit.rest.git.getRef({ ...repo, ref: "tags/v2.0.0" });
    expect(annotated.data.object.type).toBe("tag");
    const tag = await octokit.rest.git.getTag({ ...repo, tag_sha: annotated.data.object.sha });
    expect(tag.data).toMatchObject({
      tag: "v2.0.0",
      message: "Release 2.0.0",
      object: { type: "commit", sha: main },
    });
    const head = await octokit.rest.git.getRef({ ...repo, ref: "heads/change-7" });
    expect(head.data.object.sha).toBe(pr7.headSha);
    const matching = await octokit.rest.git.listMatchingRefs({ ...repo, ref: "tags/v" });
    expect(matching.data.map((r) => r.ref)).toEqual([
      "refs/tags/v1.0.0",
      "refs/tags/v1.1.0",
      "refs/tags/v2.0.0",
    ]);
    expect(await statusOf(octokit.rest.git.getRef({ ...repo, ref: "heads/nope" }))).toBe(404);
  });

  it("compares refs and gets and lists commits", async () => {
    const cmp = await octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${pr7.baseSha}...change-7`,
    });
    expect(cmp.data).toMatchObject({
      status: "ahead",
      ahead_by: 2,
      behind_by: 0,
      total_commits: 2,
    });
    expect(cmp.data.commits.map((c) => c.sha)).toEqual(pr7.commits);
    expect(cmp.data.files?.map((f) => f.filename)).toEqual(["src/cart.ts", "src/view.ts"]);
    const back = await octokit.rest.repos.compareCommits({
      ...repo,
      base: "change-7",
      head: "main",
    });
    expect(back.data.status).toBe("diverged");
    const one = await octokit.rest.repos.getCommit({ ...repo, ref: pr7.commits[1] ?? "" });
    expect(one.data).toMatchObject({
      sha: pr7.commits[1],
      stats: { additions: 3, deletions: 1, total: 4 },
    });
    expect(one.data.parents.map((p) => p.sha)).toEqual([pr7.commits[0]]);
    const list = await octokit.rest.repos.listCommits({ ...repo, sha: "change-7", per_page: 2 });
    expect(list.data.map((c) => c.sha)).toEqual([pr7.commits[1], pr7.commits[0]]);
    const git = await octokit.rest.git.getCommit({ ...repo, commit_sha: pr7.headSha });
    expect(git.data.message).toBe("Cart view");
  });

  it("reads the repository and its installation", async () => {
    const { data } = await octokit.rest.repos.get(repo);
    expect(data).toMatchObject({
      full_name: "acme/shop",
      default_branch: "main",
      owner: { login: "acme" },
    });
    const repos = await octokit.rest.apps.listReposAccessibleToInstallation();
    expect(repos.data.repositories.map((r) => r.full_name)).toEqual(["acme/shop"]);
  });
});

// Last: it adds an issue, which the listings above would otherwise see.
describe("issue events", () => {
  it("lists an issue's label events as its labels come and go", async () => {
    const { number } = standIn.state.addIssue("acme", "shop", {
      title: "Relabelled",
      labels: ["risk: high"],
    });
    const at = { ...repo, issue_number: number };
    await octokit.rest.issues.addLabels({ ...at, labels: ["change: emergency"] });
    await octokit.rest.issues.removeLabel({ ...at, name: "risk: high" });
    const { data } = await octokit.rest.issues.listEvents(at);
    expect(data.map((e) => [e.event, "label" in e ? e.label.name : undefined])).toEqual([
      ["labeled", "risk: high"],
      ["labeled", "change: emergency"],
      ["unlabeled", "risk: high"],
    ]);
  });
});
