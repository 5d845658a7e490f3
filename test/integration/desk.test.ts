// The release desk through probot.receive, with GitHub stood in by nock: deployment decisions
// and statuses of an organization whose base policy has `desk` keep one issue in its .github
// repository, opened once, edited at most once a minute however many events arrive, and not
// edited when nothing on it changed.
import nock from "nock";
import { MemoryStore } from "../../src/store/memory.js";
import { DESK_MARKER } from "../../src/report/desk.js";
import {
  deploymentReviewApproved,
  INSTALLATION_ID,
  installation,
  protectionRuleRequested,
} from "../fixtures/deployment/payloads.js";
import { organization, repository } from "../fixtures/deployment/github-objects.js";
import {
  API,
  ManualScheduler,
  mergedPull,
  ORG_BASE_URL,
  policyContents,
  POLICY_PATH_URL,
  REPO_PATH,
  RunReviews,
  startApp,
  type DeploymentHarness,
} from "./deployment-helpers.js";
import { example } from "./harness.js";

const SHA = "abcabcabcabcabcabcabcabcabcabcabcabcabca";
const MINUTE = 60_000;
const POLICY = `environments:
  production: {}
gates:
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { users: [rita] }, exclude: [] } }
`;
const DESK = "/repos/acme/.github/issues";

interface DeskGitHub {
  creates: string[];
  edits: string[];
  /** Requests by "METHOD path", for the budget of each step. */
  count(line: string): number;
}

function github(reviews: RunReviews, runs: number[]): DeskGitHub {
  const seen: string[] = [];
  const desk: DeskGitHub = {
    creates: [],
    edits: [],
    count: (line) => seen.filter((s) => s === line).length,
  };
  let last: { body?: string } = {};
  const scope = nock(API).persist();
  scope.on("request", (request: Request, _interceptor: unknown, body: string) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
    last = body ? (JSON.parse(body) as typeof last) : {};
  });
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
  scope.get(POLICY_PATH_URL).reply(200, policyContents(POLICY));
  scope.get(ORG_BASE_URL).reply(200, policyContents("desk: {}\n"));
  scope.get(`${REPO_PATH}/commits/${SHA}/pulls`).reply(200, [mergedPull(SHA)]);
  for (const run of runs) {
    reviews.serve(scope, run);
    scope.post(`${REPO_PATH}/actions/runs/${run}/deployment_protection_rule`).reply(204);
  }
  scope.post(`${REPO_PATH}/statuses/${SHA}`).reply(201, {});
  scope.get(DESK).query(true).reply(200, []);
  scope
    .get("/repos/acme/.github")
    .reply(200, { html_url: "https://github.com/acme/.github", full_name: "acme/.github" });
  scope.post(DESK).reply(() => {
    desk.creates.push(last.body ?? "");
    return [
      201,
      { number: 1, html_url: "https://github.com/acme/.github/issues/1", body: last.body },
    ];
  });
  scope.patch(`${DESK}/1`).reply(() => {
    desk.edits.push(last.body ?? "");
    return [200, {}];
  });
  return desk;
}

const requested = (runId: number) =>
  protectionRuleRequested({ runId, environment: "production", sha: SHA, deploymentId: runId + 1 });

function deploymentStatus(runId: number, state: string, at: string): Record<string, unknown> {
  const payload = example("deployment_status");
  Object.assign(payload.deployment as object, {
    id: runId + 1,
    sha: SHA,
    ref: "main",
    environment: "production",
  });
  Object.assign(payload.deployment_status as object, {
    state,
    environment: "production",
    created_at: at,
    target_url: `https://github.com/acme/shop/actions/runs/${runId}`,
  });
  return { ...payload, workflow_run: { id: runId }, repository, organization, installation };
}

const RUNS = [9001, 9002, 9003, 9004, 9005];
let clock: { now: Date };
let scheduler: ManualScheduler;
let store: MemoryStore;
let reviews: RunReviews;
let app: DeploymentHarness;

async function advance(ms: number): Promise<void> {
  clock.now = new Date(clock.now.getTime() + ms);
  await scheduler.runDue(clock.now);
}

