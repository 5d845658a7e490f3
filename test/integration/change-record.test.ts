// A deployment held on a ServiceNow change record, driven through probot.receive with GitHub
// stood in by nock and ServiceNow by its loopback stand-in.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type { DeploymentDecided } from "../../src/pipeline/deployment-listeners.js";
import { MemoryStore } from "../../src/store/memory.js";
import type { Store } from "../../src/store/store.js";
import { commentCreated } from "../fixtures/deployment/events.js";
import { protectionRuleRequested } from "../fixtures/deployment/payloads.js";
import type { ChangeSystemsConfig } from "../../src/facts/change-record-clients.js";
import {
  startServiceNow,
  type ServiceNowStandIn,
  type StandInChange,
} from "../stand-in/servicenow.js";
import { freePort } from "../support/free-port.js";
import {
  ORG_BASE_URL,
  POLICY_PATH_URL,
  REPO_PATH,
  recordWrites,
  RunReviews,
  githubWithToken,
  mergedPull,
  policyContents,
  startApp,
} from "./deployment-helpers.js";
import {
  bodyOf,
  contents,
  createHarness,
  CREATE_RUN,
  example,
  github as prGithub,
  POLICY_AT_HEAD,
  POLICY_URL as PR_POLICY_URL,
  REPO_PATH as PR_REPO_PATH,
  expectBudget,
  UPDATE_RUN,
  type Harness,
  type SeenRequest,
  RUNS,
  api,
  APP_ID,
  HEAD,
} from "./harness.js";

const SHA = "abcabcabcabcabcabcabcabcabcabcabcabcabca";
const RUN_ID = 9001;
const NOW = new Date("2026-03-10T12:00:00Z");

const POLICY = `
environments:
  production: {}
gates:
  production-change:
    stage: deployment
    environments: [production]
    require:
      change_record: { system: servicenow, pattern: "CHG[0-9]{7}" }
`;

interface World {
  answers: Record<string, unknown>[];
  statuses: Record<string, unknown>[];
}

function github(pull: Record<string, unknown> = { title: "CHG0012345 ship the thing" }): World {
  const world: World = { answers: [], statuses: [] };
  const scope = recordWrites(githubWithToken().persist(), world);
  new RunReviews().serve(scope, RUN_ID);
  scope.get(ORG_BASE_URL).reply(404, { message: "Not Found" });
  scope.get(POLICY_PATH_URL).reply(200, policyContents(POLICY));
  scope.get(`${REPO_PATH}/commits/${SHA}/pulls`).reply(200, [{ ...mergedPull(SHA), ...pull }]);
  // The environment's first deployment: what it ships is the deployed commit's pull request.
  scope.get(`${REPO_PATH}/deployments`).query(true).reply(200, []);
  scope.post(`${REPO_PATH}/actions/runs/${RUN_ID}/deployment_protection_rule`).reply(204);
  scope.post(`${REPO_PATH}/statuses/${SHA}`).reply(201, {});
  scope.post(/\/issues\/comments\/\d+\/reactions$/).reply(201, {});
  return world;
}

const requested = () =>
  protectionRuleRequested({ runId: RUN_ID, environment: "production", sha: SHA, deploymentId: 55 });

let sn: ServiceNowStandIn;

beforeEach(async () => {
  nock.cleanAll();
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  sn = await startServiceNow();
  sn.put("CHG0012345", {
    state: "Scheduled",
    approval: "Requested",
    start_date: "2026-03-10 11:00:00",
    end_date: "2026-03-10 18:00:00",
  });
});
afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await sn.close();
});

/** The stand-in ServiceNow, as the app is configured to reach it. */
const serviceNow = () => ({
  servicenow: {
    url: sn.url,
    auth: { kind: "basic" as const, user: "release-policy", password: "s3cret" },
  },
});

function appWith(
  clock: { now: Date },
  heard: DeploymentDecided[] = [],
  changeSystems: ChangeSystemsConfig = serviceNow(),
) {
  return startApp(new MemoryStore(), clock, undefined, {
    deploymentListeners: [async (decided) => void heard.push(decided)],
    changeSystems,
  });
}

