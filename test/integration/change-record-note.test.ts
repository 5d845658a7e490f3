// The work note on a change record, driven through probot.receive: GitHub stood in by nock,
// ServiceNow and Jira by their loopback stand-ins, time and retries by hand. A deployment the
// protection rule approved on a change record with `work_note` gets one note once its status
// says it ended, however often and however concurrently the status arrives.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { MemoryStore } from "../../src/store/memory.js";
import { deploymentSucceeded } from "../fixtures/deployment/events.js";
import {
  deploymentReviewApproved,
  protectionRuleRequested,
} from "../fixtures/deployment/payloads.js";
import { startJira, type JiraStandIn } from "../stand-in/jira.js";
import { startServiceNow, type ServiceNowStandIn } from "../stand-in/servicenow.js";
import {
  ORG_BASE_URL,
  POLICY_PATH_URL,
  REPO_PATH,
  RunReviews,
  githubWithToken,
  mergedPull,
  policyContents,
  recordWrites,
  startApp,
  type DeploymentHarness,
} from "./deployment-helpers.js";

const SHA = "abcabcabcabcabcabcabcabcabcabcabcabcabca";
const RUN_ID = 9001;
const DEPLOYMENT_ID = 55;
const NOW = new Date("2026-03-10T12:00:00Z");

function policy(changeRecord: string): string {
  return `
environments:
  production: {}
gates:
  production-change:
    stage: deployment
    environments: [production]
    require:
      change_record: ${changeRecord}
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { users: [rita] } } }
`;
}

const SNOW_NOTE = policy('{ system: servicenow, pattern: "CHG[0-9]{7}", work_note: true }');

interface World {
  answers: Record<string, unknown>[];
  statuses: Record<string, unknown>[];
  reviews: RunReviews;
}

/** GitHub's side of one deployment of SHA, brought by pull request #7 naming the change. */
function github(
  text: string,
  title = "CHG0012345 ship the thing",
  onCommitStatus: () => void = () => undefined,
): World {
  const world: World = { answers: [], statuses: [], reviews: new RunReviews() };
  const scope = recordWrites(githubWithToken().persist(), world);
  world.reviews.serve(scope, RUN_ID);
  scope.get(ORG_BASE_URL).reply(404, { message: "Not Found" });
  scope.get(POLICY_PATH_URL).reply(200, policyContents(text));
  scope.get(`${REPO_PATH}/commits/${SHA}/pulls`).reply(200, [{ ...mergedPull(SHA), title }]);
  // production's first deployment: it ships the deployed commit's pull request.
  scope.get(`${REPO_PATH}/deployments`).query(true).reply(200, []);
  // Who wrote the change: never its approver.
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
  scope.post(`${REPO_PATH}/statuses/${SHA}`).reply(() => {
    onCommitStatus();
    return [201, {}];
  });
  return world;
}

let sn: ServiceNowStandIn;
let jira: JiraStandIn;

beforeEach(async () => {
  nock.cleanAll();
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  sn = await startServiceNow();
  jira = await startJira();
  sn.put("CHG0012345", {
    start_date: "2026-03-10 11:00:00",
    end_date: "2026-03-10 18:00:00",
    sys_id: "abc123",
  });
  jira.issues.set("OPS-42", { key: "OPS-42", summary: "Release shop 4.2", status: "Approved" });
});
afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await sn.close();
  await jira.close();
});

/** An app on its own store, or (given one) a restart over an earlier app's, with its sweep. */
async function appAt(
  clock: { now: Date },
  store: MemoryStore = new MemoryStore(() => clock.now),
): Promise<DeploymentHarness> {
  const app = await startApp(store, clock, undefined, {
    sweepIntervalMs: 30_000,
    changeSystems: {
      servicenow: {
        url: sn.url,
        auth: { kind: "basic", user: "release-policy", password: "s3cret" },
      },
      jira: { url: jira.url, email: "bot@example.com", apiToken: "api-token" },
    },
    // In-process: nock lets no fetch PATCH or POST through (test/support/in-process-fetch.ts).
    changeSystemFetch: (input, init) =>
      String(input instanceof Request ? input.url : input).startsWith(sn.url)
        ? sn.fetch(input, init)
        : jira.fetch(input, init),
  });
  await app.scheduler.runDue(clock.now);
  return app;
}

