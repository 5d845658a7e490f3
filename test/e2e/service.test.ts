// The service entry as a process: health, readiness against the stand-in, metrics after a
// webhook, logs that carry the delivery id and no credential, and a SIGTERM while a
// webhook's write is in flight (the write completes, the process exits 0).
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import { GitHubEvents } from "./github-events.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(90_000);

const OWNER = "acme";
const REPO = "shop";
const INSTALLATION = 42;
const SECRET = "e2e-service-webhook-secret";
const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;

let gh: StandIn;
let server: AppServer;
let events: GitHubEvents;
const heads = new Map<number, string>();

beforeAll(async () => {
  gh = await start({ app: { id: 5150 } });
  gh.state.addRepo({ owner: OWNER, repo: REPO, installationId: INSTALLATION });
  gh.state.addFile(OWNER, REPO, "main", ".github/release-policy.yml", POLICY);
  for (const number of [7, 8]) {
    const pull = gh.state.addPullRequest(OWNER, REPO, {
      number,
      title: `CHG000000${number}`,
      author: "alice",
    });
    heads.set(number, pull.headSha);
  }
  events = new GitHubEvents(gh, OWNER, REPO);
  // debug: the most a log can hold, to show that no credential is among it
  server = await startServer({ standIn: gh, secret: SECRET, logLevel: "debug" });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => {
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
});

function checkRunOf(number: number) {
  return gh.state.ownCheckRuns(OWNER, REPO, heads.get(number) ?? "")[0];
}

/** The JSON log lines the process wrote. */
function logLines(): Record<string, unknown>[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test("/healthz answers 200 while the process runs", async () => {
  const response = await fetch(`${server.url}/healthz`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: "ok" });
});

test("/readyz answers 200 once the app authenticated as itself, and caches it", async () => {
  for (let i = 0; i < 2; i++) {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true });
  }
  expect(gh.requestCounts()["GET /app"]).toBe(1);
});

test("/metrics counts the webhooks, the decisions, their gates and the GitHub requests", async () => {
  const delivery = await server.deliver("pull_request", events.opened(7).payload);
  expect(delivery.status).toBe(200);
  await waitFor("the check run", () => checkRunOf(7));
  // An environment the policy sets no gate for is approved.
  const requested = events.deploymentRequested({
    sha: heads.get(7) ?? "",
    environment: "staging",
    actor: "carol",
  });
  expect((await server.deliver(requested.event, requested.payload)).status).toBe(200);
  const answered = () =>
    gh.state.protectionRuleAnswers({ owner: OWNER, repo: REPO, runId: requested.runId })[0];
  expect(await waitFor("the protection rule's answer", answered)).toMatchObject({
    state: "approved",
  });

  // The webhook was answered first: the decision is counted once its work has finished.
  const lines = await waitFor("the deployment decision in /metrics", async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    const settled =
      text.includes('release_policy_decisions_total{stage="deployment",outcome="approved"} 1') &&
      text.includes("release_policy_webhooks_in_flight 0");
    return settled ? text.split("\n") : undefined;
  });
  expect(lines).toEqual(
    expect.arrayContaining([
      'release_policy_webhook_events_total{event="pull_request.opened",outcome="handled"} 1',
      'release_policy_webhook_duration_seconds_count{event="pull_request.opened"} 1',
      "release_policy_webhooks_in_flight 0",
      'release_policy_decisions_total{stage="pull_request",outcome="success"} 1',
      'release_policy_gate_results_total{stage="pull_request",outcome="pass"} 1',
      'release_policy_webhook_events_total{event="deployment_protection_rule.requested",outcome="handled"} 1',
      'release_policy_decisions_total{stage="deployment",outcome="approved"} 1',
      'release_policy_github_request_duration_seconds_count{method="POST",route="/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule",status="204"} 1',
      'release_policy_github_request_duration_seconds_count{method="POST",route="/repos/{owner}/{repo}/check-runs",status="201"} 1',
      'release_policy_github_request_duration_seconds_count{method="GET",route="/app",status="200"} 1',
    ]),
  );
  // What GitHub (the stand-in) reported last for the installation's token: 5000 less the
  // requests made with it so far.
  const remaining = lines
    .find((line) =>
      line.startsWith(`release_policy_github_rate_limit_remaining{installation="${INSTALLATION}"}`),
    )
    ?.split(" ")[1];
  expect(Number(remaining)).toBeGreaterThanOrEqual(5000 - gh.requests().length);
  expect(Number(remaining)).toBeLessThan(5000);

  // Every line written while handling the webhook carries its delivery id.
  const evaluated = logLines().filter((line) => line.msg === "release policy evaluated");
  expect(evaluated).toEqual([expect.objectContaining({ id: delivery.id, pr: 7 })]);
});

test("SIGTERM while a webhook's write is in flight: the write completes, the process exits 0", async () => {
  const held = gh.holdNext("POST /repos/{owner}/{repo}/check-runs");
  const delivery = server.deliver("pull_request", events.opened(8).payload);
  await held.arrived;

  server.signal("SIGTERM");
  await waitFor("the server to start draining", () =>
    logLines().some((line) => line.msg === "shutting down: finishing the webhooks in flight")
      ? true
      : undefined,
  );
  let ended = false;
  void server.exited.then(() => (ended = true));
  expect(checkRunOf(8)).toBeUndefined();
  expect(ended).toBe(false);

  held.release();
  expect((await delivery).status).toBe(200);
  expect(await server.exited).toBe(0);
  expect(checkRunOf(8)?.conclusion).toBe("success");
  // The app itself finished the evaluation (it logged the outcome) before it stopped.
  const messages = logLines().map((line) =>
    line.msg === "release policy evaluated" ? `evaluated #${String(line.pr)}` : line.msg,
  );
  const order = ["evaluated #8", "stopped: no webhook in flight", "exiting"];
  expect(messages.filter((msg) => order.includes(String(msg)))).toEqual(order);
});

test("no log line holds a credential", () => {
  const output = server.output();
  expect(output).not.toContain(SECRET);
  expect(output).not.toContain("PRIVATE KEY");
  expect(output).not.toMatch(/ghs_[A-Za-z0-9]{8}/);
  expect(output).not.toMatch(/Bearer ey/);
});
