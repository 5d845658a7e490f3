// The GitHub the docs' `facts` and `audit` examples were captured from (test/stand-in, seeded
// here): acme/shop with a policy, pull request #42 whose tests failed, and November 2026's
// deployments and release records. docs-examples.test.ts runs the examples against it again.
import type { StandIn } from "../stand-in/server.js";

/** The stand-in's clock: the morning the pull request is looked at. */
export const DOCS_NOW = new Date("2026-11-26T10:00:00Z");

/** acme/shop's policy on its default branch, and in the checkout explain runs in. */
export const DOCS_POLICY = `change_types:
  standard: { labels: ["change: standard"] }
  normal: { default: true }

gates:
  tests:
    stage: pull_request
    description: The test workflow passed on the head commit
    require: { checks: [test] }

  peer-review:
    stage: pull_request
    description: Someone other than the author reviewed the change
    require: { approvals: { count: 1, from: { permission: write } } }

  readiness:
    stage: pull_request
    unless: { change_types: [standard] }
    require:
      checklist:
        - Rollback plan documented

defaults:
  approvals: { exclude: [author, committers] }
`;

const RUNS = "https://github.com/acme/shop/actions/runs";

/** Seeds acme/shop; returns a token for it. */
export function seedDocsScenario(gh: StandIn): string {
  const repo = gh.state.addRepo({ owner: "acme", repo: "shop" });
  gh.state.addFile("acme", "shop", "main", ".github/release-policy.yml", DOCS_POLICY);

  const pr = gh.state.addPullRequest("acme", "shop", {
    number: 42,
    title: "Fix the checkout total",
    author: "alice",
    labels: ["change: standard"],
    files: [{ filename: "src/checkout/total.ts" }],
  });
  gh.state.addReview("acme", "shop", 42, {
    user: "bob",
    state: "APPROVED",
    submittedAt: "2026-11-26T09:30:00Z",
  });
  gh.state.setPermission("acme", "shop", "bob", "write");
  gh.state.addCheckRun("acme", "shop", {
    name: "test",
    headSha: pr.headSha,
    conclusion: "failure",
    startedAt: "2026-11-26T09:00:00Z",
  });

  const sha = repo.headSha;
  gh.state.addDeployment("acme", "shop", {
    ref: "main",
    sha,
    environment: "staging",
    creator: "deploy-bot",
    createdAt: "2026-11-02T10:00:00Z",
    statuses: [{ state: "success", createdAt: "2026-11-02T10:05:00Z" }],
  });
  gh.state.addDeployment("acme", "shop", {
    ref: "main",
    sha,
    environment: "production",
    creator: "deploy-bot",
    createdAt: "2026-11-03T09:00:00Z",
    statuses: [
      { state: "queued", createdAt: "2026-11-03T09:00:30Z" },
      { state: "success", createdAt: "2026-11-03T11:05:00Z" },
    ],
  });
  gh.state.addStatus("acme", "shop", sha, {
    state: "pending",
    context: "release-policy/production",
    description: "Waiting on 1 gate: release-manager",
    targetUrl: `${RUNS}/777`,
    createdAt: "2026-11-03T09:01:00Z",
  });
  gh.state.addStatus("acme", "shop", sha, {
    state: "success",
    context: "release-policy/production",
    description: "All 2 gates pass",
    targetUrl: `${RUNS}/777`,
    createdAt: "2026-11-03T11:00:00Z",
  });
  gh.state.addRunApproval("acme", "shop", 777, {
    environments: ["production"],
    state: "approved",
    user: "rosa",
  });
  gh.state.addDeployment("acme", "shop", {
    ref: "main",
    sha,
    environment: "production",
    creator: "deploy-bot",
    createdAt: "2026-11-04T08:00:00Z",
    statuses: [{ state: "failure", createdAt: "2026-11-04T08:02:00Z" }],
  });
  gh.state.addStatus("acme", "shop", sha, {
    state: "failure",
    context: "release-policy/production",
    description: "Rejected by @sam",
    targetUrl: `${RUNS}/778`,
    createdAt: "2026-11-04T08:01:00Z",
  });
  gh.state.addRunApproval("acme", "shop", 778, {
    environments: ["production"],
    state: "rejected",
    user: "sam",
  });
  gh.state.addIssue("acme", "shop", {
    title: "Release v1.4.0",
    labels: ["release-record"],
    createdAt: "2026-11-05T09:00:00Z",
  });

  return gh.state.issueToken(repo.installationId).token;
}
