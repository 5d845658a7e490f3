// Sign-off by `/approve <environment>` comment and re-checks when a pull request's own check
// changes, through probot.receive(), holding each event to its request budget: its writes
// exactly, its reads counted, and named where a test is about making or avoiding one.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { MemoryStore } from "../../src/store/memory.js";
import {
  commentCreated,
  mergedPullClosed,
  mergedPullLabeled,
  reviewSubmitted,
} from "../fixtures/deployment/events.js";
import {
  deploymentReviewApproved,
  protectionRuleRequested,
} from "../fixtures/deployment/payloads.js";
import { REPO_PATH, startApp } from "./deployment-helpers.js";
import {
  ANSWER,
  APPROVALS,
  bodyOf,
  COMMITS,
  expectBudget,
  HELD,
  NOTHING,
  REJUDGE,
  OPEN,
  PR_HEAD,
  PULLS_OF_SHA,
  RUN_ID,
  SHA,
  STATUS,
  VERDICT,
  World,
} from "./deployment-world.js";

const SIGN_OFF_POLICY = `
environments:
  staging: {}
  production: {}
gates:
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 2, from: { users: [rm1, rm2, author] } } }
`;

const requested = () =>
  protectionRuleRequested({ runId: RUN_ID, environment: "production", sha: SHA, deploymentId: 55 });
/** A review in GitHub's record, then its webhook. */
const reviewBy = (approver: string) => {
  world.runReviews.add(approver);
  return deploymentReviewApproved({ runId: RUN_ID, environment: "production", approver });
};
const approveComment = (author: string, id: number, body = "/approve production", pr = 7) =>
  commentCreated({ pr, id, body, author });
const REACTION = (id: number) => `POST ${REPO_PATH}/issues/comments/${id}/reactions`;

let world: World;
beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
});
afterEach(() => {
  world.close();
  nock.cleanAll();
});

