// Change records that are real, through the real server process: its environment points at
// ServiceNow and Jira stand-ins on 127.0.0.1, each scenario's merged pull request names a
// change record in its title, and the production deployment of its merge commit is answered
// through the stand-in GitHub's protection-rule endpoint. A record that does not exist, was
// rejected or lies outside its window never lets a deployment through, and neither does a
// change system that is down or too slow (the deployment is held until it answers); an
// approval given while the deployment waits lets it through on `/recheck`, with no webhook
// from the change system. On an open pull request, the check waits the same way, until
// `/recheck` or the sweep finds the change approved.
import { jest } from "@jest/globals";
import { startJira, type JiraStandIn } from "../stand-in/jira.js";
import { startServiceNow, type ServiceNowStandIn } from "../stand-in/servicenow.js";
import { start, type StandIn } from "../stand-in/server.js";
import type { ProtectionAnswer } from "../stand-in/records.js";
import { GitHubEvents, type Webhook } from "./github-events.js";
import { expectOnlyValidRequests, seedMergedChange, type MergedChange } from "./seed.js";
import { freePort, startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const INSTALLATION = 48;
const SECRET = "e2e-change-records-secret";
const SERVICENOW_POLICY = `environments:
  production: {}
gates:
  production-change:
    stage: deployment
    environments: [production]
    require:
      change_record: { system: servicenow, pattern: "CHG[0-9]{7}" }
`;
const JIRA_POLICY = `environments:
  production: {}
gates:
  production-change:
    stage: deployment
    environments: [production]
    require:
      change_record: { system: jira, pattern: "OPS-[0-9]+", states: [Approved], window: false }
`;
const PULL_REQUEST_POLICY = `gates:
  change-approved:
    stage: pull_request
    require:
      change_record: { system: servicenow, pattern: "CHG[0-9]{7}" }
`;
/** The server's bound on one change-system request; the slow stand-in answers after twice it. */
const TIMEOUT_MS = 1_000;

/** ServiceNow's stored form of an instant `hours` from now: UTC "2026-03-10 11:00:00". */
const serviceNowTime = (hours: number): string =>
  new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 19).replace("T", " ");

const serviceNowEnv = (url: string): Record<string, string> => ({
  SERVICENOW_URL: url,
  SERVICENOW_USER: "release-policy",
  SERVICENOW_PASSWORD: "s3cret",
});

/** One change request in ServiceNow, approved and inside its window unless told otherwise. */
function change(
  sn: ServiceNowStandIn,
  number: string,
  fields: { approval?: string; start?: number; end?: number } = {},
): void {
  sn.put(number, {
    short_description: `Release for ${number}`,
    approval: fields.approval ?? "Approved",
    start_date: serviceNowTime(fields.start ?? -1),
    end_date: serviceNowTime(fields.end ?? 2),
  });
}

interface Deploying {
  merged: MergedChange;
  runId: number;
  answers(): ProtectionAnswer[];
}

/**
 * A repository of its own whose merged pull request #`pull` is titled `title`, and a
 * production deployment of its merge commit waiting on the app.
 */
async function deploy(
  gh: StandIn,
  server: AppServer,
  repo: string,
  policy: string,
  title: string,
  pull = 1,
): Promise<Deploying> {
  const merged = seedMergedChange(gh, {
    owner: OWNER,
    repo,
    installationId: INSTALLATION,
    policy,
    pull: { number: pull, title, author: "carol" },
  });
  const requested = merged.events.deploymentRequested({
    sha: merged.mergeSha,
    environment: "production",
    actor: "carol",
  });
  await send(server, requested);
  const answers = () =>
    gh.state.protectionRuleAnswers({ owner: OWNER, repo, runId: requested.runId });
  return { merged, runId: requested.runId, answers };
}

async function send(server: AppServer, webhook: Webhook): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload);
  if (delivery.status >= 300)
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
}

/**
 * Pull request #9 of a repository of its own, titled with `reference`, whose change waits
 * for approval; resolves once its check says so, with what the test needs next.
 */
