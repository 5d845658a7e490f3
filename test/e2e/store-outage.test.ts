// The store goes away in the middle of a burst of deployment protection requests: two real
// server processes share a real Redis, which is killed and started again. Every request is
// answered in the end, once each: those the app accepted (200) are handled once Redis is
// back, and those it could not accept were answered 500, so GitHub's record shows them
// failed and the app's redelivery pass asks for them again. The same holds for the state
// file: a write that cannot take its lock fails the delivery instead of dropping it.
import { afterAll, beforeAll, expect, jest, test } from "@jest/globals";
import { join } from "node:path";
import Database from "better-sqlite3";
import { REDIS_BACK, REDIS_UNREACHABLE } from "../../src/redis-outage.js";
import { STATE_FILE } from "../../src/store-from-env.js";
import { start, type StandIn } from "../stand-in/server.js";
import { startOwnRedis, type OwnRedis } from "../support/redis-server.js";
import type { GitHubEvents } from "./github-events.js";
import { seedMergedChange, expectOnlyValidRequests } from "./seed.js";
import { startServer, waitFor, type AppServer, type Delivery } from "./server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-store-outage-secret";
// No gate for staging: each request is approved as soon as it is handled.
const POLICY = `environments:
  staging: {}
`;
const BEFORE = 3;
const DURING = 3;

let redis: OwnRedis;
let gh: StandIn;
let events: GitHubEvents;
let mergeSha: string;
let servers: AppServer[] = [];

beforeAll(async () => {
  [redis, gh] = await Promise.all([startOwnRedis({ persist: true }), start({ app: { id: 4714 } })]);
  ({ events, mergeSha } = seedMergedChange(gh, {
    owner: OWNER,
    repo: REPO,
    installationId: 45,
    policy: POLICY,
    pull: { number: 9, title: "CHG0000009: steadier cart", author: "carol" },
  }));
  const env = {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    HOLD_SWEEP_INTERVAL: "1s",
    // The shortest interval: a delivery answered 500 is asked for again within 10 s.
    REDELIVERY_INTERVAL: "10s",
  };
  servers = await Promise.all(
    [0, 1].map(() => startServer({ standIn: gh, secret: SECRET, logLevel: "info", env })),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await gh?.close();
  await redis?.stop();
});

const explain = () => servers.map((s, i) => `--- instance ${i} ---\n${s.output()}`).join("\n");

const decisionsFor = (runId: number) =>
  gh.state
    .protectionRuleAnswers({ owner: OWNER, repo: REPO, runId })
    .filter((answer) => answer.state !== null);

/**
 * The instance's error lines that concern no one delivery, and its line saying Redis is
 * back. Each refused delivery has its own error lines: the handler's, with the delivery id,
 * and Probot's for the 500 it answered (the handlers' errors, aggregated). A redelivery pass
 * that ran during the outage says so too: that line is the pass's own.
 */
function outageLines(output: string): string[] {
  return output.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return [];
    const entry = JSON.parse(line) as Record<string, unknown> & { level: number; msg: string };
    const aboutADelivery =
      entry.id !== undefined ||
      (entry.err as { type?: string } | undefined)?.type === "AggregateError";
    const general = entry.level >= 50 && !aboutADelivery && entry.name !== "redelivery";
    return general || entry.msg === REDIS_BACK ? [entry.msg] : [];
  });
}

function request(i: number): { runId: number; send: () => Promise<Delivery> } {
  const requested = events.deploymentRequested({
    sha: mergeSha,
    environment: "staging",
    actor: "carol",
  });
  const server = servers[i % servers.length] as AppServer;
  return {
    runId: requested.runId,
    send: () => server.deliver(requested.event, requested.payload),
  };
}

test("Redis killed mid-burst: every protection request is answered once it is back, once", async () => {
  const runs: number[] = [];
  const answers: Promise<Delivery>[] = [];
  for (let i = 0; i < BEFORE; i++) {
    const r = request(i);
    runs.push(r.runId);
    answers.push(r.send());
  }
  // Killed while the first ones are being handled, without waiting for their answers.
  await redis.kill();
  for (let i = BEFORE; i < BEFORE + DURING; i++) {
    const r = request(i);
    runs.push(r.runId);
    answers.push(r.send());
  }
  const during = await Promise.all(answers.slice(BEFORE));
  // Nothing was accepted that could not be kept: GitHub's record shows each one failed.
  expect(during.map((d) => d.status)).toEqual(Array<number>(DURING).fill(500));
  for (const server of servers)
    await waitFor("each instance to see the outage", () =>
      server.output().includes(REDIS_UNREACHABLE) ? true : undefined,
    );
  await redis.restart();

  for (const runId of runs) {
    await waitFor(`run ${runId} to be answered`, () => decisionsFor(runId)[0], {
      timeoutMs: 30_000,
      explain,
    });
  }
  for (const runId of runs) {
    expect(decisionsFor(runId)).toEqual([
      expect.objectContaining({ state: "approved", environmentName: "staging" }),
    ]);
  }
  // One line when Redis went away and one when it was back, per instance, for every
  // connection to it (the store's, the write throttle's); each refused delivery has its own.
  for (const server of servers) {
    await waitFor("each instance to see Redis back", () =>
      server.output().includes(REDIS_BACK) ? true : undefined,
    );
    expect(outageLines(server.output())).toEqual([REDIS_UNREACHABLE, REDIS_BACK]);
  }
  // Those answered 500 came back through a redelivery the app asked for.
  expect(
    gh.state.hooks.attempts.filter((a) => a.redelivery && a.statusCode === 200).length,
  ).toBeGreaterThanOrEqual(DURING);
  expectOnlyValidRequests(gh);
});

test("the state file locked by another process: the request is answered 500, and handled when redelivered", async () => {
  const server = await startServer({ standIn: gh, secret: SECRET, logLevel: "info" });
  servers.push(server);
  // Another process holds the file's write lock past the app's busy timeout.
  const locker = new Database(join(server.dataDir, STATE_FILE));
  locker.exec("BEGIN IMMEDIATE");
  const requested = events.deploymentRequested({
    sha: mergeSha,
    environment: "staging",
    actor: "carol",
  });
  let delivery: Delivery;
  try {
    delivery = await server.deliver(requested.event, requested.payload);
  } finally {
    locker.exec("ROLLBACK");
    locker.close();
  }
  expect(delivery.status).toBe(500);
  expect(decisionsFor(requested.runId)).toEqual([]);

  // Redelivered, as the app's pass or a person does from the app's Recent Deliveries.
  const [failed] = gh.state.hooks.attemptsOf(delivery.id);
  expect(failed?.statusCode).toBe(500);
  gh.state.hooks.redeliver((failed as { id: number }).id);
  await gh.state.hooks.settled();
  await waitFor(`run ${requested.runId} to be answered`, () => decisionsFor(requested.runId)[0], {
    explain: () => server.output(),
  });
  expect(decisionsFor(requested.runId)).toEqual([
    expect.objectContaining({ state: "approved", environmentName: "staging" }),
  ]);
});
