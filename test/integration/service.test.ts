// The service routes and metrics through Probot's real HTTP server: signed webhooks in over
// HTTP, GitHub stood in by nock, and what /healthz, /readyz and /metrics answer.
import { generateKeyPairSync } from "node:crypto";
import { connect } from "node:net";
import { PassThrough } from "node:stream";
import nock from "nock";
import { Probot, Server } from "probot";
import { Registry } from "prom-client";
import { createApp } from "../../src/app.js";
import { InFlight } from "../../src/service/in-flight.js";
import { createLogger } from "../../src/service/logger.js";
import { createMetrics, type ServiceMetrics } from "../../src/service/metrics.js";
import { instrumentedOctokit, serviceApp } from "../../src/service/service.js";
import { MemoryStore } from "../../src/store/memory.js";
import { sign, WEBHOOK_PATH } from "../e2e/server-process.js";
import { freePort } from "../support/free-port.js";
import {
  api,
  APP_ID,
  cleanNock,
  contents,
  example,
  github,
  OWN_RUNS,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
  SECRET,
} from "./harness.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

// The example pull request's title: "Update the README with new information."
const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "README" }
`;
const LIMIT = { "x-ratelimit-remaining": "4321" };

interface Running {
  url: string;
  metrics: ServiceMetrics;
  clock: { now: number };
  logLines(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

async function startService(): Promise<Running> {
  const sink = new PassThrough();
  let text = "";
  sink.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const log = await createLogger({ LOG_FORMAT: "json", LOG_LEVEL: "debug" }, sink);
  const inFlight = new InFlight();
  const metrics = createMetrics(new Registry(), () => inFlight.size);
  const clock = { now: 0 };
  const port = await freePort();
  const server = new Server({
    host: "127.0.0.1",
    port,
    log,
    Probot: Probot.defaults({
      appId: APP_ID,
      privateKey,
      secret: SECRET,
      log,
      Octokit: instrumentedOctokit(metrics.github).defaults((options: Record<string, unknown>) => ({
        ...options,
        retry: { enabled: false },
        throttle: { enabled: false },
      })),
    }),
  });
  const store = new MemoryStore(() => new Date("2026-11-26T10:00:00Z"));
  const app = createApp({ appId: APP_ID, secret: SECRET, store, metrics: metrics.decisions });
  await server.load(serviceApp(app, { metrics, inFlight, readiness: { now: () => clock.now } }));
  await server.start();
  return {
    url: `http://127.0.0.1:${port}`,
    metrics,
    clock,
    async logLines() {
      await new Promise((resolve) => setImmediate(resolve));
      return text
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    stop: () => server.stop(),
  };
}

let service: Running;

beforeEach(async () => {
  cleanNock();
  // The test's own calls to the local server pass; GitHub stays nock's.
  nock.enableNetConnect("127.0.0.1");
  service = await startService();
});
afterEach(() => service.stop());
afterAll(() => nock.restore());

/**
 * Posts a signed webhook over a plain socket: nock intercepts node:http and fetch in this
 * process (fetch would reach the local server without its body), not a raw TCP connection.
 */
async function deliver(name: string, payload: object, id: string): Promise<number> {
  const body = JSON.stringify(payload);
  const { port } = new URL(service.url);
  const head = [
    `POST ${WEBHOOK_PATH} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-GitHub-Event: ${name}`,
    `X-GitHub-Delivery: ${id}`,
    `X-Hub-Signature-256: ${sign(SECRET, body)}`,
    "Connection: close",
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    let answer = "";
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(`${head}\r\n\r\n${body}`));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.once("error", reject);
    socket.once("close", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
  });
}