async function openWaiting(
  gh: StandIn,
  sn: ServiceNowStandIn,
  server: AppServer,
  repo: string,
  reference: string,
) {
  gh.state.addRepo({ owner: OWNER, repo, installationId: INSTALLATION });
  gh.state.addFile(OWNER, repo, "main", ".github/release-policy.yml", PULL_REQUEST_POLICY);
  const { headSha } = gh.state.addPullRequest(OWNER, repo, {
    number: 9,
    title: `${reference}: new checkout`,
    author: "carol",
  });
  change(sn, reference, { approval: "Requested" });
  const events = new GitHubEvents(gh, OWNER, repo);
  const run = () => gh.state.ownCheckRuns(OWNER, repo, headSha).at(-1);
  const explain = () => `${JSON.stringify(run()?.output)}\n${server.output()}`;
  await send(server, events.opened(9));
  const waiting = await waitFor(
    "the check waiting on the change",
    () => (run()?.output.summary?.includes(`${reference} is not yet approved`) ? run() : undefined),
    { explain },
  );
  expect(waiting.status).toBe("in_progress");
  expect(waiting.conclusion).toBeNull();
  const passed = () =>
    waitFor("the check to pass", () => (run()?.conclusion === "success" ? run() : undefined), {
      explain,
    });
  return { events, passed };
}

/** The first answer the app gave the deployment (a hold or a decision). */
function firstAnswer(server: AppServer, d: Deploying): Promise<ProtectionAnswer> {
  return waitFor("the app's answer to the deployment", () => d.answers()[0], {
    explain: () => server.output(),
  });
}

/**
 * ServiceNow could not say: the deployment is held (never approved, not rejected, so it goes
 * once ServiceNow answers), and the comment says why.
 */
async function expectHeld(
  server: AppServer,
  d: Deploying,
  reference: string,
  why: string,
): Promise<void> {
  const answer = await firstAnswer(server, d);
  expect(answer.state).toBeNull();
  expect(answer.comment).toContain(
    `${reference} could not be looked up in ServiceNow: ${why}; asked again on the next look`,
  );
  expect(d.answers().every((a) => a.state !== "approved")).toBe(true);
}

