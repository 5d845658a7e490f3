// compliant_changes over every commit a deployment brings, and the post-implementation-review
// issue after an emergency change reaches production, through probot.receive(), holding each
// event to its request budget: its writes exactly, its reads counted, and named where a test is
// about making or avoiding one.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { recordApproval } from "../../src/holds/approvals.js";
import { holdKey } from "../../src/holds/registry.js";
import { MemoryStore } from "../../src/store/memory.js";
import { deploymentSucceeded } from "../fixtures/deployment/events.js";
import { protectionRuleRequested } from "../fixtures/deployment/payloads.js";
import { REPO_PATH, mergedPull, startApp } from "./deployment-helpers.js";
import {
  ANSWER,
  bodyOf,
  DEPLOYMENTS,
  expectBudget,
  NOTHING,
  OPEN,
  POLICY,
  PULLS_OF_SHA,
  RUN_ID,
  SHA,
  STATUS,
  World,
  type Budget,
  type Seen,
} from "./deployment-world.js";

const BASE = "0000000000000000000000000000000000000000";
const C1 = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1";
const C2 = "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2";
const BRANCH = "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1";
const PR8_HEAD = "8888888888888888888888888888888888888888";

const statusesOf = (id: number) => `GET ${REPO_PATH}/deployments/${id}/statuses?per_page=1`;
const COMPARE = `GET ${REPO_PATH}/compare/${BASE}...${SHA}`;
const pullsOf = (sha: string) => `GET ${REPO_PATH}/commits/${sha}/pulls`;
const verdictOf = (sha: string) =>
  `GET ${REPO_PATH}/commits/${sha}/check-runs?check_name=release-policy&filter=latest&per_page=100`;

const compliantPolicy = (requirement: string) => `
environments:
  production: {}
gates:
  compliant:
    stage: deployment
    environments: [production]
    require: { compliant_changes: ${requirement} }
`;

/**
 * production last ran BASE (deployment 40). Since then, on main's first-parent line: C1 (the
 * squash merge of #8), C2 (pushed directly), SHA (the merge commit of #7, whose branch commit
 * BRANCH sits behind its second parent and must not be read as a direct push).
 */
function rangeWorld(world: World): void {
  world.deployments = [
    { id: 55, sha: SHA },
    { id: 40, sha: BASE },
  ];
  world.deploymentStatuses = { 40: [{ state: "success" }] };
  world.compare = [
    { sha: C1, parents: [{ sha: BASE }] },
    { sha: BRANCH, parents: [{ sha: BASE }] },
    { sha: C2, parents: [{ sha: C1 }] },
    { sha: SHA, parents: [{ sha: C2 }, { sha: BRANCH }] },
  ];
  world.pullsByCommit = {
    [SHA]: [mergedPull(SHA)],
    [C2]: [],
    [C1]: [{ ...mergedPull(C1), number: 8, head: { sha: PR8_HEAD, ref: "fix" } }],
  };
}

const requested = () =>
  protectionRuleRequested({ runId: RUN_ID, environment: "production", sha: SHA, deploymentId: 55 });

const RANGE = [DEPLOYMENTS, statusesOf(40), COMPARE, pullsOf(SHA), pullsOf(C2), pullsOf(C1)];
/**
 * Judging the range: each first-parent commit's pull requests and each one's verdict, never
 * the merged branch's own commit; then the answer and its commit status.
 */
const RANGE_JUDGED: Budget = {
  reads: { atMost: 11, includes: [...RANGE, verdictOf(PR8_HEAD)], excludes: [pullsOf(BRANCH)] },
  writes: [ANSWER, STATUS],
};

let world: World;
beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
});
afterEach(() => {
  world.close();
  nock.cleanAll();
});

describe("compliant changes across the deployed range", () => {
  it("rejects a direct push among the commits since the last deployment, naming it", async () => {
    world = new World(compliantPolicy("true"));
    rangeWorld(world);
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_protection_rule", requested());
    const made = world.take();
    expectBudget(made, RANGE_JUDGED);
    expect(bodyOf(made, ANSWER)).toMatchObject({ state: "rejected" });
    expect(bodyOf(made, ANSWER).comment).toContain(
      "❌ compliant: no merged pull request brought c2c2c2c: it was pushed directly",
    );
    expect(bodyOf(made, ANSWER).comment).not.toContain("b1b1b1b");
  });

  it("approves the same range where direct pushes are allowed, naming every pull request", async () => {
    world = new World(compliantPolicy("{ allow_direct_push: true }"));
    rangeWorld(world);
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_protection_rule", requested());
    const made = world.take();
    expectBudget(made, RANGE_JUDGED);
    expect(bodyOf(made, ANSWER)).toMatchObject({ state: "approved" });
  });

  it("fails closed when the range is longer than the app looks at, reading no pull request of it", async () => {
    world = new World(compliantPolicy("true"));
    rangeWorld(world);
    world.compare = Array.from({ length: 25 }, (_, i) => ({
      sha: i === 24 ? SHA : `${String(i).padStart(2, "0")}`.repeat(20),
      parents: [{ sha: i === 0 ? BASE : `${String(i - 1).padStart(2, "0")}`.repeat(20) }],
    }));
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_protection_rule", requested());
    const made = world.take();
    expectBudget(made, {
      reads: {
        atMost: 8,
        includes: [COMPARE],
        // No pull request of the range is read: only the deployed commit's own.
        excludes: world.compare.filter((c) => c.sha !== SHA).map((c) => pullsOf(c.sha)),
      },
      writes: [ANSWER, STATUS],
    });
    expect(bodyOf(made, ANSWER).comment).toContain(
      "the deployment brings 25 commits to production; the app checks at most 20",
    );
  });
});