/** The one answer so far holds the deployment, saying why ServiceNow could not say. */
function expectHeld(world: World, why: string): void {
  expect(world.answers).toHaveLength(1);
  expect(world.answers[0]?.state).toBeUndefined();
  expect(world.answers[0]?.comment).toContain(
    `CHG0012345 could not be looked up in ServiceNow: ${why}`,
  );
}

/** ServiceNow answers again by the hold's next look: the deployment goes then. */
async function expectApprovedAtNextLook(
  app: Awaited<ReturnType<typeof appWith>>,
  world: World,
): Promise<void> {
  app.clock.now = app.scheduler.next!;
  await app.scheduler.runDue(app.clock.now);
  expect(world.answers.at(-1)).toMatchObject({ state: "approved" });
}

/** The stand-in's change request, with some of its fields changed. */
function update(fields: Partial<StandInChange>): void {
  sn.put("CHG0012345", fields);
}

describe("change_record at a deployment", () => {
  it("holds a deployment whose change is not yet approved, and approves it once ServiceNow says approved", async () => {
    const world = github();
    const clock = { now: NOW };
    const heard: DeploymentDecided[] = [];
    const app = await appWith(clock, heard);
    await app.scheduler.runDue(clock.now);
    await app.receive("deployment_protection_rule", requested());
    expect(world.answers).toHaveLength(1);
    expect(world.answers[0]?.state).toBeUndefined();
    expect(world.answers[0]?.comment).toContain(
      "CHG0012345 is not yet approved (approval: Requested)",
    );

    // The change is approved in ServiceNow; no webhook says so: the hold's re-check looks again.
    sn.put("CHG0012345", { approval: "Approved" });
    const next = app.scheduler.next;
    expect(next).toBeDefined();
    clock.now = next!;
    await app.scheduler.runDue(clock.now);
    expect(world.answers.at(-1)).toMatchObject({ state: "approved" });
    // Asked once per look: the short cache does not outlive the re-check interval.
    expect(sn.requests.filter((r) => r.path === "/api/now/table/change_request")).toHaveLength(2);
    // The listeners heard the hold, then the approval with the change record it judged.
    expect(heard.map((d) => d.decision)).toEqual(["waiting", "approved"]);
    expect(heard[1]?.heldSince).toBe(NOW.toISOString());
    expect(heard[1]?.facts?.changeRecords?.[0]).toMatchObject({ reference: "CHG0012345" });
  });

  it("approves at once when someone comments /recheck after the change is approved, asking ServiceNow afresh", async () => {
    const world = github();
    const clock = { now: NOW };
    const app = await appWith(clock);
    await app.receive("deployment_protection_rule", requested());
    expect(world.answers.at(-1)?.state).toBeUndefined();

    sn.put("CHG0012345", { approval: "Approved" });
    // Within the reader's short cache: only the person's request makes the app ask again.
    await app.receive(
      "issue_comment",
      commentCreated({ pr: 7, id: 4242, body: "/recheck", author: "rita" }),
    );
    expect(world.answers.at(-1)).toMatchObject({ state: "approved" });
    expect(sn.requests.filter((r) => r.path === "/api/now/table/change_request")).toHaveLength(2);
  });

  it("keeps a deployment waiting while ServiceNow is rate limited, and approves once it answers", async () => {
    const world = github();
    update({ approval: "Approved" });
    sn.failWith = 429;
    const clock = { now: NOW };
    const app = await appWith(clock);
    await app.scheduler.runDue(clock.now);
    await app.receive("deployment_protection_rule", requested());
    expectHeld(
      world,
      "ServiceNow answered 429: Too Many Requests, and asked us to wait until 12:00:30 UTC; asked again once that time has come",
    );
    delete sn.failWith;
    await expectApprovedAtNextLook(app, world);
  });

  it("asks ServiceNow nothing before the time its 429 named, and looks again then", async () => {
    const world = github();
    update({ approval: "Approved" });
    sn.failWith = 429;
    sn.retryAfter = "8";
    const clock = { now: NOW };
    const app = await appWith(clock);
    await app.scheduler.runDue(clock.now);
    await app.receive("deployment_protection_rule", requested());
    expectHeld(
      world,
      "ServiceNow answered 429: Too Many Requests, and asked us to wait until 12:00:08 UTC",
    );
    // The hold's next look is when ServiceNow said, not sooner.
    expect(app.scheduler.next).toEqual(new Date("2026-03-10T12:00:08Z"));
    delete sn.failWith;

    // Someone asks for a fresh look meanwhile: the gate waits, sending ServiceNow nothing.
    clock.now = new Date("2026-03-10T12:00:02Z");
    await app.receive(
      "issue_comment",
      commentCreated({ pr: 7, id: 4242, body: "/recheck", author: "rita" }),
    );
    expect(world.answers.at(-1)?.state).toBeUndefined();
    expect(world.answers.at(-1)?.comment).toContain(
      "CHG0012345 could not be looked up in ServiceNow: ServiceNow asked us to wait until 12:00:08 UTC",
    );
    expect(sn.requests).toHaveLength(1);

    await expectApprovedAtNextLook(app, world);
    expect(app.clock.now).toEqual(new Date("2026-03-10T12:00:08Z"));
    expect(sn.requests).toHaveLength(2);
  });

  it("takes one new OAuth token when ServiceNow revoked the one the app holds", async () => {
    const world = github();
    update({ approval: "Approved" });
    const clock = { now: NOW };
    const app = await startApp(new MemoryStore(), clock, undefined, {
      changeSystems: {
        servicenow: {
          url: sn.url,
          auth: { kind: "oauth", clientId: "client-id", clientSecret: "client-secret" },
        },
      },
      // In-process: nock lets no fetch POST through (the token's request).
      changeSystemFetch: (input, init) => sn.fetch(input, init),
    });
    await app.receive("deployment_protection_rule", requested());
    expect(world.answers.at(-1)).toMatchObject({ state: "approved" });

    sn.revokeTokens();
    clock.now = new Date("2026-03-10T12:05:00Z");
    await app.receive(
      "deployment_protection_rule",
      protectionRuleRequested({
        runId: RUN_ID,
        environment: "production",
        sha: SHA,
        deploymentId: 56,
      }),
    );
    expect(world.answers).toHaveLength(2);
    expect(world.answers.at(-1)).toMatchObject({ state: "approved" });
    expect(sn.requests.filter((r) => r.path === "/oauth_token.do")).toHaveLength(2);
  });

  it("rejects, saying what to fix, while ServiceNow refuses the app's credentials", async () => {
    const world = github();
    update({ approval: "Approved" });
    sn.basic = "someone:else";
    const app = await appWith({ now: NOW });
    await app.receive("deployment_protection_rule", requested());
    expect(world.answers).toHaveLength(1);
    expect(world.answers[0]).toMatchObject({ state: "rejected" });
    expect(world.answers[0]?.comment).toContain(
      "CHG0012345 could not be looked up in ServiceNow: ServiceNow answered 401: User Not Authenticated",
    );
  });

  it("rejects a deployment whose change request does not exist", async () => {
    const world = github();
    sn.changes.clear();
    const app = await appWith({ now: NOW });
    await app.receive("deployment_protection_rule", requested());
    expect(world.answers.at(-1)).toMatchObject({ state: "rejected" });
    expect(world.answers.at(-1)?.comment).toContain("CHG0012345 does not exist in ServiceNow");
  });

  it("rejects a deployment whose change was rejected", async () => {
    const world = github();
    update({ approval: "Rejected" });
    const app = await appWith({ now: NOW });
    await app.receive("deployment_protection_rule", requested());
    expect(world.answers.at(-1)).toMatchObject({ state: "rejected" });
    expect(world.answers.at(-1)?.comment).toContain(
      "approval Rejected: it can no longer authorize a change",
    );
  });

  it("approves at once a deployment inside its approved change's window", async () => {
    const world = github();
    update({ approval: "Approved" });
    const app = await appWith({ now: NOW });
    await app.receive("deployment_protection_rule", requested());
    expect(world.answers).toHaveLength(1);
    expect(world.answers[0]).toMatchObject({ state: "approved" });
  });

  it.each([
    ["body", { title: "Ship the thing", body: "Change: CHG0012345" }],
    ["branch", { title: "Ship the thing", head: { ref: "fix/CHG0012345-login", sha: SHA } }],
  ])("finds a reference only in the deployed pull request's %s", async (_where, pull) => {
    const world = github(pull);
    update({ approval: "Approved" });
    const app = await appWith({ now: NOW });
    await app.receive("deployment_protection_rule", requested());
    expect(world.answers).toEqual([expect.objectContaining({ state: "approved" })]);
    expect(sn.requests.length).toBeGreaterThan(0);
  });

  it("holds a deployment before its approved change's window opens, and approves it at the start", async () => {
    const world = github();
    update({ approval: "Approved" });
    const clock = { now: new Date("2026-03-10T10:00:00Z") };
    const app = await appWith(clock);
    await app.receive("deployment_protection_rule", requested());
    expect(world.answers.at(-1)?.state).toBeUndefined();
    expect(world.answers.at(-1)?.comment).toContain(
      "CHG0012345's window opens at 2026-03-10T11:00:00Z",
    );

    clock.now = new Date("2026-03-10T11:00:00Z");
    await app.scheduler.runDue(clock.now);
    expect(world.answers.at(-1)).toMatchObject({ state: "approved" });
  });

  it("rejects a deployment after its approved change's window ended", async () => {
    const world = github();
    update({ approval: "Approved" });
    const app = await appWith({ now: new Date("2026-03-10T19:00:00Z") });
    await app.receive("deployment_protection_rule", requested());
    expect(world.answers.at(-1)).toMatchObject({ state: "rejected" });
    expect(world.answers.at(-1)?.comment).toContain(
      "CHG0012345's planned window ended at 2026-03-10T18:00:00Z",
    );
  });

  it("never approves while ServiceNow cannot be reached, and says so", async () => {
    const world = github();
    update({ approval: "Approved" });
    const closed = await freePort();
    const down = { servicenow: { ...serviceNow().servicenow, url: `http://127.0.0.1:${closed}` } };
    const app = await appWith({ now: NOW }, [], down);
    await app.receive("deployment_protection_rule", requested());
    // Held, not rejected: an outage of ServiceNow is waited out.
    expectHeld(world, "it could not be reached");
  });

  it("never approves while ServiceNow answers slower than the timeout, and says so", async () => {
    const world = github();
    update({ approval: "Approved" });
    sn.delayMs = 1_000;
    const clock = { now: NOW };
    const app = await appWith(clock, [], { ...serviceNow(), timeoutMs: 100 });
    await app.receive("deployment_protection_rule", requested());
    expectHeld(world, "it did not answer in time");
    delete sn.delayMs;
    await expectApprovedAtNextLook(app, world);
  });
});

