// A deployment ships every pull request merged since the environment's last successful
// deployment: change_record judges each of them, not only the deployed commit's own, so a
// change nobody approved cannot ride along with one that was. Through probot.receive(), GitHub
// stood in by nock (each request recorded for the budget) and ServiceNow by its stand-in.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type { DeploymentDecided } from "../../src/pipeline/deployment-listeners.js";
import { MemoryStore } from "../../src/store/memory.js";
import { protectionRuleRequested } from "../fixtures/deployment/payloads.js";
import { isWrite } from "../integration/budget.js";
import { REPO_PATH, mergedPull, startApp } from "../integration/deployment-helpers.js";
import {
  ANSWER,
  bodyOf,
  DEPLOYMENTS,
  expectBudget,
  OPEN,
  PR_HEAD,
  PULLS_OF_SHA,
  RUN_ID,
  SHA,
  STATUS,
  World,
} from "../integration/deployment-world.js";
import { startServiceNow, type ServiceNowStandIn } from "../stand-in/servicenow.js";

const BASE = "0000000000000000000000000000000000000000";
/** main's merge commit of #7, between the base production last ran and SHA (#8's merge). */
const C7 = "c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7";
const BRANCH7 = "b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7";
const BRANCH8 = "b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8";

const statusesOf = (id: number) => `GET ${REPO_PATH}/deployments/${id}/statuses?per_page=1`;
const COMPARE = `GET ${REPO_PATH}/compare/${BASE}...${SHA}`;
const pullsOf = (sha: string) => `GET ${REPO_PATH}/commits/${sha}/pulls`;
const verdictOf = (sha: string) =>
  `GET ${REPO_PATH}/commits/${sha}/check-runs?check_name=release-policy&filter=latest&per_page=100`;
/** What production ships, read once: its last success, the compare, each commit's pull requests. */
const RANGE = [DEPLOYMENTS, statusesOf(40), COMPARE, pullsOf(SHA), pullsOf(C7)];

const CHANGE_RECORD = `change_record: { system: servicenow, pattern: "CHG[0-9]{7}" }`;
const policy = (...require: string[]) => `
environments:
  production: {}
gates:
  production-change:
    stage: deployment
    environments: [production]
    require:
${require.map((r) => `      ${r}`).join("\n")}
`;

/** #7 (awaiting CHG0000001's approval) and #8 (CHG0000002, approved) merged since BASE. */
function story(world: World): void {
  world.deployments = [
    { id: 55, sha: SHA },
    { id: 40, sha: BASE },
  ];
  world.deploymentStatuses = { 40: [{ state: "success" }] };
  world.compare = [
    { sha: BRANCH7, parents: [{ sha: BASE }] },
    { sha: C7, parents: [{ sha: BASE }, { sha: BRANCH7 }] },
    { sha: BRANCH8, parents: [{ sha: C7 }] },
    { sha: SHA, parents: [{ sha: C7 }, { sha: BRANCH8 }] },
  ];
  world.pullsByCommit = {
    [SHA]: [
      {
        ...mergedPull(SHA),
        number: 8,
        title: "CHG0000002 checkout button",
        html_url: "https://github.com/acme/shop/pull/8",
      },
    ],
    [C7]: [{ ...mergedPull(C7), title: "CHG0000001 payment provider" }],
  };
}

let sn: ServiceNowStandIn;
let world: World;

beforeEach(async () => {
  nock.cleanAll();
  nock.disableNetConnect();
  sn = await startServiceNow();
  const window = { start_date: "2026-03-10 11:00:00", end_date: "2026-03-10 18:00:00" };
  sn.put("CHG0000001", { state: "Scheduled", approval: "Requested", ...window });
  sn.put("CHG0000002", { state: "Scheduled", approval: "Approved", ...window });
});
afterEach(async () => {
  world.close();
  nock.cleanAll();
  await sn.close();
});

const appWith = (clock: { now: Date }, heard: DeploymentDecided[] = []) =>
  startApp(new MemoryStore(() => clock.now), clock, undefined, {
    deploymentListeners: [async (decided) => void heard.push(decided)],
    changeSystems: {
      servicenow: {
        url: sn.url,
        auth: { kind: "basic", user: "release-policy", password: "s3cret" },
      },
    },
    changeSystemFetch: (input, init) => sn.fetch(input, init),
  });

const requested = () =>
  protectionRuleRequested({ runId: RUN_ID, environment: "production", sha: SHA, deploymentId: 55 });