describe("sign-off by comment", () => {
  it("approves a held deployment needing 2 on one review and one /approve comment", async () => {
    world = new World(SIGN_OFF_POLICY);
    const app = await startApp(new MemoryStore(), { now: OPEN });

    await app.receive("deployment_protection_rule", requested());
    let made = world.take();
    // Waiting is not mirrored in a commit status: the decision is.
    expectBudget(made, { reads: { atMost: 5, includes: HELD }, writes: [ANSWER] });
    expect(bodyOf(made, ANSWER).comment).toContain("0 of 2 deployment approvals");

    await app.receive("deployment_review", reviewBy("rm1"));
    made = world.take();
    // The review's webhook is GitHub's record of it: no need to read the list again.
    expectBudget(made, {
      reads: { atMost: 1, includes: REJUDGE, excludes: [APPROVALS, PULLS_OF_SHA] },
      writes: [ANSWER],
    });
    expect(bodyOf(made, ANSWER).comment).toContain('or comment "/approve production"');

    await app.receive("issue_comment", approveComment("rm2", 501));
    made = world.take();
    // The merged pull request's committers were read for the review: they are final, kept.
    expectBudget(made, {
      reads: { atMost: 1, excludes: [COMMITS] },
      writes: [REACTION(501), ANSWER, STATUS],
    });
    expect(bodyOf(made, REACTION(501))).toEqual({ content: "eyes" });
    expect(bodyOf(made, ANSWER)).toMatchObject({ state: "approved" });
    expect(bodyOf(made, ANSWER).comment).toContain(
      "release-manager: signed off: @\u2060rm1 by deployment review, @\u2060rm2 by comment",
    );
    expect(bodyOf(made, STATUS)).toMatchObject({ state: "success" });
  });

  it("does not count a comment by the author (SoD) or by someone the gate does not name, and says why", async () => {
    world = new World(SIGN_OFF_POLICY);
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_protection_rule", requested());
    await app.receive("deployment_review", reviewBy("rm1"));
    world.take();

    await app.receive("issue_comment", approveComment("author", 601));
    let made = world.take();
    expectBudget(made, { reads: { atMost: 1 }, writes: [REACTION(601), ANSWER] });
    expect(bodyOf(made, ANSWER)).not.toHaveProperty("state");
    expect(bodyOf(made, ANSWER).comment).toContain(
      "not counted: @\u2060author by comment (authored the pull request)",
    );

    await app.receive("issue_comment", approveComment("mallory", 602));
    made = world.take();
    expectBudget(made, { reads: { atMost: 1 }, writes: [REACTION(602), ANSWER] });
    expect(bodyOf(made, ANSWER).comment).toContain(
      "@\u2060mallory by comment (not @\u2060rm1, @\u2060rm2 or @\u2060author)",
    );
  });

  it("a redelivered comment, a quoted, fenced or capitalised one, and other comments cost nothing", async () => {
    world = new World(SIGN_OFF_POLICY);
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_protection_rule", requested());
    await app.receive("deployment_review", reviewBy("rm1"));
    await app.receive("issue_comment", approveComment("rm2", 701), "comment-701");
    world.take();

    await app.receive("issue_comment", approveComment("rm2", 701), "comment-701");
    for (const body of [
      "> /approve production",
      "```\n/approve production\n```",
      "/Approve production",
      "/approve production please",
      "Looks good, /approve production",
    ]) {
      await app.receive("issue_comment", approveComment("rm2", 702, body));
    }
    expectBudget(world.take(), NOTHING);
  });

  it("a sign-off that arrives while the deployment's first decision runs is recorded, not answered with 'nothing waiting'", async () => {
    world = new World(SIGN_OFF_POLICY);
    let readPulls!: () => void;
    world.pullsAnswered = new Promise((resolve) => (readPulls = resolve));
    // The comment's handler looks for holds of the pull request: the decision has none yet.
    let looked!: () => void;
    const lookedUp = new Promise<void>((resolve) => (looked = resolve));
    const store = new (class extends MemoryStore {
      override async members(key: string): Promise<string[]> {
        const members = await super.members(key);
        if (key.startsWith("holds:pull:")) looked();
        return members;
      }
    })();
    const app = await startApp(store, { now: OPEN });

    const deciding = app.receive("deployment_protection_rule", requested());
    const commenting = app.receive("issue_comment", approveComment("rm2", 901));
    await lookedUp;
    readPulls();
    await Promise.all([deciding, commenting]);
    let made = world.take();
    expect(made.map((m) => m.line)).not.toContain(`POST ${REPO_PATH}/issues/7/comments`);
    expect(made.map((m) => m.line)).toContain(REACTION(901));

    await app.receive("deployment_review", reviewBy("rm1"));
    made = world.take();
    expect(bodyOf(made, ANSWER)).toMatchObject({ state: "approved" });
    expect(bodyOf(made, ANSWER).comment).toContain(
      "signed off: @\u2060rm2 by comment, @\u2060rm1 by deployment review",
    );
  });

  it("/approve with no held deployment replies once per comment", async () => {
    world = new World(SIGN_OFF_POLICY);
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_protection_rule", requested());
    world.take();

    await app.receive("issue_comment", approveComment("rm2", 801, "/approve staging"));
    const made = world.take();
    expectBudget(made, { reads: { atMost: 0 }, writes: [`POST ${REPO_PATH}/issues/7/comments`] });
    expect(String(bodyOf(made, `POST ${REPO_PATH}/issues/7/comments`).body)).toContain(
      "No deployment of a commit this pull request brought is waiting for Release Policy in `staging`",
    );
    // Delivered again under another id: the comment was answered already.
    await app.receive("issue_comment", approveComment("rm2", 801, "/approve staging"));
    expectBudget(world.take(), NOTHING);
  });
});