describe("with ServiceNow and Jira answering", () => {
  let gh: StandIn;
  let sn: ServiceNowStandIn;
  let jira: JiraStandIn;
  let server: AppServer;

  beforeAll(async () => {
    [sn, jira, gh] = await Promise.all([
      startServiceNow(),
      startJira(),
      start({ app: { id: 4816 } }),
    ]);
    server = await startServer({
      standIn: gh,
      secret: SECRET,
      env: {
        ...serviceNowEnv(sn.url),
        JIRA_URL: jira.url,
        JIRA_EMAIL: "bot@example.com",
        JIRA_API_TOKEN: "api-token",
        CHANGE_SYSTEM_TIMEOUT_MS: String(TIMEOUT_MS),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await Promise.all([gh?.close(), sn?.close(), jira?.close()]);
  });

  afterEach(() => expectOnlyValidRequests(gh));

  test("a made-up reference is rejected: the change request does not exist", async () => {
    const d = await deploy(gh, server, "made-up", SERVICENOW_POLICY, "CHG0000404: invented");
    const answer = await firstAnswer(server, d);
    expect(answer.state).toBe("rejected");
    expect(answer.comment).toContain("CHG0000404 does not exist in ServiceNow");
  });

  test("a rejected change is rejected", async () => {
    change(sn, "CHG0000101", { approval: "Rejected" });
    const d = await deploy(gh, server, "rejected", SERVICENOW_POLICY, "CHG0000101: refused");
    const answer = await firstAnswer(server, d);
    expect(answer.state).toBe("rejected");
    expect(answer.comment).toContain("approval Rejected: it can no longer authorize a change");
  });

  test("an approved change whose window opens later holds the deployment until the start", async () => {
    change(sn, "CHG0000102", { start: 1, end: 3 });
    const d = await deploy(gh, server, "early", SERVICENOW_POLICY, "CHG0000102: too early");
    const answer = await firstAnswer(server, d);
    expect(answer.state).toBeNull();
    expect(answer.comment).toContain(`CHG0000102's window opens at`);
  });

  test("an approved change whose window has ended is rejected", async () => {
    change(sn, "CHG0000103", { start: -3, end: -1 });
    const d = await deploy(gh, server, "late", SERVICENOW_POLICY, "CHG0000103: too late");
    const answer = await firstAnswer(server, d);
    expect(answer.state).toBe("rejected");
    expect(answer.comment).toContain("CHG0000103's planned window ended at");
  });

  test("an approved change inside its window approves the deployment", async () => {
    change(sn, "CHG0000104");
    const d = await deploy(gh, server, "inside", SERVICENOW_POLICY, "CHG0000104: on time");
    const answer = await firstAnswer(server, d);
    expect(answer.state).toBe("approved");
  });

  test("a change approved while the deployment waits lets it through on /recheck", async () => {
    change(sn, "CHG0000105", { approval: "Requested" });
    const d = await deploy(gh, server, "waiting", SERVICENOW_POLICY, "CHG0000105: soon", 5);
    const held = await firstAnswer(server, d);
    expect(held.state).toBeNull();
    expect(held.comment).toContain("CHG0000105 is not yet approved (approval: Requested)");

    // ServiceNow sends no webhook: a person says so on the merged pull request, and the app
    // asks ServiceNow afresh instead of its kept answer.
    change(sn, "CHG0000105");
    await send(server, d.merged.events.comment(5, "/recheck", "rita"));
    const approved = await waitFor(
      "the approval after /recheck",
      () => d.answers().find((a) => a.state !== null),
      { explain: () => `${JSON.stringify(d.answers())}\n${server.output()}` },
    );
    expect(approved.state).toBe("approved");
  });

  test("on a pull request, a change not yet approved keeps the check in progress until /recheck finds it approved", async () => {
    const pr = await openWaiting(gh, sn, server, "pr-side", "CHG0000109");

    change(sn, "CHG0000109");
    await send(server, pr.events.comment(9, "/recheck", "carol"));
    const done = await pr.passed();
    expect(done.output.summary).toContain("CHG0000109");
  });

  test("a ServiceNow too slow to answer holds the deployment, never letting it through, and says why", async () => {
    change(sn, "CHG0000106");
    sn.delayMs = 2 * TIMEOUT_MS;
    try {
      const d = await deploy(gh, server, "slow", SERVICENOW_POLICY, "CHG0000106: slow");
      await expectHeld(server, d, "CHG0000106", "it did not answer in time");
    } finally {
      delete sn.delayMs;
    }
  });

  test("a Jira issue in an approved state approves the deployment; a made-up key is rejected", async () => {
    jira.issues.set("OPS-42", { key: "OPS-42", summary: "Ship 4.2", status: "Approved" });
    const approved = await deploy(gh, server, "jira-ok", JIRA_POLICY, "OPS-42 ship the thing");
    expect((await firstAnswer(server, approved)).state).toBe("approved");

    const invented = await deploy(gh, server, "jira-made-up", JIRA_POLICY, "OPS-4040 invented");
    const answer = await firstAnswer(server, invented);
    expect(answer.state).toBe("rejected");
    expect(answer.comment).toContain("OPS-4040 does not exist in Jira");
  });
});

describe("with ServiceNow down", () => {
  let gh: StandIn;
  let server: AppServer;

  beforeAll(async () => {
    gh = await start({ app: { id: 4817 } });
    // A loopback port nothing listens on: every connection is refused.
    const closed = await freePort();
    server = await startServer({
      standIn: gh,
      secret: SECRET,
      env: serviceNowEnv(`http://127.0.0.1:${closed}`),
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await gh?.close();
  });

  afterEach(() => expectOnlyValidRequests(gh));

  test("holds the deployment, never letting it through, and says ServiceNow could not be reached", async () => {
    const d = await deploy(gh, server, "down", SERVICENOW_POLICY, "CHG0000201: unreachable");
    await expectHeld(server, d, "CHG0000201", "it could not be reached");
  });
});

describe("with the sweep looking every second", () => {
  let gh: StandIn;
  let sn: ServiceNowStandIn;
  let server: AppServer;

  beforeAll(async () => {
    [sn, gh] = await Promise.all([startServiceNow(), start({ app: { id: 4818 } })]);
    server = await startServer({
      standIn: gh,
      secret: SECRET,
      env: { ...serviceNowEnv(sn.url), HOLD_RECHECK_INTERVAL: "1s", HOLD_SWEEP_INTERVAL: "1s" },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await Promise.all([gh?.close(), sn?.close()]);
  });

  afterEach(() => expectOnlyValidRequests(gh));

  test("a pull request's check passes by itself once ServiceNow approves its change: no event, no /recheck", async () => {
    const pr = await openWaiting(gh, sn, server, "pr-swept", "CHG0000301");
    const asked = sn.requests.length;

    change(sn, "CHG0000301");
    const done = await pr.passed();
    expect(done.output.summary).toContain("CHG0000301");
    expect(sn.requests.length).toBeGreaterThan(asked);
  });
});