describe("change_record on a pull request", () => {
  const PR_POLICY = `gates:
  change:
    stage: pull_request
    require:
      change_record: { system: servicenow, pattern: "CHG[0-9]{7}" }
`;
  const FIVE_MINUTES = 5 * 60_000;

  /** The pull request as GitHub shows it once titled `title`. */
  function titled(title: string): Record<string, unknown> {
    const opened = example("pull_request", "opened");
    return { ...(opened.pull_request as Record<string, unknown>), title };
  }

  /** Opens the pull request titled `title`; resolves with the check run created. */
  async function open(harness: Harness, title: string) {
    const scope = prGithub()
      .get(PR_POLICY_URL)
      .reply(200, contents(PR_POLICY))
      .get(RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(POLICY_AT_HEAD)
      .reply(200, contents(PR_POLICY))
      .post(`${PR_REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });
    const opened = example("pull_request", "opened");
    const made = await harness.receive("pull_request", { ...opened, pull_request: titled(title) });
    expect(scope.pendingMocks()).toEqual([]);
    return bodyOf(made, CREATE_RUN);
  }

  const appWithChangeSystem = (options: { store?: Store; sweepIntervalMs?: number } = {}) =>
    createHarness({ changeSystems: serviceNow(), ...options });

  /** The app's check as GitHub lists it while the change waits. */
  const ownRun = {
    id: 1,
    name: "release-policy",
    head_sha: HEAD,
    status: "in_progress",
    conclusion: null,
    app: { id: APP_ID },
    output: { title: "t", summary: "s", text: null, annotations_count: 0 },
  };

  /** What a person's fresh look reads (the policy, the pull request, the checks) and writes. */
  const freshLook = () =>
    api()
      .get(`${PR_REPO_PATH}/pulls/2`)
      .reply(200, titled("CHG0012345 ship"))
      .get(PR_POLICY_URL)
      .reply(200, contents(PR_POLICY))
      .get(RUNS)
      .reply(200, { total_count: 1, check_runs: [ownRun] })
      .patch(`${PR_REPO_PATH}/check-runs/1`)
      .reply(200, {});

  /** The requests GitHub saw: ServiceNow's loopback stand-in passes nock by, recorded too. */
  const ofGitHub = (made: SeenRequest[]) =>
    made.filter((request) => !request.path.startsWith("/api/now/"));

  it("completes the check when someone comments /recheck once the change is approved", async () => {
    const harness = await appWithChangeSystem();
    await open(harness, "CHG0012345 ship");

    sn.put("CHG0012345", { approval: "Approved" });
    const comment = example("issue_comment", "created");
    const issue = { ...(comment.issue as Record<string, unknown>), number: 2 };
    const scope = freshLook()
      .post(`${PR_REPO_PATH}/issues/comments/492700400/reactions`)
      .reply(201, {});
    const made = await harness.receive("issue_comment", {
      ...comment,
      issue: { ...issue, pull_request: { url: `https://api.github.com${PR_REPO_PATH}/pulls/2` } },
      comment: { ...(comment.comment as Record<string, unknown>), body: "/recheck" },
    });
    expect(scope.pendingMocks()).toEqual([]);
    expect(bodyOf(made, UPDATE_RUN)).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("completes the check when someone presses Re-evaluate a moment after the change is approved", async () => {
    const harness = await appWithChangeSystem();
    await open(harness, "CHG0012345 ship");

    // Within the minute ServiceNow's answer is kept: the button asks afresh all the same.
    sn.put("CHG0012345", { approval: "Approved" });
    const scope = freshLook();
    const pressed = example("check_run", "completed");
    const made = await harness.receive("check_run", {
      ...pressed,
      action: "requested_action",
      requested_action: { identifier: "reevaluate" },
      check_run: { ...(pressed.check_run as Record<string, unknown>), ...ownRun },
    });
    expect(scope.pendingMocks()).toEqual([]);
    expect(bodyOf(made, UPDATE_RUN)).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("completes the check on the sweep once the change is approved, with nobody asking", async () => {
    const harness = await appWithChangeSystem({ sweepIntervalMs: 30_000 });
    expect(await open(harness, "CHG0012345 ship")).toMatchObject({ status: "in_progress" });
    // Before the look is due, the sweep asks nobody anything.
    expect(await harness.runDue()).toEqual([]);
    const asked = sn.requests.length;

    sn.put("CHG0012345", { approval: "Approved" });
    harness.clock.now = new Date(harness.clock.now.getTime() + FIVE_MINUTES);
    const scope = api().patch(`${PR_REPO_PATH}/check-runs/1`).reply(200, {});
    const looked = await harness.runDue();
    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(ofGitHub(looked), { reads: { atMost: 2 }, writes: [UPDATE_RUN] });
    expect(bodyOf(looked, UPDATE_RUN)).toMatchObject({
      status: "completed",
      conclusion: "success",
    });
    expect(sn.requests.length).toBe(asked + 1);

    // Nothing waits any more: later sweeps look at it no more.
    harness.clock.now = new Date(harness.clock.now.getTime() + 12 * FIVE_MINUTES);
    expect(await harness.runDue()).toEqual([]);
    expect(sn.requests.length).toBe(asked + 1);
  });

  it("looks again each interval while the change waits, and after a restart", async () => {
    const before = await appWithChangeSystem({ sweepIntervalMs: 30_000 });
    await open(before, "CHG0012345 ship");
    before.clock.now = new Date(before.clock.now.getTime() + FIVE_MINUTES);
    const asked = sn.requests.length;
    // Still awaiting approval: ServiceNow is asked, the check is left as it is.
    expect(ofGitHub(await before.runDue())).toEqual([]);
    expect(sn.requests.length).toBe(asked + 1);

    // A new process on the same store knows what its predecessor was watching.
    sn.put("CHG0012345", { approval: "Approved" });
    const after = await appWithChangeSystem({ store: before.store, sweepIntervalMs: 30_000 });
    after.clock.now = new Date(before.clock.now.getTime() + FIVE_MINUTES);
    const scope = prGithub().patch(`${PR_REPO_PATH}/check-runs/1`).reply(200, {});
    const looked = await after.runDue();
    expect(scope.pendingMocks()).toEqual([]);
    expect(bodyOf(looked, UPDATE_RUN)).toMatchObject({
      status: "completed",
      conclusion: "success",
    });
  });

  it("looks no sooner than ServiceNow asked, even past the interval", async () => {
    sn.put("CHG0012345", { approval: "Approved" });
    sn.failWith = 429;
    sn.retryAfter = "900";
    const harness = await appWithChangeSystem({ sweepIntervalMs: 30_000 });
    const until = new Date(harness.clock.now.getTime() + 900_000);
    const run = await open(harness, "CHG0012345 ship");
    expect(JSON.stringify(run.output)).toContain(
      `asked us to wait until ${until.toISOString().slice(11, 19)} UTC`,
    );
    delete sn.failWith;
    harness.clock.now = new Date(harness.clock.now.getTime() + FIVE_MINUTES);
    expect(ofGitHub(await harness.runDue())).toEqual([]);
    expect(sn.requests).toHaveLength(1);

    harness.clock.now = until;
    // Past the kept snapshot: the look reads the pull request, the policy and the checks again.
    const scope = freshLook();
    const looked = await harness.runDue();
    expect(scope.pendingMocks()).toEqual([]);
    expect(bodyOf(looked, UPDATE_RUN)).toMatchObject({ conclusion: "success" });
    expect(sn.requests).toHaveLength(2);
  });

  it("lets a pull request closed while it waits go, asking nobody", async () => {
    const harness = await appWithChangeSystem({ sweepIntervalMs: 30_000 });
    await open(harness, "CHG0012345 ship");
    const closed = example("pull_request", "closed");
    await harness.receive("pull_request", {
      ...closed,
      pull_request: { ...titled("CHG0012345 ship"), state: "closed" },
    });
    const asked = sn.requests.length;
    harness.clock.now = new Date(harness.clock.now.getTime() + FIVE_MINUTES);
    expect(await harness.runDue()).toEqual([]);
    expect(sn.requests.length).toBe(asked);
    expect(await harness.store.members("pull-watch:index")).toEqual([]);
  });

  it("keeps the check in progress while the change awaits approval, saying so", async () => {
    const run = await open(await appWithChangeSystem(), "CHG0012345 ship the thing");
    expect(run.status).toBe("in_progress");
    expect(JSON.stringify(run.output)).toContain(
      "CHG0012345 is not yet approved (approval: Requested)",
    );
  });

  it("fails a made-up reference", async () => {
    const run = await open(await appWithChangeSystem(), "CHG0099999 ship the thing");
    expect(run.conclusion).toBe("failure");
    expect(JSON.stringify(run.output)).toContain("CHG0099999 does not exist in ServiceNow");
  });

  it("judges every reference: five approved changes do not carry a rejected sixth", async () => {
    const references = ["CHG0000001", "CHG0000002", "CHG0000003", "CHG0000004", "CHG0000005"];
    for (const number of references) sn.put(number, { approval: "Approved" });
    sn.put("CHG0000006", { approval: "Rejected" });
    const run = await open(
      await appWithChangeSystem(),
      `${[...references, "CHG0000006"].join(" ")} ship the thing`,
    );
    expect(run.conclusion).toBe("failure");
    expect(JSON.stringify(run.output)).toContain("CHG0000006");
    expect(sn.requests).toHaveLength(6);
  });
});