const lookedUp = () => sn.requests.filter((r) => r.path === "/api/now/table/change_request").length;

describe("a deployment ships every pull request since the environment's last deployment", () => {
  it("holds production while a shipped pull request's change awaits approval, naming it, and approves once it is approved", async () => {
    world = new World(policy(CHANGE_RECORD));
    story(world);
    const clock = { now: OPEN };
    const heard: DeploymentDecided[] = [];
    const app = await appWith(clock, heard);
    await app.scheduler.runDue(clock.now);
    await app.receive("deployment_protection_rule", requested());
    const made = world.take();
    const held = bodyOf(made, ANSWER);
    expect(held.state).toBeUndefined();
    expect(held.comment).toContain("#7: CHG0000001 is not yet approved (approval: Requested)");
    expect(lookedUp()).toBe(2);
    // The range is the only new cost: no verdicts (no compliant_changes gate), no branch commit.
    expectBudget(made, {
      reads: {
        // The token, the policy, the organization's base, and what production ships.
        atMost: 8,
        includes: RANGE,
        excludes: [pullsOf(BRANCH7), pullsOf(BRANCH8), verdictOf(PR_HEAD)],
      },
      // Held: the answer is the status comment alone.
      writes: [ANSWER],
    });

    // Approved in ServiceNow; no webhook says so: the hold's next look reads it.
    sn.put("CHG0000001", { approval: "Approved" });
    clock.now = app.scheduler.next!;
    await app.scheduler.runDue(clock.now);
    const approved = bodyOf(world.take(), ANSWER);
    expect(approved.state).toBe("approved");
    // The gate's text names each shipped pull request and the state of its change.
    const reason = heard.at(-1)?.gates[0]?.reason ?? "";
    expect(reason).toContain('#7: CHG0000001 "Release shop 4.2" is Scheduled, approval Approved');
    expect(reason).toContain('#8: CHG0000002 "Release shop 4.2" is Scheduled, approval Approved');
  });

  it("fails production when a shipped pull request references no change at all", async () => {
    world = new World(policy(CHANGE_RECORD));
    story(world);
    world.pullsByCommit[C7] = [{ ...mergedPull(C7), title: "payment provider" }];
    const app = await appWith({ now: OPEN });
    await app.receive("deployment_protection_rule", requested());
    const answer = bodyOf(world.take(), ANSWER);
    expect(answer.state).toBe("rejected");
    expect(answer.comment).toContain(
      "#7: no ServiceNow change record reference matching /CHG[0-9]{7}/ in its title, body or branch name",
    );
  });

  it("reads what production ships once for change_record and compliant_changes together", async () => {
    world = new World(policy("compliant_changes: true"));
    story(world);
    const alone = await appWith({ now: OPEN });
    await alone.receive("deployment_protection_rule", requested());
    const compliantAlone = world.take().filter((r) => !isWrite(r.line));
    world.close();

    nock.cleanAll();
    world = new World(policy("compliant_changes: true", CHANGE_RECORD));
    story(world);
    const both = await appWith({ now: OPEN });
    await both.receive("deployment_protection_rule", requested());
    const made = world.take();
    // The same reads as compliant_changes alone: the range is one fact, read once.
    expectBudget(made, {
      reads: { atMost: compliantAlone.length, includes: [...RANGE, verdictOf(PR_HEAD)] },
      writes: [ANSWER],
    });
    expect(RANGE.every((line) => made.filter((r) => r.line === line).length === 1)).toBe(true);
    expect(bodyOf(made, ANSWER).comment).toContain("#7: CHG0000001 is not yet approved");
  });

  it("costs one more read than the deployed commit's pull request alone at an environment's first deployment", async () => {
    world = new World(policy(CHANGE_RECORD));
    story(world);
    world.deployments = [{ id: 55, sha: SHA }];
    sn.put("CHG0000002", { approval: "Approved" });
    const app = await appWith({ now: OPEN });
    await app.receive("deployment_protection_rule", requested());
    const made = world.take();
    // Before: the token, the policy, the organization's base and the commit's pull requests.
    expectBudget(made, {
      reads: { atMost: 5, includes: [DEPLOYMENTS, PULLS_OF_SHA], excludes: [COMPARE] },
      writes: [ANSWER, STATUS],
    });
    expect(bodyOf(made, ANSWER).state).toBe("approved");
  });
});
