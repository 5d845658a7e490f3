import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { MemoryStore } from "../../src/store/memory.js";
import {
  deploymentReviewApproved,
  protectionRuleRequested,
} from "../fixtures/deployment/payloads.js";
import {
  ORG_BASE_URL,
  POLICY_PATH_URL,
  REPO_PATH,
  recordWrites,
  RunReviews,
  githubWithToken,
  mergedPull,
  policyCheckRuns,
  policyContents,
  startApp,
} from "./deployment-helpers.js";

const SHA = "abcabcabcabcabcabcabcabcabcabcabcabcabca";
const RUN_ID = 9001;
const PR_HEAD = "feedfeedfeedfeedfeedfeedfeedfeedfeedfeed";
// Tuesday 10 March 2026, 13:00 in Berlin: inside Mon-Thu 09:00-16:00.
const OPEN = new Date("2026-03-10T12:00:00Z");
// Friday 13 March 2026, 17:00 in Berlin; the window opens Monday 16 March 09:00 CET.
const FRIDAY = new Date("2026-03-13T16:00:00Z");
const MONDAY_OPEN = new Date("2026-03-16T08:00:00Z");

const POLICY = `
change_types:
  emergency: { labels: ["change: emergency"] }
  normal: { default: true }
environments:
  staging: {}
  production: {}
gates:
  compliant:
    stage: deployment
    environments: [production]
    require: { compliant_changes: true }
  production-window:
    stage: deployment
    environments: [production]
    unless: { change_types: [emergency] }
    require:
      window: { timezone: Europe/Berlin, allow: ["Mon-Thu 09:00-16:00"] }
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { users: [rm1, author] } } }
`;

interface World {
  /** Bodies of protection rule answers and status comments, in order. */
  answers: Record<string, unknown>[];
  statuses: Record<string, unknown>[];
  /** GitHub's record of the run's deployment reviews. */
  reviews: RunReviews;
}

/**
 * GitHub's read side for one deployment, answering as often as asked; the writes are
 * captured so each test can assert exactly what the app said.
 */
function github(
  options: { policy?: string | null; check?: string; labels?: string[] } = {},
): World {
  const world: World = { answers: [], statuses: [], reviews: new RunReviews() };
  const scope = recordWrites(githubWithToken().persist(), world);
  world.reviews.serve(scope, RUN_ID);
  // acme is an organization without a base policy: read once, whether the repository has
  // a file of its own or not (a base could be required of it).
  scope.get(ORG_BASE_URL).reply(404, { message: "Not Found" });
  if (options.policy === null) scope.get(POLICY_PATH_URL).reply(404, { message: "Not Found" });
  else scope.get(POLICY_PATH_URL).reply(200, policyContents(options.policy ?? POLICY));
  scope.get(`${REPO_PATH}/commits/${SHA}/pulls`).reply(200, [mergedPull(SHA, options.labels)]);
  // The labels it was merged with (a gate applies by change type): GitHub's label history,
  // since the app did not hear the merge.
  scope
    .get(`${REPO_PATH}/issues/7/events`)
    .query(true)
    .reply(
      200,
      (options.labels ?? []).map((name) => ({
        event: "labeled",
        created_at: "2026-03-08T10:00:00Z",
        label: { name },
      })),
    );
  // No earlier deployment to production succeeded: the deployed commit alone is judged.
  scope
    .get(`${REPO_PATH}/deployments`)
    .query({ environment: "production", per_page: "10" })
    .reply(200, []);
  scope
    .get(`${REPO_PATH}/commits/${PR_HEAD}/check-runs`)
    .query({ check_name: "release-policy", filter: "latest", per_page: "100" })
    .reply(200, policyCheckRuns(options.check ?? "success"));
  scope
    .get(`${REPO_PATH}/pulls/7/commits`)
    .query({ per_page: "100" })
    .reply(200, [{ author: { login: "author" }, committer: { login: "web-flow" } }]);
  scope.get(`${REPO_PATH}/actions/runs/${RUN_ID}`).reply(200, {
    id: RUN_ID,
    actor: { login: "deployer" },
    triggering_actor: { login: "deployer" },
  });
  scope.post(`${REPO_PATH}/actions/runs/${RUN_ID}/deployment_protection_rule`).reply(204);
  scope.post(`${REPO_PATH}/statuses/${SHA}`).reply(201, {});
  return world;
}

const requested = (environment: string, extra: { topLevelShaRef?: boolean } = {}) =>
  protectionRuleRequested({ runId: RUN_ID, environment, sha: SHA, deploymentId: 55, ...extra });

/** A release manager approves in GitHub's review: GitHub records it, then sends the webhook. */
const approvedBy = (world: World, approver: string) => {
  world.reviews.add(approver);
  return deploymentReviewApproved({ runId: RUN_ID, environment: "production", approver });
};

beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
});
afterEach(() => nock.cleanAll());