describe("post-implementation review", () => {
  const REVIEW_POLICY = `
change_types:
  emergency:
    labels: ["change: emergency"]
    post_implementation_review:
      checklist: [Root cause found, Runbook updated]
  normal: { default: true }
environments:
  staging: {}
  production: { after: staging }
`;
  const succeeded = (deploymentId: number) =>
    deploymentSucceeded({ environment: "production", sha: SHA, deploymentId, runId: RUN_ID });
  const ISSUES = `GET ${REPO_PATH}/issues?labels=post-implementation-review&state=all&per_page=100`;
  const CREATE = `POST ${REPO_PATH}/issues`;
  const LINK = `POST ${REPO_PATH}/issues/7/comments`;

  /**
   * The release record also answers deployment_status (its own tests say what that costs):
   * its requests, and the second policy read made while both handlers start at once, are
   * left out of what this feature is asserted to cost.
   */
  function mine(made: Seen[]): Seen[] {
    const policyReads = made.filter((r) => r.line === POLICY).length;
    return made.filter(
      (r, index) =>
        !r.line.includes("labels=release-record") &&
        !(
          r.line === POLICY &&
          policyReads > 1 &&
          made.findIndex((m) => m.line === POLICY) !== index
        ),
    );
  }

  function emergencyWorld(): World {
    const w = new World(REVIEW_POLICY);
    w.deployments = [
      { id: 60, sha: SHA },
      { id: 40, sha: BASE },
    ];
    w.deploymentStatuses = { 40: [{ state: "inactive" }] };
    w.compare = [{ sha: SHA, parents: [{ sha: BASE }] }];
    w.pullsByCommit = { [SHA]: [mergedPull(SHA, ["change: emergency"])] };
    return w;
  }

  it("opens one issue with the checklist and approvals, links it once, across redelivery, a redeploy and a restart", async () => {
    world = emergencyWorld();
    const store = new MemoryStore();
    const key = holdKey({
      repo: { owner: "acme", repo: "shop", defaultBranch: "main" },
      runId: RUN_ID,
      environment: "production",
    });
    await recordApproval(store, key, { user: "rm1", at: OPEN.toISOString(), via: "review" });
    await recordApproval(store, key, { user: "rm2", at: OPEN.toISOString(), via: "comment" });
    const app = await startApp(store, { now: OPEN });

    await app.receive("deployment_status", succeeded(60), "status-60");
    const made = mine(world.take());
    expectBudget(made, { reads: { atMost: 8 }, writes: [CREATE, LINK] });
    const issue = bodyOf(made, CREATE);
    expect(issue).toMatchObject({
      title: "Post-implementation review: Ship the thing (#7)",
      labels: ["post-implementation-review"],
    });
    expect(String(issue.body)).toContain(
      "The emergency change #7 (https://github.com/acme/shop/pull/7) by @author reached **production**",
    );
    expect(String(issue.body)).toContain("- Approved by: @rm1 (deployment review), @rm2 (comment)");
    expect(String(issue.body)).toContain("- [ ] Root cause found\n- [ ] Runbook updated");
    expect(String(bodyOf(made, LINK).body)).toContain("its post-implementation review is #100");

    // The same delivery again: nothing.
    await app.receive("deployment_status", succeeded(60), "status-60");
    expectBudget(mine(world.take()), NOTHING);

    // A second deployment of the same commit: production already ran it (deployment 60), so
    // only the commit itself is looked at, and the claim stops the rest.
    world.deployments = [{ id: 61, sha: SHA }, ...world.deployments];
    world.deploymentStatuses[60] = [{ state: "success" }];
    await app.receive("deployment_status", succeeded(61), "status-61");
    expectBudget(mine(world.take()), {
      reads: { atMost: 3, includes: [PULLS_OF_SHA], excludes: [COMPARE, ISSUES] },
      writes: [],
    });

    // A restart with an empty store, and the first delivery redelivered: the marker stops it.
    world.deployments = world.deployments.slice(1);
    world.deploymentStatuses[60] = [];
    const fresh = await startApp(new MemoryStore(), { now: OPEN });
    await fresh.receive("deployment_status", succeeded(60), "status-60");
    expectBudget(mine(world.take()), { reads: { atMost: 8, includes: [ISSUES] }, writes: [] });
  });

  it("a normal change, or a deployment to another environment, opens nothing", async () => {
    world = emergencyWorld();
    world.pullsByCommit = { [SHA]: [mergedPull(SHA)] };
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_status", succeeded(60));
    expectBudget(mine(world.take()), { reads: { atMost: 7 }, writes: [] });

    await app.receive(
      "deployment_status",
      deploymentSucceeded({ environment: "staging", sha: SHA, deploymentId: 62, runId: RUN_ID }),
    );
    expectBudget(mine(world.take()), NOTHING);
  });
});