beforeEach(async () => {
  nock.disableNetConnect();
  clock = { now: new Date("2026-03-10T12:00:00Z") };
  scheduler = new ManualScheduler();
  store = new MemoryStore(() => clock.now);
  reviews = new RunReviews();
  app = await startApp(store, clock, scheduler);
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test("a burst of held deployments: the issue is opened once, then edited once when the minute ends", async () => {
  const gh = github(reviews, RUNS);
  await app.receive("deployment_protection_rule", requested(9001));
  expect(gh.creates).toHaveLength(1);
  expect(gh.creates[0]?.startsWith(DESK_MARKER)).toBe(true);
  expect(gh.creates[0]).toContain("approval by @rita");
  expect(gh.creates[0]).toContain("[review](https://github.com/acme/shop/actions/runs/9001)");

  for (const run of RUNS.slice(1)) {
    await advance(5_000);
    await app.receive("deployment_protection_rule", requested(run));
  }
  expect(gh.count(`PATCH ${DESK}/1`)).toBe(0);

  await advance(MINUTE);
  expect(gh.count(`PATCH ${DESK}/1`)).toBe(1);
  for (const run of RUNS) expect(gh.edits[0]).toContain(`actions/runs/${run})`);
  // One listing and one read of the repository found where to open it; nothing since.
  expect(gh.count(`GET ${DESK}`)).toBe(1);
  expect(gh.count(`POST ${DESK}`)).toBe(1);
});

test("a redelivered request and a re-check of the same hold edit nothing", async () => {
  const gh = github(reviews, [9001]);
  await app.receive("deployment_protection_rule", requested(9001), "held-1");
  await advance(2 * MINUTE);
  await app.receive("deployment_protection_rule", requested(9001), "held-1");
  await app.receive("deployment_protection_rule", requested(9001), "held-1-again");
  await advance(10 * MINUTE); // the hold's own re-check
  expect(gh.creates).toHaveLength(1);
  expect(gh.edits).toEqual([]);
});

test("approved and shipped: the hold leaves, the deployment is shipped with its approver", async () => {
  const gh = github(reviews, [9001]);
  await app.receive("deployment_protection_rule", requested(9001));
  await advance(MINUTE);
  reviews.add("rita");
  await app.receive(
    "deployment_review",
    deploymentReviewApproved({ runId: 9001, environment: "production", approver: "rita" }),
  );
  await app.receive(
    "deployment_status",
    deploymentStatus(9001, "success", clock.now.toISOString()),
  );
  await advance(MINUTE);
  const body = gh.edits.at(-1) ?? "";
  expect(body).toContain("No deployment is waiting.");
  expect(body).toMatch(
    /\| acme\/shop \| production \| \[abcabca\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/9001\) \| @rita \| ✅ success \|/,
  );
  expect(gh.edits.length).toBeLessThanOrEqual(2);
});

test("two instances holding deployments at once open one issue", async () => {
  const gh = github(reviews, [9001, 9002]);
  const other = await startApp(store, clock, scheduler);
  await Promise.all([
    app.receive("deployment_protection_rule", requested(9001)),
    other.receive("deployment_protection_rule", requested(9002)),
  ]);
  await advance(MINUTE);
  expect(gh.creates).toHaveLength(1);
  const latest = gh.edits.at(-1) ?? gh.creates[0] ?? "";
  expect(latest).toContain("actions/runs/9001)");
  expect(latest).toContain("actions/runs/9002)");
});

test("a change deferred to the minute's end is written after a restart, by the new app's sweep", async () => {
  const gh = github(reviews, [9001, 9002]);
  // Deployments that ran: no hold is left whose recovery would edit the desk anyway.
  await app.receive(
    "deployment_status",
    deploymentStatus(9001, "success", clock.now.toISOString()),
  );
  expect(gh.creates).toHaveLength(1);
  await advance(5_000);
  await app.receive(
    "deployment_status",
    deploymentStatus(9002, "failure", clock.now.toISOString()),
  );
  expect(gh.edits).toEqual([]);
  // The process stops before the minute ends: its timer goes with it. Another starts.
  scheduler = new ManualScheduler();
  await startApp(store, clock, scheduler, { sweepIntervalMs: 30_000 });
  await advance(MINUTE);
  expect(gh.count(`PATCH ${DESK}/1`)).toBe(1);
  expect(gh.edits[0]).toContain("actions/runs/9002)");
  await advance(10 * MINUTE);
  expect(gh.count(`PATCH ${DESK}/1`)).toBe(1);
});
