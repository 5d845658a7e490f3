// Missed webhooks, end to end: GitHub (the stand-in) records each delivery to the app, the
// real server lists them at start-up with its JWT, asks for the failed ones again, and
// handles what GitHub then redelivers, once.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import { GitHubEvents } from "./github-events.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(120_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-webhook-secret";
const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;
const REDELIVER = "POST /app/hook/deliveries/{delivery_id}/attempts";
const LIST = "GET /app/hook/deliveries";

let gh: StandIn;
let events: GitHubEvents;
let server: AppServer | undefined;

beforeAll(async () => {
  gh = await start({ app: { id: 4712 } });
  gh.state.addRepo({ owner: OWNER, repo: REPO, installationId: 42 });
  gh.state.addFile(OWNER, REPO, "main", ".github/release-policy.yml", POLICY);
  events = new GitHubEvents(gh, OWNER, REPO);
});

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => {
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
});

const start_ = (env: Record<string, string> = {}) =>
  startServer({
    standIn: gh,
    secret: SECRET,
    // Info: the test waits for the line each recovery pass logs.
    logLevel: "info",
    env: { REDELIVERY_INTERVAL: "5m", ...env },
  });

function runsOf(number: number) {
  const head = gh.state.pullRequest(OWNER, REPO, number)?.headSha;
  return gh.state.ownCheckRuns(OWNER, REPO, head);
}

test("webhooks sent while the app was down, or answered 5xx, are redelivered at start-up and handled once", async () => {
  gh.state.addPullRequest(OWNER, REPO, { number: 1, title: "CHG0000001: a", author: "alice" });
  gh.state.addPullRequest(OWNER, REPO, { number: 2, title: "CHG0000002: b", author: "alice" });
  gh.state.addPullRequest(OWNER, REPO, { number: 3, title: "CHG0000003: c", author: "alice" });
  // Nothing listens yet: GitHub records "failed to connect".
  gh.state.hooks.target = { url: "http://127.0.0.1:9/api/github/webhooks", secret: SECRET };
  const opened1 = events.opened(1);
  const down = await gh.state.hooks.send(opened1.event, opened1.payload);
  expect(down.status).toBe(0);
  // A proxy in front of the app answered 503 while it was being deployed.
  const opened2 = events.opened(2);
  const refused = gh.state.hooks.recordSent({
    guid: "lb-503",
    event: opened2.event,
    body: JSON.stringify(opened2.payload),
    statusCode: 503,
  });

  server = await start_();
  // Delivered to the running app: answered, so left alone.
  const opened3 = events.opened(3);
  expect((await server.deliver(opened3.event, opened3.payload)).status).toBe(200);

  const explain = () =>
    `${JSON.stringify(
      gh.state.hooks.attempts.map(({ body: _, ...a }) => a),
      null,
      1,
    )}\n${server?.output()}`;
  for (const number of [1, 2, 3])
    await waitFor(
      `the check run of #${number}`,
      () => (runsOf(number).length > 0 ? true : undefined),
      { explain, timeoutMs: 30_000 },
    );
  await gh.state.hooks.settled();
  expect(gh.requestCounts()[REDELIVER]).toBe(2);
  for (const guid of [down.guid, refused.guid]) {
    expect(gh.state.hooks.attemptsOf(guid).map((a) => [a.redelivery, a.statusCode])).toEqual([
      [false, guid === down.guid ? 0 : 503],
      [true, 200],
    ]);
  }

  // A restart lists again and finds nothing left to ask for: GitHub's record shows the
  // redeliveries succeeded.
  // The next pass is scheduled: shutdown cancels it and still exits cleanly.
  await server.stop();
  expect(await server.exited).toBe(0);
  gh.clearLogs();
  server = await start_();
  await waitFor("the start-up pass", () => (gh.requestCounts()[LIST] ? true : undefined));
  await waitFor("the pass to log its result", () =>
    server?.output().includes("webhook deliveries checked") ? true : undefined,
  );
  expect(gh.requestCounts()[REDELIVER]).toBeUndefined();
  for (const number of [1, 2, 3]) expect(runsOf(number)).toHaveLength(1);
});

test("REDELIVERY_INTERVAL that is not a duration stops start-up and says why", async () => {
  await server?.stop();
  server = undefined;
  await expect(
    startServer({ standIn: gh, secret: SECRET, env: { REDELIVERY_INTERVAL: "sometimes" } }),
  ).rejects.toThrow(
    /server exited with 1[^]*could not start: REDELIVERY_INTERVAL must be a duration/,
  );
});
