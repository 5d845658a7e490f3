// Recovery of failed webhook deliveries through a real Probot app's JWT client, with
// GitHub's two delivery endpoints stood in by nock: the exact routes, the auth they need,
// and one redelivery request between two instances sharing a store.
import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { Registry } from "prom-client";
import { MemoryStore } from "../../src/store/memory.js";
import { createMetrics } from "../../src/service/metrics.js";
import { startRecovery } from "../../src/service/recovery.js";
import type { HookDelivery } from "../../src/deliveries/select.js";
import { ManualScheduler } from "../support/manual-scheduler.js";

const API = "https://api.github.com";
const APP_ID = 4545;
const NOW = new Date("2026-12-02T12:00:00Z");
const JWT = /^bearer [\w-]+\.[\w-]+\.[\w-]+$/i;
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

function probot(): Probot {
  return new Probot({
    appId: APP_ID,
    privateKey,
    secret: "test",
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { ...(options.throttle as object | undefined), enabled: false },
    })),
    log: pino({ level: "silent" }),
  });
}

function delivery(id: number, guid: string, minutesAgo: number, statusCode: number): HookDelivery {
  return {
    id,
    guid,
    delivered_at: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
    redelivery: false,
    duration: 0.1,
    status:
      statusCode === 200
        ? "OK"
        : statusCode === 0
          ? "failed to connect"
          : "Invalid HTTP Response: 503",
    status_code: statusCode,
    event: "pull_request",
    action: "opened",
    installation_id: 77,
    repository_id: 1296269,
  } as HookDelivery;
}

beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
});
afterAll(() => nock.enableNetConnect());

test("two instances read the cursor-paged list with the app's JWT and ask for the failed delivery once", async () => {
  const next = `${API}/app/hook/deliveries?per_page=100&cursor=v1_page2`;
  const pages = nock(API)
    .matchHeader("authorization", JWT)
    .get("/app/hook/deliveries")
    .query({ per_page: "100" })
    .times(2)
    .reply(200, [delivery(12, "ok", 2, 200), delivery(11, "down", 10, 0)], {
      link: `<${next}>; rel="next"`,
    })
    .get("/app/hook/deliveries")
    .query({ per_page: "100", cursor: "v1_page2" })
    .times(2)
    // Reaches back before the 6 h window: no third page is read.
    .reply(200, [delivery(10, "lb", 30, 503), delivery(9, "old", 7 * 60, 0)], {
      link: `<${API}/app/hook/deliveries?per_page=100&cursor=v1_page3>; rel="next"`,
    });
  // One interceptor per delivery: a second request for either would find none and fail.
  const redeliver = nock(API)
    .matchHeader("authorization", JWT)
    .post("/app/hook/deliveries/10/attempts")
    .reply(202, {})
    .post("/app/hook/deliveries/11/attempts")
    .reply(202, {});
  const unexpected: string[] = [];
  nock.emitter.on("no match", (request: Request) => void unexpected.push(request.url));
  const store = new MemoryStore(() => NOW);
  const registry = new Registry();
  const metrics = createMetrics(registry, () => 0);
  const instances = [new ManualScheduler(), new ManualScheduler()].map((scheduler) => {
    startRecovery({
      app: probot(),
      store,
      log: pino({ level: "silent" }),
      metrics: metrics.redeliveries,
      intervalMs: 5 * 60_000,
      track: (work) => work(),
      clock: () => NOW,
      scheduler,
    });
    return scheduler;
  });
  await Promise.all(instances.map((scheduler) => scheduler.runDue(NOW)));

  expect(pages.isDone()).toBe(true);
  // The 503 answered by a load balancer and the one that never connected; once each.
  expect(redeliver.isDone()).toBe(true);
  expect(unexpected).toEqual([]);
  const counted = await registry.getSingleMetricAsString("release_policy_redeliveries_total");
  expect(counted).toContain('release_policy_redeliveries_total{result="requested"} 2');
  expect(counted).not.toContain('result="failed"');
  expect(nock.pendingMocks()).toEqual([]);
  nock.emitter.removeAllListeners("no match");
});

test("a redelivery request GitHub refuses is counted as failed and asked again on the next pass", async () => {
  const list = () =>
    nock(API)
      .get("/app/hook/deliveries")
      .query({ per_page: "100" })
      .reply(200, [delivery(21, "down", 3, 0)]);
  list();
  nock(API).post("/app/hook/deliveries/21/attempts").reply(422, { message: "Validation Failed" });
  const store = new MemoryStore(() => NOW);
  const registry = new Registry();
  const metrics = createMetrics(registry, () => 0);
  const scheduler = new ManualScheduler();
  let now = NOW;
  const recovery = startRecovery({
    app: probot(),
    store,
    log: pino({ level: "silent" }),
    metrics: metrics.redeliveries,
    intervalMs: 5 * 60_000,
    track: (work) => work(),
    clock: () => now,
    scheduler,
  });
  await scheduler.runDue(now);
  expect(await registry.getSingleMetricAsString("release_policy_redeliveries_total")).toContain(
    'release_policy_redeliveries_total{result="failed"} 1',
  );
  list();
  const again = nock(API).post("/app/hook/deliveries/21/attempts").reply(202, {});
  now = new Date(NOW.getTime() + 5 * 60_000);
  await scheduler.runDue(now);
  expect(again.isDone()).toBe(true);
  await recovery.stop();
  expect(nock.pendingMocks()).toEqual([]);
});
