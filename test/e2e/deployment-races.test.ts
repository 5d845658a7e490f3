// Held deployments and release managers' reviews through the real server, in every order
// real life produces: a review before, during and after the decision; many runs reviewed
// while their decisions are in flight; a review whose webhook never arrives; a crash
// (SIGKILL) between the hold and the review. Every reviewed run is approved exactly once, no
// run is approved without its review, and no status comment repeats.
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import type { GitHubEvents } from "./github-events.js";
import {
  expectOnlyValidRequests,
  RELEASE_MANAGER_POLICY as POLICY,
  seedMergedChange,
} from "./seed.js";
import { newDataDir, startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(120_000);

const OWNER = "acme";
const REPO = "payments";
const SECRET = "e2e-races-secret";
/** The reviewed run is looked at against GitHub's record this often. */
const RECHECK = { HOLD_RECHECK_INTERVAL: "1s", HOLD_SWEEP_INTERVAL: "1s" };

let gh: StandIn;
let events: GitHubEvents;
let mergeSha: string;

beforeAll(async () => {
  gh = await start({ app: { id: 4713 } });
  ({ events, mergeSha } = seedMergedChange(gh, {
    owner: OWNER,
    repo: REPO,
    installationId: 44,
    policy: POLICY,
    pull: { number: 5, title: "CHG0000005: refunds", author: "carol" },
    teams: { "release-managers": ["rita", "ravi"] },
  }));
});

afterAll(async () => {
  await gh?.close();
});

afterEach(() => expectOnlyValidRequests(gh));

const answersFor = (runId: number) =>
  gh.state.protectionRuleAnswers({ owner: OWNER, repo: REPO, runId });
const decisionsFor = (runId: number) => answersFor(runId).filter((a) => a.state !== null);

async function send(server: AppServer, webhook: { event: string; payload: object }) {
  const delivery = await server.deliver(webhook.event, webhook.payload, { id: randomUUID() });
  if (delivery.status >= 300)
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
  return delivery;
}

function requested() {
  return events.deploymentRequested({ sha: mergeSha, environment: "production", actor: "carol" });
}

/**
 * GitHub's secondary limits make the app space its writes about a second apart per
 * installation: a burst of runs is answered over as many seconds as it takes writes.
 */
const approvedOnce = (server: AppServer, runId: number, timeoutMs = 15_000) =>
  waitFor(
    `run ${runId} approved`,
    () => (decisionsFor(runId).length > 0 ? decisionsFor(runId) : undefined),
    {
      timeoutMs,
      explain: () => `answers: ${JSON.stringify(answersFor(runId))}\n${server.output()}`,
    },
  );

const held = (server: AppServer, runId: number) =>
  waitFor(`run ${runId} held`, () => answersFor(runId)[0], { explain: () => server.output() });

/** Exactly one decision, an approval; no status comment said twice in a row. */
function expectApprovedOnce(runId: number): void {
  const answers = answersFor(runId);
  expect(answers.filter((a) => a.state !== null).map((a) => a.state)).toEqual(["approved"]);
  const comments = answers.filter((a) => a.state === null).map((a) => a.comment);
  comments.forEach((comment, i) => expect(comment).not.toEqual(comments[i - 1]));
}

describe("one server, reviews in every order", () => {
  let server: AppServer;

  beforeAll(async () => {
    // The default re-check (every 5 minutes) never comes during these tests: what
    // approves a run here is the review's own webhook, or the decision deciding again.
    server = await startServer({ standIn: gh, secret: SECRET });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("a review before the decision: approved at once, once", async () => {
    const run = requested();
    await send(server, events.deploymentApproved(run.runId, "production", "rita"));
    await send(server, run);
    await approvedOnce(server, run.runId);
    expectApprovedOnce(run.runId);
    expect(answersFor(run.runId)).toHaveLength(1);
  });

  test("a review while the decision is reading GitHub: decided again, approved once", async () => {
    const run = requested();
    // The decision has read the run's reviews (none yet) and waits on the pull requests.
    const reading = gh.holdNext("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls");
    await send(server, run);
    await reading.arrived;
    await send(server, events.deploymentApproved(run.runId, "production", "rita"));
    reading.release();
    await approvedOnce(server, run.runId);
    expectApprovedOnce(run.runId);
  });

  test("a review while the hold's status comment is being written: approved once", async () => {
    const run = requested();
    const writing = gh.holdNext(
      "POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule",
    );
    await send(server, run);
    await writing.arrived;
    await send(server, events.deploymentApproved(run.runId, "production", "rita"));
    writing.release();
    await approvedOnce(server, run.runId);
    expectApprovedOnce(run.runId);
  });

  test("a review after the hold: approved once, also when GitHub sends it twice", async () => {
    const run = requested();
    await send(server, run);
    await held(server, run.runId);
    const review = events.deploymentApproved(run.runId, "production", "rita");
    const id = randomUUID();
    await server.deliver(review.event, review.payload, { id });
    await approvedOnce(server, run.runId);
    await server.deliver(review.event, review.payload, { id });
    expectApprovedOnce(run.runId);
  });

  test("20 runs reviewed while in flight, 5 never reviewed: 20 approvals, 5 still waiting", async () => {
    const reviewed = Array.from({ length: 20 }, requested);
    const unreviewed = Array.from({ length: 5 }, requested);
    await Promise.all([...reviewed, ...unreviewed].map((run) => send(server, run)));
    await Promise.all(
      reviewed.map((run) =>
        send(server, events.deploymentApproved(run.runId, "production", "rita")),
      ),
    );
    // 25 status comments and 20 answers, a second apart.
    for (const run of reviewed) await approvedOnce(server, run.runId, 100_000);
    for (const run of unreviewed) await held(server, run.runId);
    for (const run of reviewed) expectApprovedOnce(run.runId);
    for (const run of unreviewed) expect(decisionsFor(run.runId)).toEqual([]);
  }, 180_000);
});

describe("a server that re-checks held runs every second", () => {
  let server: AppServer;

  beforeAll(async () => {
    server = await startServer({ standIn: gh, secret: SECRET, env: RECHECK });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("a review whose webhook never arrives: found in GitHub's record", async () => {
    const run = requested();
    await send(server, run);
    await held(server, run.runId);
    // GitHub records the review; its webhook is lost on the way.
    events.deploymentApproved(run.runId, "production", "ravi");
    await approvedOnce(server, run.runId);
    expectApprovedOnce(run.runId);
  });
});

test("a crash (SIGKILL) between the hold and the review loses nothing: the next process approves once", async () => {
  const dataDir = newDataDir();
  try {
    const first = await startServer({ standIn: gh, secret: SECRET, dataDir });
    const run = requested();
    await send(first, run);
    await held(first, run.runId);
    first.signal("SIGKILL");
    await first.exited;

    // The review lands while no process runs: GitHub records it, its webhook fails.
    const review = events.deploymentApproved(run.runId, "production", "rita");
    const guid = randomUUID();
    gh.state.hooks.recordSent({
      guid,
      event: review.event,
      body: JSON.stringify(review.payload),
      statusCode: 0,
    });

    // Start-up re-checks every hold in the store against GitHub's record; the failed
    // delivery is also asked for again: whichever comes first approves, the other is a no-op.
    const second = await startServer({
      standIn: gh,
      secret: SECRET,
      dataDir,
      env: { REDELIVERY_INTERVAL: "10s" },
    });
    try {
      await approvedOnce(second, run.runId);
      const redelivered = () =>
        gh.state.hooks.attemptsOf(guid).find((a) => a.redelivery && a.statusCode > 0);
      await waitFor("the failed review's redelivery, answered", redelivered);
      expectApprovedOnce(run.runId);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