describe("deployment protection rule", () => {
  it("approves an environment the policy sets no gate for, and says so", async () => {
    const world = github();
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_protection_rule", requested("staging"));
    expect(world.answers).toEqual([
      {
        environment_name: "staging",
        state: "approved",
        comment:
          "Release Policy approved staging.\nThe release policy has no deployment gate for staging.",
      },
    ]);
    expect(world.statuses).toEqual([
      expect.objectContaining({
        state: "success",
        context: "release-policy/staging",
        target_url: `https://github.com/acme/shop/actions/runs/${RUN_ID}`,
      }),
    ]);
  });

  it("rejects a commit whose pull request failed the release policy (payload without top-level sha)", async () => {
    const world = github({ check: "failure" });
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive(
      "deployment_protection_rule",
      requested("production", { topLevelShaRef: false }),
    );
    expect(world.answers).toHaveLength(1);
    expect(world.answers[0]).toMatchObject({ environment_name: "production", state: "rejected" });
    const comment = String(world.answers[0]?.comment);
    expect(comment).toContain("❌ compliant: #7 was merged with release-policy failure");
    expect(comment).toContain("Details: https://github.com/acme/shop/pull/7");
    expect(comment.length).toBeLessThanOrEqual(1024);
    expect(world.statuses).toEqual([expect.objectContaining({ state: "failure" })]);
  });

  it("rejects when the repository has no policy: never approves without one", async () => {
    const world = github({ policy: null });
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_protection_rule", requested("production"));
    expect(world.answers).toEqual([
      expect.objectContaining({
        state: "rejected",
        comment: expect.stringContaining("No .github/release-policy.yml"),
      }),
    ]);
  });

  it("holds for a release manager, ignores the author's approval (SoD), approves on an eligible one", async () => {
    const world = github();
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_protection_rule", requested("production"));
    expect(world.answers).toHaveLength(1);
    expect(world.answers[0]).not.toHaveProperty("state");
    expect(world.answers[0]?.comment).toContain("⏳ release-manager: 0 of 1 deployment approval");

    await app.receive("deployment_review", approvedBy(world, "author"));
    // Still waiting; the status comment now says why the author's approval does not count.
    expect(world.answers).toHaveLength(2);
    expect(world.answers[1]).not.toHaveProperty("state");
    expect(world.answers[1]?.comment).toContain(
      "release-manager: not counted: @\u2060author by deployment review (authored the pull request)",
    );

    await app.receive("deployment_review", approvedBy(world, "rm1"));
    expect(world.answers).toHaveLength(3);
    expect(world.answers[2]).toMatchObject({ environment_name: "production", state: "approved" });
    expect(world.answers[2]?.comment).toContain("signed off: @\u2060rm1 by deployment review");
    // Waiting shows where the reviewer acts (the job's status comment); the commit status
    // records the decision.
    expect(world.statuses.map((s) => s.state)).toEqual(["success"]);
  });

  it("an emergency change bypasses the window", async () => {
    const world = github({ labels: ["change: emergency"] });
    const app = await startApp(new MemoryStore(), { now: FRIDAY });
    await app.receive("deployment_protection_rule", requested("production"));
    await app.receive("deployment_review", approvedBy(world, "rm1"));
    expect(world.answers.at(-1)).toMatchObject({ state: "approved" });
  });

  it("holds outside the window and approves when it opens, under the injected clock", async () => {
    const world = github();
    const clock = { now: FRIDAY };
    const app = await startApp(new MemoryStore(), clock);
    await app.scheduler.runDue(clock.now); // start-up recovery: nothing held yet
    await app.receive("deployment_protection_rule", requested("production"));
    await app.receive("deployment_review", approvedBy(world, "rm1"));
    expect(world.answers.map((a) => a.state)).toEqual([undefined, undefined]);
    expect(world.answers[1]?.comment).toContain("opens Mon 16 Mar 09:00");
    expect(app.scheduler.next).toEqual(MONDAY_OPEN);

    clock.now = new Date(MONDAY_OPEN.getTime() - 60_000);
    expect(await app.scheduler.runDue(clock.now)).toBe(0);
    clock.now = MONDAY_OPEN;
    await app.scheduler.runDue(clock.now);
    expect(world.answers).toHaveLength(3);
    expect(world.answers[2]).toMatchObject({ state: "approved" });
    expect(app.scheduler.next).toBeUndefined();
  });

  it("recovers held deployments after a restart (a new app over the same store)", async () => {
    const world = github();
    const store = new MemoryStore(() => clock.now);
    const clock = { now: FRIDAY };
    const first = await startApp(store, clock);
    await first.receive("deployment_protection_rule", requested("production"));
    await first.receive("deployment_review", approvedBy(world, "rm1"));
    expect(world.answers.every((a) => a.state === undefined)).toBe(true);

    // The first process is gone; its timers with it. Monday morning a new one starts.
    clock.now = MONDAY_OPEN;
    const second = await startApp(store, clock);
    await second.scheduler.runDue(clock.now);
    expect(world.answers.at(-1)).toMatchObject({
      environment_name: "production",
      state: "approved",
    });
    expect(world.answers.filter((a) => a.state !== undefined)).toHaveLength(1);
  });

  it("answers once, by a later re-check, a decision whose process stopped while answering", async () => {
    // The first process's approval never reaches GitHub: its request hangs until the end.
    const stuck = nock("https://api.github.com")
      .post(
        `${REPO_PATH}/actions/runs/${RUN_ID}/deployment_protection_rule`,
        (body: { state?: string }) => body.state === "approved",
      )
      .reply(() => new Promise<[number]>(() => undefined));
    const world = github();
    const clock = { now: OPEN };
    const store = new MemoryStore(() => clock.now);
    const first = await startApp(store, clock);
    await first.receive("deployment_protection_rule", requested("production"));
    const abandoned = first
      .receive("deployment_review", approvedBy(world, "rm1"))
      .catch(() => undefined);
    while (!stuck.isDone()) await new Promise((resolve) => setImmediate(resolve));

    // A new process over the same store: while the first one's answer may still land, it
    // says nothing; once that claim lapses, the hold's re-check answers.
    const second = await startApp(store, clock);
    clock.now = new Date(OPEN.getTime() + 60_000);
    await second.scheduler.runDue(clock.now);
    expect(world.answers.filter((a) => a.state !== undefined)).toEqual([]);
    clock.now = new Date(OPEN.getTime() + 4 * 60_000);
    await second.scheduler.runDue(clock.now);
    expect(world.answers.filter((a) => a.state !== undefined)).toEqual([
      expect.objectContaining({ environment_name: "production", state: "approved" }),
    ]);
    void abandoned;
  });

  it("gives one decision for a redelivered request, and for a second identical one", async () => {
    const world = github({ check: "failure" });
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive("deployment_protection_rule", requested("production"), "same-delivery");
    await app.receive("deployment_protection_rule", requested("production"), "same-delivery");
    await app.receive("deployment_protection_rule", requested("production"), "another-delivery");
    expect(world.answers.filter((a) => a.state === "rejected")).toHaveLength(1);
    expect(world.answers).toHaveLength(1);
  });

  it("an answer whose reply was lost is not repeated: GitHub's refusal of a second one ends it", async () => {
    const answerPath = `${REPO_PATH}/actions/runs/${RUN_ID}/deployment_protection_rule`;
    const decided = (body: { state?: string }) => body.state === "rejected";
    // GitHub applies the first answer, but the connection drops before its reply; a second
    // decision for the same deployment is refused.
    const sent: Pick<World, "answers" | "statuses"> = { answers: [], statuses: [] };
    const lost = recordWrites(nock("https://api.github.com"), sent)
      .post(answerPath, decided)
      .replyWithError({ code: "ECONNRESET", message: "socket hang up" })
      .post(answerPath, decided)
      .reply(422, { message: `Run ${RUN_ID} already has a decision for environment "production"` });
    const world = github({ check: "failure" });
    const clock = { now: OPEN };
    const app = await startApp(new MemoryStore(() => clock.now), clock);
    await app.scheduler.runDue(clock.now); // start-up recovery: nothing held yet
    await app.receive("deployment_protection_rule", requested("production"));
    // Sent once, not retried blindly: the outcome is unknown, the deployment waits.
    expect(sent.answers).toHaveLength(1);

    clock.now = new Date(OPEN.getTime() + 60_000);
    await app.scheduler.runDue(clock.now);
    expect(lost.isDone()).toBe(true);
    expect(sent.answers.map((a) => a.state)).toEqual(["rejected", "rejected"]);
    // GitHub has the decision: nothing is held, nothing is sent again.
    expect(app.scheduler.next).toBeUndefined();
    clock.now = new Date(OPEN.getTime() + 60 * 60_000);
    await app.scheduler.runDue(clock.now);
    expect(sent.answers).toHaveLength(2);
    expect(world.answers.filter((a) => a.state !== undefined)).toEqual([]);
  });

  it("keeps waiting and retries when GitHub fails, never approving", async () => {
    const world: World = { answers: [], statuses: [], reviews: new RunReviews() };
    const scope = recordWrites(githubWithToken().persist(), world);
    scope.get(POLICY_PATH_URL).reply(502, { message: "Bad Gateway" });
    scope.post(`${REPO_PATH}/actions/runs/${RUN_ID}/deployment_protection_rule`).reply(204);
    scope.post(`${REPO_PATH}/statuses/${SHA}`).reply(201, {});
    const clock = { now: OPEN };
    const app = await startApp(new MemoryStore(), clock);
    await app.scheduler.runDue(clock.now); // start-up recovery: nothing held yet
    await app.receive("deployment_protection_rule", requested("staging"));
    expect(world.answers).toEqual([
      expect.objectContaining({ comment: expect.stringContaining("retrying automatically") }),
    ]);
    expect(world.answers[0]).not.toHaveProperty("state");
    // The app's back-off: 10 units of RETRY_BASE_MS (1 s), doubling.
    expect(app.scheduler.next).toEqual(new Date(OPEN.getTime() + 10_000));

    // GitHub recovers; the retry ten seconds later decides.
    nock.cleanAll();
    const healthy = github();
    clock.now = new Date(OPEN.getTime() + 10_000);
    await app.scheduler.runDue(clock.now);
    expect(healthy.answers).toEqual([expect.objectContaining({ state: "approved" })]);
  });
});