async function metricLines(): Promise<string[]> {
  const response = await fetch(`${service.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return (await response.text()).split("\n");
}

/** The interceptors for one evaluation of the example pull request, ending in `checkRun`. */
function evaluation(checkRun: [number, object]): nock.Scope {
  return github()
    .get(POLICY_URL)
    .reply(200, contents(POLICY), LIMIT)
    .get(OWN_RUNS.replace("check_name=release-policy&", ""))
    .reply(200, { total_count: 0, check_runs: [] }, LIMIT)
    .get(POLICY_AT_HEAD)
    .reply(200, contents(POLICY), LIMIT)
    .post(`${REPO_PATH}/check-runs`)
    .reply(checkRun[0], checkRun[1], LIMIT);
}

test("/healthz answers 200", async () => {
  const response = await fetch(`${service.url}/healthz`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: "ok" });
});

test("/readyz: ready when GET /app succeeds, cached; 503 with the reason once it fails", async () => {
  const scope = api()
    .get("/app")
    .reply(200, { id: APP_ID, slug: "release-policy" })
    .get("/app")
    .reply(401, { message: "Bad credentials" });

  for (let i = 0; i < 2; i++) {
    const response = await fetch(`${service.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true });
  }
  expect(scope.pendingMocks()).toEqual(["GET https://api.github.com:443/app"]);

  service.clock.now += 30_000;
  const response = await fetch(`${service.url}/readyz`);
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({
    ready: false,
    reason: expect.stringMatching(
      /^cannot authenticate as the app: GitHub answered 401: Bad credentials/,
    ),
  });
  expect(scope.pendingMocks()).toEqual([]);
});

test("/metrics after a handled webhook: the event, the decision, each gate, each request", async () => {
  const scope = evaluation([201, { id: 1 }]);
  expect(await deliver("pull_request", example("pull_request", "opened"), "d-1")).toBe(200);
  expect(scope.pendingMocks()).toEqual([]);

  const lines = await metricLines();
  expect(lines).toEqual(
    expect.arrayContaining([
      'release_policy_webhook_events_total{event="pull_request.opened",outcome="handled"} 1',
      'release_policy_webhook_duration_seconds_count{event="pull_request.opened"} 1',
      "release_policy_webhooks_in_flight 0",
      'release_policy_decisions_total{stage="pull_request",outcome="success"} 1',
      'release_policy_gate_results_total{stage="pull_request",outcome="pass"} 1',
      'release_policy_github_rate_limit_remaining{installation="77"} 4321',
    ]),
  );
  const count = (method: string, route: string, status: number, n: number) =>
    `release_policy_github_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"} ${n}`;
  expect(
    lines.filter((line) => line.startsWith("release_policy_github_request_duration_seconds_count")),
  ).toEqual([
    count("POST", "/app/installations/{installation_id}/access_tokens", 201, 1),
    // The policy on the default branch, then the pull request's own copy of it
    count("GET", "/repos/{owner}/{repo}/contents/{path}", 200, 2),
    count("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", 200, 1),
    count("POST", "/repos/{owner}/{repo}/check-runs", 201, 1),
  ]);
});

test("a handler that fails counts as failed, and GitHub's error status is counted", async () => {
  const scope = evaluation([500, { message: "Server Error" }]);
  expect(await deliver("pull_request", example("pull_request", "opened"), "d-2")).toBe(500);
  expect(scope.pendingMocks()).toEqual([]);

  const lines = await metricLines();
  expect(lines).toEqual(
    expect.arrayContaining([
      'release_policy_webhook_events_total{event="pull_request.opened",outcome="failed"} 1',
      'release_policy_github_request_duration_seconds_count{method="POST",route="/repos/{owner}/{repo}/check-runs",status="500"} 1',
      "release_policy_webhooks_in_flight 0",
    ]),
  );
  expect(lines.some((line) => line.startsWith("release_policy_decisions_total{"))).toBe(false);
});

test("every line logged while handling a webhook carries its delivery id", async () => {
  evaluation([201, { id: 1 }]);
  await deliver("pull_request", example("pull_request", "opened"), "d-3");

  const lines = await service.logLines();
  const handling = lines.slice(
    lines.findIndex((line) => line.msg === "pull_request event received (id: d-3)"),
  );
  expect(handling.map((line) => line.msg)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^GitHub request: GET .*contents/),
      expect.stringMatching(/^GitHub request: POST .*check-runs - 201$/),
      "release policy evaluated",
      expect.stringMatching(/^POST \/api\/github\/webhooks 200/),
    ]),
  );
  // As `id` (the event's logger and its GitHub client's), as the access log's request id,
  // or, in the webhook library's one line, in its text.
  const carries = (line: Record<string, unknown>) =>
    line.id === "d-3" ||
    (line.req as { id?: unknown } | undefined)?.id === "d-3" ||
    String(line.msg).includes("(id: d-3)");
  expect(handling.filter((line) => !carries(line))).toEqual([]);
  expect(handling.length).toBeGreaterThan(5);
});
