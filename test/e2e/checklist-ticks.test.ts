// Three people tick the checklist within a second, through the real server process: each
// save goes to the stand-in (which keeps the comment's body, last write wins, as GitHub
// does), and its webhook to the server, while the app is rewriting the comment for the
// saves before. Every tick must end in the comment and in the check; no write repeats.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import type { CheckRunRecord, CommentRecord } from "../stand-in/records.js";
import { GitHubEvents, tickBox } from "./github-events.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-webhook-secret";
const ITEMS = ["Rollback plan documented", "Release notes drafted", "Service desk briefed"];
const PEOPLE = ["alice", "bob", "carol"];
const POLICY = `gates:
  readiness:
    stage: pull_request
    require:
      checklist:
${ITEMS.map((item) => `        - ${item}`).join("\n")}
`;

let gh: StandIn;
let server: AppServer;
let events: GitHubEvents;
let headSha: string;

beforeAll(async () => {
  gh = await start({ app: { id: 4711 } });
  gh.state.addRepo({ owner: OWNER, repo: REPO, installationId: 42 });
  gh.state.addFile(OWNER, REPO, "main", ".github/release-policy.yml", POLICY);
  headSha = gh.state.addPullRequest(OWNER, REPO, {
    number: 7,
    title: "Faster checkout",
    author: "dora",
  }).headSha;
  events = new GitHubEvents(gh, OWNER, REPO);
  server = await startServer({ standIn: gh, secret: SECRET });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => {
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
});

function ownRun(sha = headSha): CheckRunRecord | undefined {
  return gh.state.ownCheckRuns(OWNER, REPO, sha)[0];
}

function checklist(number = 7): CommentRecord | undefined {
  const comments = gh.state.comments(OWNER, REPO, number);
  if (comments.length > 1)
    throw new Error(`expected one checklist comment, saw ${comments.length}`);
  return comments[0];
}

function explain(): string {
  const run = ownRun();
  return [
    `check run: ${run?.status} ${run?.conclusion} ${run?.output.title}`,
    `comment: ${checklist()?.body}`,
    `requests: ${JSON.stringify(gh.requestCounts())}`,
    `server output: ${server.output()}`,
  ].join("\n");
}

async function send(webhook: { event: string; payload: object }): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload);
  if (delivery.status >= 300) {
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
  }
}

/** A person saves the comment as it is on GitHub now, with one more box ticked. */
async function tick(who: string, item: string, number = 7): Promise<void> {
  const comment = checklist(number);
  if (!comment) throw new Error("no checklist comment");
  await send(events.editComment(comment.id, tickBox(comment.body, item), who));
}

/** True once the server reports no webhook work in flight (its /metrics gauge). */
async function inFlight(): Promise<true | undefined> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  return /^release_policy_webhooks_in_flight 0$/m.test(metrics) ? true : undefined;
}

const count = (route: string): number => gh.requestCounts()[route] ?? 0;
const COMMENT_ROUTE = "/repos/{owner}/{repo}/issues/comments/{comment_id}";

