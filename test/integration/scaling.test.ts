// Two app instances over one store (Redis in production, a shared MemoryStore here) and one
// clock: each deployment is decided once, whichever instances see it, and a hold whose
// instance died is released by another's sweep within a minute of its window opening.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { MemoryStore } from "../../src/store/memory.js";
import { protectionRuleRequested } from "../fixtures/deployment/payloads.js";
import {
  ORG_BASE_URL,
  POLICY_PATH_URL,
  REPO_PATH,
  githubWithToken,
  mergedPull,
  policyCheckRuns,
  policyContents,
  recordWrites,
  startApp,
} from "./deployment-helpers.js";

const SHA = "abcabcabcabcabcabcabcabcabcabcabcabcabca";
const RUN_ID = 9002;
// Friday 13 March 2026, 17:00 in Berlin; the window opens Monday 16 March 09:00 CET.
const FRIDAY = new Date("2026-03-13T16:00:00Z");
const MONDAY_OPEN = new Date("2026-03-16T08:00:00Z");
const SWEEP_MS = 30_000;

const POLICY = `
environments:
  staging: {}
  production: {}
gates:
  production-window:
    stage: deployment
    environments: [production]
    require:
      window: { timezone: Europe/Berlin, allow: ["Mon-Thu 09:00-16:00"] }
`;

interface Writes {
  answers: Record<string, unknown>[];
  statuses: Record<string, unknown>[];
}

/** GitHub for one deployment: what the app reads, and the two writes a decision makes. */
function github(): Writes {
  const writes: Writes = { answers: [], statuses: [] };
  const scope = recordWrites(githubWithToken().persist(), writes);
  scope.get(POLICY_PATH_URL).reply(200, policyContents(POLICY));
  scope.get(ORG_BASE_URL).reply(404, { message: "Not Found" }); // acme, an organization, has none
  scope.get(`${REPO_PATH}/commits/${SHA}/pulls`).reply(200, [mergedPull(SHA)]);
  scope
    .get(`${REPO_PATH}/commits/${mergedPull(SHA).head.sha}/check-runs`)
    .query(true)
    .reply(200, policyCheckRuns("success"));
  scope.post(`${REPO_PATH}/actions/runs/${RUN_ID}/deployment_protection_rule`).reply(204);
  scope.post(`${REPO_PATH}/statuses/${SHA}`).reply(201, {});
  return writes;
}

const requested = (environment: string) =>
  protectionRuleRequested({ runId: RUN_ID, environment, sha: SHA, deploymentId: 56 });

const decisions = (writes: Writes) => writes.answers.filter((a) => a.state !== undefined);

beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
});
afterEach(() => nock.cleanAll());

describe("instances sharing one store", () => {
  it("decide a deployment once when both are asked at once (different deliveries)", async () => {
    const writes = github();
    const clock = { now: FRIDAY };
    const store = new MemoryStore(() => clock.now);
    const [a, b] = await Promise.all([startApp(store, clock), startApp(store, clock)]);
    await Promise.all([
      a.receive("deployment_protection_rule", requested("staging"), "to-a"),
      b.receive("deployment_protection_rule", requested("staging"), "to-b"),
    ]);
    expect(writes.answers).toEqual([expect.objectContaining({ state: "approved" })]);
    expect(writes.statuses).toHaveLength(1);
  });

  it("release a dead instance's hold by the other's sweep, once, within a minute", async () => {
    const writes = github();
    const clock = { now: FRIDAY };
    const store = new MemoryStore(() => clock.now);
    const sweeping = { sweepIntervalMs: SWEEP_MS };
    const a = await startApp(store, clock, undefined, sweeping);
    const b = await startApp(store, clock, undefined, sweeping);
    await a.receive("deployment_protection_rule", requested("production"));
    expect(writes.answers).toEqual([
      expect.objectContaining({ comment: expect.stringContaining("opens Mon 16 Mar 09:00") }),
    ]);
    // Instance a dies here: its timer for Monday 09:00 never fires. Instance b never saw
    // the deployment, and has no timer for it.
    clock.now = new Date(MONDAY_OPEN.getTime() - 1);
    await b.scheduler.runDue(clock.now);
    expect(decisions(writes)).toEqual([]);

    clock.now = new Date(MONDAY_OPEN.getTime() + SWEEP_MS);
    await b.scheduler.runDue(clock.now);
    expect(decisions(writes)).toEqual([expect.objectContaining({ state: "approved" })]);
  });

  it("answer once when both instances' timers and sweeps fire together", async () => {
    const writes = github();
    const clock = { now: FRIDAY };
    const store = new MemoryStore(() => clock.now);
    const sweeping = { sweepIntervalMs: SWEEP_MS };
    const [a, b] = await Promise.all([
      startApp(store, clock, undefined, sweeping),
      startApp(store, clock, undefined, sweeping),
    ]);
    // Each instance holds the deployment: the same request delivered twice, one each.
    await a.receive("deployment_protection_rule", requested("production"), "first");
    await b.receive("deployment_protection_rule", requested("production"), "second");
    expect(decisions(writes)).toEqual([]);

    clock.now = new Date(MONDAY_OPEN.getTime() + SWEEP_MS);
    await Promise.all([a.scheduler.runDue(clock.now), b.scheduler.runDue(clock.now)]);
    expect(decisions(writes)).toEqual([expect.objectContaining({ state: "approved" })]);
  });
});