describe("re-check when a merged pull request's check changes", () => {
  const RECHECK_POLICY = `
environments:
  production: {}
gates:
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1, exclude: [author] } }
  compliant:
    stage: deployment
    environments: [production]
    require: { compliant_changes: true }
`;

  it("holds while the pull request's check is pending, approves when a late approval passes it", async () => {
    world = new World(RECHECK_POLICY);
    world.verdict = { status: "in_progress", conclusion: null };
    const app = await startApp(new MemoryStore(), { now: OPEN });

    await app.receive("deployment_protection_rule", requested());
    let made = world.take();
    expectBudget(made, {
      reads: { atMost: 6, includes: [VERDICT] },
      writes: [ANSWER],
    });
    expect(bodyOf(made, ANSWER).comment).toContain("#7's release-policy check is still pending");

    world.reviews = [
      {
        user: { login: "reviewer" },
        state: "APPROVED",
        commit_id: PR_HEAD,
        submitted_at: "2026-03-10T12:00:00Z",
      },
    ];
    await app.receive(
      "pull_request_review",
      reviewSubmitted({ pr: 7, reviewer: "reviewer", headSha: PR_HEAD }),
    );
    made = world.take();
    expectBudget(made, {
      reads: { atMost: 7, includes: [`GET ${REPO_PATH}/pulls/7/reviews?per_page=100`, VERDICT] },
      writes: [
        // The pull request is judged again (it is merged, but a deployment waits on it)…
        `PATCH ${REPO_PATH}/check-runs/1`,
        // …its check passes, and the held deployment is re-checked and approved.
        ANSWER,
        STATUS,
      ],
    });
    expect(bodyOf(made, ANSWER)).toMatchObject({ state: "approved" });
  });

  it("a review of a merged pull request no deployment waits on costs nothing", async () => {
    world = new World(RECHECK_POLICY);
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive(
      "pull_request_review",
      reviewSubmitted({ pr: 7, reviewer: "reviewer", headSha: PR_HEAD }),
    );
    expectBudget(world.take(), NOTHING);
  });
});

describe("re-check when a merged pull request is relabelled", () => {
  const EMERGENCY_POLICY = `
change_types:
  emergency: { labels: ["change: emergency"] }
  normal: { default: true }
environments:
  production: {}
gates:
  release-manager:
    stage: deployment
    environments: [production]
    unless: { change_types: [emergency] }
    require: { deployment_approval: { count: 1, from: { users: [rm1] } } }
`;

  it("judges the held deployment again under the change type it was merged with; other pull requests cost nothing", async () => {
    world = new World(EMERGENCY_POLICY);
    const app = await startApp(new MemoryStore(), { now: OPEN });
    // The app hears the merge: a normal change.
    await app.receive(
      "pull_request",
      mergedPullClosed({ pr: 7, labels: [], headSha: PR_HEAD, mergeCommitSha: SHA }),
    );
    expectBudget(world.take(), NOTHING);
    await app.receive("deployment_protection_rule", requested());
    expectBudget(world.take(), { reads: { atMost: 5, includes: HELD }, writes: [ANSWER] });

    // A pull request no hold names, relabelled: no request.
    await app.receive(
      "pull_request",
      mergedPullLabeled({ pr: 8, label: "change: emergency", headSha: PR_HEAD }),
    );
    expectBudget(world.take(), NOTHING);

    // Labelled an emergency after its merge: the held deployment looks again, and the
    // release manager's approval still applies to it.
    const pull = world.pullsByCommit[SHA]?.[0];
    if (!pull) throw new Error("no pull request");
    pull.labels = [{ name: "change: emergency" }];
    await app.receive(
      "pull_request",
      mergedPullLabeled({ pr: 7, label: "change: emergency", headSha: PR_HEAD }),
    );
    expectBudget(world.take(), {
      // The held deployment reads its pull request again; its answer stands, so nothing is
      // written to it (the pull request's own check is judged again).
      reads: { atMost: 4, includes: [PULLS_OF_SHA] },
      writes: [`PATCH ${REPO_PATH}/check-runs/1`],
    });
  });
});