test("three people ticking within a second: every tick is in the comment and the check", async () => {
  await send(events.opened(7));
  await waitFor("the checklist comment", () => checklist(), { explain });
  await waitFor("the check run", ownRun, { explain });
  const before = { reads: count(`GET ${COMMENT_ROUTE}`), writes: count(`PATCH ${COMMENT_ROUTE}`) };

  // alice and bob save one after the other; carol saves once the app starts rewriting the
  // comment for them (its re-read or its write), all within about a second.
  await tick(PEOPLE[0] ?? "", ITEMS[0] ?? "");
  await tick(PEOPLE[1] ?? "", ITEMS[1] ?? "");
  await waitFor(
    "the app to start rewriting the comment",
    () =>
      count(`GET ${COMMENT_ROUTE}`) > before.reads ||
      count(`PATCH ${COMMENT_ROUTE}`) > before.writes
        ? true
        : undefined,
    { explain, intervalMs: 5 },
  );
  await tick(PEOPLE[2] ?? "", ITEMS[2] ?? "");

  const done = await waitFor(
    "every tick in the comment and a passing check",
    () => {
      const body = checklist()?.body ?? "";
      const all = ITEMS.every((item, i) =>
        body.includes(`- [x] ${item} — ticked by @${PEOPLE[i] ?? ""}`),
      );
      return all && ownRun()?.conclusion === "success" ? body : undefined;
    },
    { explain },
  );
  expect(done).not.toContain("was undone");
  // Settled: nothing more is written, and no write was repeated (at most one re-read and
  // one rewrite of the comment per tick).
  await waitFor("the server to have no work in flight", inFlight, { explain });
  expect(checklist()?.body).toBe(done);
  expect(count(`GET ${COMMENT_ROUTE}`) - before.reads).toBeLessThanOrEqual(3);
  expect(count(`PATCH ${COMMENT_ROUTE}`) - before.writes).toBeLessThanOrEqual(3);
  expect(count("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}")).toBeLessThanOrEqual(3);
});

/** Each person's save, and the bodies GitHub held from then on that do not show their tick. */
function ticksLeftThePage(edits: readonly { by: string; body: string }[]): string[] {
  return edits.flatMap((save, i) => {
    const item = ITEMS[PEOPLE.indexOf(save.by)];
    if (item === undefined) return [];
    return edits
      .slice(i)
      .flatMap((held, j) =>
        held.body.includes(`- [x] ${item}`) ? [] : [`${save.by}'s tick gone from edit ${i + j}`],
      );
  });
}

test("ticks saved while the app's rewrite waits for its write slot never leave the page", async () => {
  const sha = gh.state.addPullRequest(OWNER, REPO, {
    number: 8,
    title: "Gift cards",
    author: "dora",
  }).headSha;
  await send(events.opened(8));
  await waitFor("the checklist comment", () => checklist(8), { explain });
  await waitFor("the check run", () => ownRun(sha), { explain });
  const runWrites = () => count("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}");
  const before = {
    runs: runWrites(),
    reads: count(`GET ${COMMENT_ROUTE}`),
    writes: count(`PATCH ${COMMENT_ROUTE}`),
  };

  // alice ticks; the app writes the check for it, and its rewrite of the comment then waits
  // about a second for the client's write slot. bob and carol save within that second.
  await tick(PEOPLE[0] ?? "", ITEMS[0] ?? "", 8);
  await waitFor(
    "the check written for alice's tick",
    () => (runWrites() > before.runs ? true : undefined),
    { explain, intervalMs: 5 },
  );
  const since = Date.now();
  // Once the app has read the comment for its rewrite, or 100 ms on: whichever comes first.
  await waitFor(
    "the app's read, or 100 ms",
    () =>
      count(`GET ${COMMENT_ROUTE}`) > before.reads || Date.now() - since >= 100 ? true : undefined,
    { explain, intervalMs: 5 },
  );
  await tick(PEOPLE[1] ?? "", ITEMS[1] ?? "", 8);
  await tick(PEOPLE[2] ?? "", ITEMS[2] ?? "", 8);

  const done = await waitFor(
    "every tick in the comment and a passing check",
    () => {
      const body = checklist(8)?.body ?? "";
      const all = ITEMS.every((item, i) =>
        body.includes(`- [x] ${item} — ticked by @${PEOPLE[i] ?? ""}`),
      );
      return all && ownRun(sha)?.conclusion === "success" ? body : undefined;
    },
    { explain },
  );
  await waitFor("the server to have no work in flight", inFlight, { explain });
  expect(checklist(8)?.body).toBe(done);
  expect(ticksLeftThePage(checklist(8)?.edits ?? [])).toEqual([]);
  // At most one read and one write of the comment per tick.
  expect(count(`GET ${COMMENT_ROUTE}`) - before.reads).toBeLessThanOrEqual(3);
  expect(count(`PATCH ${COMMENT_ROUTE}`) - before.writes).toBeLessThanOrEqual(3);
});
