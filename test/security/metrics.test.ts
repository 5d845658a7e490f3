// /metrics must not carry what repositories write: gate ids come from policy files, so a label
// per id would grow with every name anyone invents and show every repository's gate names to
// whoever reads the endpoint. And the endpoint can ask for a token (METRICS_TOKEN). The real
// server process, against the GitHub stand-in.
import { jest } from "@jest/globals";
import { Registry } from "prom-client";
import { createMetrics } from "../../src/service/metrics.js";
import { start, type StandIn } from "../stand-in/server.js";
import { GitHubEvents } from "../e2e/github-events.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";

jest.setTimeout(120_000);

const OWNER = "acme";
const REPO = "shop";
const TOKEN = "a-token-for-prometheus";
const GATE = "project-nightingale-launch";
const POLICY = `gates:
  ${GATE}:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;

test("gate results are counted by stage and outcome, whatever the gates are named", async () => {
  const metrics = createMetrics(new Registry(), () => 0);
  for (let i = 0; i < 100; i++)
    metrics.decisions.decided("pull_request", "failure", [
      { id: `gate-${i}`, status: "fail" },
      { id: `other-${i}`, status: "pass" },
    ]);
  const text = await metrics.registry.metrics();
  expect(text).not.toMatch(/gate-\d|other-\d/);
  expect(text.split("\n").filter((l) => l.startsWith("release_policy_gate_results_total"))).toEqual(
    [
      'release_policy_gate_results_total{stage="pull_request",outcome="fail"} 100',
      'release_policy_gate_results_total{stage="pull_request",outcome="pass"} 100',
    ],
  );
});

describe("the server with METRICS_TOKEN", () => {
  let gh: StandIn;
  let server: AppServer;

  beforeAll(async () => {
    gh = await start({ app: { id: 4713 } });
    gh.state.addRepo({ owner: OWNER, repo: REPO, installationId: 42 });
    gh.state.addFile(OWNER, REPO, "main", ".github/release-policy.yml", POLICY);
    gh.state.addPullRequest(OWNER, REPO, { number: 7, title: "CHG0001234", author: "alice" });
    server = await startServer({
      standIn: gh,
      secret: "metrics-webhook-secret",
      env: { METRICS_TOKEN: TOKEN },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await gh?.close();
  });

  const metrics = (authorization?: string) =>
    fetch(`${server.url}/metrics`, {
      headers: authorization === undefined ? {} : { authorization },
    });

  test("answers 401 without the token, or with another", async () => {
    for (const authorization of [undefined, "Bearer wrong", `Basic ${TOKEN}`, TOKEN]) {
      const response = await metrics(authorization);
      expect({ authorization, status: response.status }).toEqual({ authorization, status: 401 });
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      expect(await response.text()).not.toContain("release_policy_");
    }
    // Health and readiness stay open to the orchestrator's probes.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  test("answers the token, and names no gate a policy defines", async () => {
    const opened = new GitHubEvents(gh, OWNER, REPO).opened(7);
    expect((await server.deliver(opened.event, opened.payload)).status).toBe(200);
    const text = await waitFor(
      "the decision in /metrics",
      async () => {
        const response = await metrics(`Bearer ${TOKEN}`);
        const body = await response.text();
        return response.status === 200 &&
          body.includes('release_policy_decisions_total{stage="pull_request",outcome="success"} 1')
          ? body
          : undefined;
      },
      { explain: server.output },
    );
    expect(text).toContain(
      'release_policy_gate_results_total{stage="pull_request",outcome="pass"} 1',
    );
    expect(text).not.toContain(GATE);
  });
});
