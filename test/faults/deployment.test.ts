// Faults injected into GitHub while the real server answers the deployment protection rule:
// the answer rate limited or failing, the policy unreadable. Every case ends with the job
// approved exactly once after its approval, never before, and a job that cannot be judged
// is told why while it waits. Each case is a run of its own in a repository of its own.
import { jest } from "@jest/globals";
import type { ProtectionAnswer } from "../stand-in/records.js";
import { secondaryRateLimit, start, type StandIn } from "../stand-in/server.js";
import type { GitHubEvents } from "../e2e/github-events.js";
import {
  expectOnlyValidRequests,
  RELEASE_MANAGER_POLICY as POLICY,
  seedMergedChange,
} from "../e2e/seed.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";

jest.setTimeout(60_000);

const SECRET = "faults-deployment-secret";
const OWNER = "acme";
const ANSWER = "POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule";
const POLICY_READ = "GET /repos/{owner}/{repo}/contents/{path}";

let gh: StandIn;
let server: AppServer;
let repos = 0;

beforeAll(async () => {
  gh = await start({ app: { id: 4802 } });
  server = await startServer({ standIn: gh, secret: SECRET, env: { RETRY_BASE_MS: "20" } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => {
  gh.clearFaults();
  expectOnlyValidRequests(gh);
});

interface Case {
  repo: string;
  events: GitHubEvents;
  runId: number;
  answers: () => ProtectionAnswer[];
  decisions: () => ProtectionAnswer[];
}

async function send(webhook: { event: string; payload: object }): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload);
  if (delivery.status >= 300) {
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
  }
}

/** A merged change in a repository of its own, its production job held by the rule. */
async function requested(): Promise<Case> {
  repos += 1;
  const repo = `service-${repos}`;
  const { events, mergeSha } = seedMergedChange(gh, {
    owner: OWNER,
    repo,
    installationId: 600 + repos,
    policy: POLICY,
    pull: { number: 1, title: "CHG0000001: new payment provider", author: "carol" },
    teams: repos === 1 ? { "release-managers": ["rita"] } : {},
  });
  const request = events.deploymentRequested({
    sha: mergeSha,
    environment: "production",
    actor: "carol",
  });
  const answers = () =>
    gh.state.protectionRuleAnswers({ owner: OWNER, repo, runId: request.runId });
  await send(request);
  return {
    repo,
    events,
    runId: request.runId,
    answers,
    decisions: () => answers().filter((a) => a.state !== null),
  };
}

async function approvedOnce(held: Case): Promise<void> {
  const approved = await waitFor("the approval", () => held.decisions()[0], {
    timeoutMs: 20_000,
    explain: () => `${JSON.stringify(held.answers())}\n${server.output().slice(-3000)}`,
  });
  expect(approved).toMatchObject({ environmentName: "production", state: "approved" });
  expect(held.decisions()).toHaveLength(1);
}

async function heldWaiting(held: Case): Promise<ProtectionAnswer> {
  return waitFor("the status comment that holds the job", () => held.answers()[0], {
    timeoutMs: 20_000,
  });
}

test.each([
  ["a secondary rate limit", () => gh.failNext(ANSWER, 403, secondaryRateLimit(1))],
  ["a 502 before anything was applied", () => gh.failNext(ANSWER, 502)],
  ["a 429 with retry-after", () => gh.failNext(ANSWER, 429, { headers: { "retry-after": "1" } })],
])("the approving answer meets %s: approved once, after the wait", async (_what, inject) => {
  const held = await requested();
  expect(await heldWaiting(held)).toMatchObject({ state: null });
  inject();

  await send(held.events.deploymentApproved(held.runId, "production", "rita"));

  await approvedOnce(held);
});

test("the policy cannot be read: the job waits and is told why, and is approved once after", async () => {
  gh.failNext(POLICY_READ, 503, { times: 10_000 });
  const held = await requested();

  const told = await heldWaiting(held);
  expect(told.state).toBeNull();
  expect(told.comment).toContain("Could not read from GitHub");
  expect(held.decisions()).toEqual([]);

  gh.clearFaults();
  await send(held.events.deploymentApproved(held.runId, "production", "rita"));

  await approvedOnce(held);
});