/** The deployment is asked about, held for rita, and approved by her in GitHub's review. */
async function approve(app: DeploymentHarness, world: World): Promise<void> {
  await app.receive(
    "deployment_protection_rule",
    protectionRuleRequested({
      runId: RUN_ID,
      environment: "production",
      sha: SHA,
      deploymentId: DEPLOYMENT_ID,
    }),
  );
  world.reviews.add("rita");
  await app.receive(
    "deployment_review",
    deploymentReviewApproved({ runId: RUN_ID, environment: "production", approver: "rita" }),
  );
}

function ended(state: "success" | "failure" | "error") {
  const payload = deploymentSucceeded({
    environment: "production",
    sha: SHA,
    deploymentId: DEPLOYMENT_ID,
    runId: RUN_ID,
  });
  return {
    ...payload,
    deployment_status: {
      ...payload.deployment_status,
      state,
      created_at: "2026-03-10T12:20:00Z",
    },
  };
}

const writes = (s: { requests: { method: string }[] }) =>
  s.requests.filter((r) => r.method === "PATCH" || r.method === "POST").length;

describe("work note on a ServiceNow change request", () => {
  it("writes one note once the approved deployment succeeds, whether the status is redelivered or arrives twice at once", async () => {
    const world = github(SNOW_NOTE);
    const clock = { now: NOW };
    const app = await appAt(clock);
    await approve(app, world);
    expect(world.answers.at(-1)).toMatchObject({ state: "approved" });
    expect(sn.notes).toEqual([]);

    // The status arrives twice at once (two deliveries, as two instances would get them).
    clock.now = new Date("2026-03-10T12:20:05Z");
    await Promise.all([
      app.receive("deployment_status", ended("success"), "status-1"),
      app.receive("deployment_status", ended("success"), "status-2"),
    ]);
    expect(sn.notes).toHaveLength(1);
    expect(sn.notes[0]).toMatchObject({ sysId: "abc123", number: "CHG0012345" });
    const text = sn.notes[0]!.text;
    expect(text.split("\n")).toEqual([
      "Release Policy: deployment 55 of acme/shop to production succeeded.",
      `Outcome: success at 2026-03-10T12:20:00Z (https://github.com/acme/shop/actions/runs/${RUN_ID})`,
      "Repository: acme/shop",
      "Environment: production",
      `Workflow run: https://github.com/acme/shop/actions/runs/${RUN_ID}`,
      // What the gate judged: every commit production had not run yet.
      `Commits: up to ${SHA} (1 commit, the environment's first deployment)`,
      "Pull requests: #7",
      "Approved at 2026-03-10T12:00:00.000Z by: rita (deployment review)",
      "Change records: CHG0012345",
    ]);
    expect(text).not.toContain("s3cret");
    const patch = sn.requests.find((r) => r.method === "PATCH");
    expect(patch?.path).toBe("/api/now/table/change_request/abc123");
    expect(patch?.authorization).toBe(
      `Basic ${Buffer.from("release-policy:s3cret").toString("base64")}`,
    );

    // GitHub redelivers the status; a later status of the same deployment says otherwise.
    await app.receive("deployment_status", ended("success"), "status-1");
    await app.receive("deployment_status", ended("failure"), "status-3");
    expect(sn.notes).toHaveLength(1);
    expect(writes(sn)).toBe(1);
  });

  it("dates the approval as it is sent, not after the writes that follow it", async () => {
    const clock = { now: NOW };
    // The commit status, written after the answer, is throttled: seconds pass meanwhile.
    const world = github(SNOW_NOTE, undefined, () => {
      clock.now = new Date(clock.now.getTime() + 3_000);
    });
    const app = await appAt(clock);
    await approve(app, world);
    await app.receive("deployment_status", ended("success"));
    expect(sn.notes[0]?.text).toContain("Approved at 2026-03-10T12:00:00.000Z by: rita");
  });

  it("tries a failed write again after a back-off, and writes it once", async () => {
    const world = github(SNOW_NOTE);
    const clock = { now: NOW };
    const app = await appAt(clock);
    await approve(app, world);

    sn.failWith = 503;
    await app.receive("deployment_status", ended("failure"));
    expect(sn.notes).toEqual([]);
    expect(writes(sn)).toBe(1);

    // Still failing at the first retry; ServiceNow is back for the second.
    clock.now = new Date(NOW.getTime() + 10_000);
    await app.scheduler.runDue(clock.now);
    expect(writes(sn)).toBe(2);
    sn.failWith = undefined;
    clock.now = new Date(NOW.getTime() + 30_000);
    await app.scheduler.runDue(clock.now);
    expect(sn.notes).toHaveLength(1);
    expect(sn.notes[0]?.text).toContain("to production failed.");

    // Nothing more, whatever comes later.
    await app.receive("deployment_status", ended("failure"));
    clock.now = new Date(NOW.getTime() + 60 * 60_000);
    await app.scheduler.runDue(clock.now);
    expect(writes(sn)).toBe(3);
    expect(sn.notes).toHaveLength(1);
  });

  it("writes a note whose write failed before a restart at the next app's sweep, once", async () => {
    const world = github(SNOW_NOTE);
    const clock = { now: NOW };
    const store = new MemoryStore(() => clock.now);
    const before = await appAt(clock, store);
    await approve(before, world);
    sn.failWith = 503;
    await before.receive("deployment_status", ended("success"));
    expect(writes(sn)).toBe(1);

    // The process stops before its retry; ServiceNow is back; another starts on the store.
    sn.failWith = undefined;
    const after = await appAt(clock, store);
    expect(writes(sn)).toBe(1);
    clock.now = new Date(NOW.getTime() + 30_000);
    await after.scheduler.runDue(clock.now);
    expect(sn.notes).toHaveLength(1);
    expect(sn.notes[0]?.text).toContain("to production succeeded.");
    clock.now = new Date(NOW.getTime() + 10 * 60_000);
    await after.scheduler.runDue(clock.now);
    expect(writes(sn)).toBe(2);
  });

  it("writes the note when the status comes before the approval is kept", async () => {
    const world = github(SNOW_NOTE);
    const app = await appAt({ now: NOW });
    // GitHub has the answer before the app's listeners hear of it: a quick job's status can
    // come first.
    await app.receive("deployment_status", ended("failure"));
    expect(writes(sn)).toBe(0);
    await approve(app, world);
    expect(world.answers.at(-1)).toMatchObject({ state: "approved" });
    expect(sn.notes).toHaveLength(1);
    expect(sn.notes[0]?.text).toContain("to production failed.");
    await app.receive("deployment_status", ended("failure"));
    expect(writes(sn)).toBe(1);
  });

  it("writes nothing when the gate does not ask for a note", async () => {
    const world = github(policy('{ system: servicenow, pattern: "CHG[0-9]{7}" }'));
    const app = await appAt({ now: NOW });
    await approve(app, world);
    expect(world.answers.at(-1)).toMatchObject({ state: "approved" });
    await app.receive("deployment_status", ended("success"));
    expect(writes(sn)).toBe(0);
  });

  it("writes nothing for a deployment that was rejected", async () => {
    sn.put("CHG0012345", { state: "Canceled" });
    const world = github(SNOW_NOTE);
    const app = await appAt({ now: NOW });
    await approve(app, world);
    expect(world.answers.at(-1)).toMatchObject({ state: "rejected" });
    await app.receive("deployment_status", ended("failure"));
    expect(writes(sn)).toBe(0);
  });
});

describe("work note on a Jira Service Management issue", () => {
  it("adds one internal comment in Atlassian Document Format", async () => {
    const world = github(
      policy(
        '{ system: jira, pattern: "OPS-[0-9]+", states: [Approved], window: false, work_note: true }',
      ),
      "OPS-42 ship the thing",
    );
    const app = await appAt({ now: NOW });
    await approve(app, world);
    expect(world.answers.at(-1)).toMatchObject({ state: "approved" });
    await app.receive("deployment_status", ended("error"));
    await app.receive("deployment_status", ended("error"));
    expect(jira.comments).toHaveLength(1);
    const [comment] = jira.comments;
    expect(comment?.key).toBe("OPS-42");
    expect(comment?.properties).toEqual([{ key: "sd.public.comment", value: { internal: true } }]);
    const body = comment?.body as { type: string; content: { content: { text: string }[] }[] };
    expect(body.type).toBe("doc");
    expect(body.content[0]?.content[0]?.text).toBe(
      "Release Policy: deployment 55 of acme/shop to production ended in error.",
    );
    expect(body.content.map((p) => p.content[0]?.text)).toContain("Change records: OPS-42");
  });
});
