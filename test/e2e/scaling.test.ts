// Several instances of the real server behind one Redis: a webhook GitHub delivers to two of
// them is handled once; a deployment held by an instance that stops is released by another
// (its sweep, once the soak time ends) or by a restarted one; each decision is given once.
import { afterAll, beforeAll, expect, jest, test } from "@jest/globals";
import type { ProtectionAnswer } from "../stand-in/records.js";
import { start, type StandIn } from "../stand-in/server.js";
import { startRedis, type TestRedis } from "../support/redis-server.js";
import type { GitHubEvents, Webhook } from "./github-events.js";
import { seedMergedChange } from "./seed.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-scaling-secret";
const SOAK_MS = 60 * 60 * 1000;
const POLICY = `environments:
  staging: {}
  production: {}
  canary: { after: staging, soak: 1h }
gates:
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { teams: [release-managers] } } }
`;

let redis: TestRedis;
let gh: StandIn;
let events: GitHubEvents;
let mergeSha: string;
const servers: AppServer[] = [];

/** An instance of the app over the shared Redis, sweeping it every second. */
async function instance(): Promise<AppServer> {
  const server = await startServer({
    standIn: gh,
    secret: SECRET,
    logLevel: "info",
    env: {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      HOLD_SWEEP_INTERVAL: "1s",
    },
  });
  servers.push(server);
  return server;
}

let a: AppServer;
let b: AppServer;

beforeAll(async () => {
  [redis, gh] = await Promise.all([startRedis(), start({ app: { id: 4713 } })]);
  ({ events, mergeSha } = seedMergedChange(gh, {
    owner: OWNER,
    repo: REPO,
    installationId: 44,
    policy: POLICY,
    pull: { number: 5, title: "CHG0000005: faster checkout", author: "carol" },
    teams: { "release-managers": ["rita"] },
  }));
  [a, b] = await Promise.all([instance(), instance()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await gh?.close();
  await redis?.stop();
});

const answersFor = (runId: number): ProtectionAnswer[] =>
  gh.state.protectionRuleAnswers({ owner: OWNER, repo: REPO, runId });
const decisionsFor = (runId: number) => answersFor(runId).filter((a) => a.state !== null);

/** The writes the instances made to GitHub since the logs were cleared, by route. */
function writes(): string[] {
  return gh
    .requests()
    .filter((r) => r.method !== "GET" && !r.path.endsWith("/access_tokens"))
    .map((r) => r.route ?? r.path);
}

async function send(server: AppServer, webhook: Webhook, id?: string): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload, { id });
  if (delivery.status >= 300)
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
}

/** Both instances get the same delivery at once, as a redelivery racing the original. */
const toBoth = (webhook: Webhook, id: string) =>
  Promise.all([send(a, webhook, id), send(b, webhook, id)]);

const explain = () => servers.map((s, i) => `--- instance ${i} ---\n${s.output()}`).join("\n");

test("a webhook delivered to two instances is handled once, and decided once", async () => {
  gh.clearLogs();
  const requested = events.deploymentRequested({
    sha: mergeSha,
    environment: "production",
    actor: "carol",
  });
  await toBoth(requested, "scaling-requested");
  // Deployment webhooks are answered first: the hold's status comment follows.
  await waitFor("the hold's status comment", () => answersFor(requested.runId)[0], { explain });
  expect(answersFor(requested.runId)).toEqual([
    expect.objectContaining({ state: null, environmentName: "production" }),
  ]);
  // Waiting is shown by the status comment alone: no commit status until the decision.
  expect(writes()).toEqual([
    "POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule",
  ]);

  const approval = events.deploymentApproved(requested.runId, "production", "rita");
  await toBoth(approval, "scaling-approval");
  // The answer, then the commit status that mirrors it.
  await waitFor("the approval and its commit status", () =>
    writes().length >= 3 ? true : undefined,
  );
  expect(decisionsFor(requested.runId)).toEqual([
    expect.objectContaining({ state: "approved", environmentName: "production" }),
  ]);
  expect(writes()).toHaveLength(3);
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
});

test("a hold whose instance stopped is released by the other when its soak ends", async () => {
  // Deployed to staging long enough ago that the soak ends a few seconds from now.
  const soakEnds = Date.now() + 5_000;
  gh.state.addDeployment(OWNER, REPO, {
    ref: "main",
    sha: mergeSha,
    environment: "staging",
    statuses: [{ state: "success", createdAt: new Date(soakEnds - SOAK_MS) }],
  });
  const requested = events.deploymentRequested({
    sha: mergeSha,
    environment: "canary",
    actor: "carol",
  });
  await send(a, requested);
  await waitFor("the hold's status comment", () => answersFor(requested.runId)[0], { explain });
  expect(answersFor(requested.runId)).toEqual([
    expect.objectContaining({ state: null, comment: expect.stringContaining("soak") }),
  ]);
  await a.stop(); // its timer for the soak's end goes with it
  if (Date.now() >= soakEnds)
    throw new Error("the instance held the deployment only after its soak ended: too slow here");

  const approved = await waitFor(
    "the canary deployment to be approved",
    () => decisionsFor(requested.runId)[0],
    { explain },
  );
  expect(approved).toMatchObject({ state: "approved", environmentName: "canary" });
  expect(Date.parse(approved.at)).toBeGreaterThanOrEqual(soakEnds);
  // The survivor decided it: it logs the decision once the commit status is written too.
  const decidedByB = new RegExp(`"run":${requested.runId},[^\\n]*"decision":"approved"`);
  await waitFor("the other instance to log the decision", () =>
    decidedByB.test(b.output()) ? true : undefined,
  );
  expect(decisionsFor(requested.runId)).toHaveLength(1);
});

test("a restart loses no hold: with every instance stopped, a new one releases it", async () => {
  const requested = events.deploymentRequested({
    sha: mergeSha,
    environment: "production",
    actor: "carol",
  });
  await send(b, requested);
  await waitFor("the hold's status comment", () => answersFor(requested.runId)[0], { explain });
  await b.stop();

  const restarted = await instance();
  const approval = events.deploymentApproved(requested.runId, "production", "rita");
  await send(restarted, approval, "restart-approval");
  await send(restarted, approval, "restart-approval");
  await waitFor("the approval", () => decisionsFor(requested.runId)[0], { explain });
  expect(decisionsFor(requested.runId)).toEqual([
    expect.objectContaining({ state: "approved", environmentName: "production" }),
  ]);
  expect(gh.violations()).toEqual([]);
});
