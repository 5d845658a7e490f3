// The real server process, end to end: signed webhooks in over HTTP, GitHub played by the
// stand-in, and outcomes read back from the stand-in. One server for the whole file; the
// steps build on each other, as the life of one pull request does.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import type { CheckRunRecord, CommentRecord } from "../stand-in/records.js";
import { GitHubEvents, tickBox } from "./github-events.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-webhook-secret";
const ITEM = "Rollback plan documented";
const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1, from: { users: [bob] } } }
  readiness:
    stage: pull_request
    require:
      checklist:
        - ${ITEM}
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
    title: "CHG0001234: faster checkout",
    author: "alice",
  }).headSha;
  events = new GitHubEvents(gh, OWNER, REPO);
  server = await startServer({ standIn: gh, secret: SECRET });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => {
  // A failed request of the app's would otherwise only show as a timeout.
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
});

function ownRun(): CheckRunRecord | undefined {
  const runs = gh.state.ownCheckRuns(OWNER, REPO, headSha);
  if (runs.length > 1) throw new Error(`expected one release-policy run, saw ${runs.length}`);
  return runs[0];
}

/** What the stand-in and the server hold, for a failed wait's message. */
function explain(): string {
  const run = ownRun();
  return [
    `check run: ${run?.status} ${run?.conclusion} ${run?.output.title}`,
    run?.output.summary ?? "",
    `comments: ${checklist()
      .map((c) => c.body)
      .join("\n---\n")}`,
    `server output: ${server.output()}`,
  ].join("\n");
}

function checklist(): CommentRecord[] {
  return gh.state.comments(OWNER, REPO, 7);
}

async function send(webhook: { event: string; payload: object }): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload);
  if (delivery.status >= 300) {
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
  }
}

test("opening the pull request: an open check run and one checklist comment", async () => {
  await send(events.opened(7));

  const run = await waitFor("the release-policy check run", ownRun);
  expect(run.name).toBe("release-policy");
  expect(run.conclusion).not.toBe("success");
  expect(run.output.summary).toContain("change-record");
  expect(run.output.summary).toContain("peer-review");
  const comments = await waitFor("the checklist comment", () =>
    checklist().length > 0 ? checklist() : undefined,
  );
  expect(comments).toHaveLength(1);
  expect(comments[0]?.user).toBe(gh.state.botLogin());
  expect(comments[0]?.body).toContain(`- [ ] ${ITEM}`);
});

test("an approval and an authorised tick turn the check green", async () => {
  await send(events.submitReview(7, "bob", "APPROVED"));
  // The approval alone is not enough: the checklist is still open.
  const approved = await waitFor(
    "the approval to show in the check run",
    () => {
      const run = ownRun();
      return run?.output.summary?.includes("1 of 1 approval from @bob") ? run : undefined;
    },
    { explain },
  );
  expect(approved.conclusion).not.toBe("success");

  const [comment] = checklist();
  if (!comment) throw new Error("no checklist comment");
  await send(events.editComment(comment.id, tickBox(comment.body, ITEM), "alice"));

  const done = await waitFor(
    "the check to pass",
    () => {
      const run = ownRun();
      return run?.conclusion === "success" ? run : undefined;
    },
    { explain },
  );
  expect(done.status).toBe("completed");
  const ticked = await waitFor("the tick to be recorded in the comment", () => {
    const body = checklist()[0]?.body;
    return body?.includes("ticked by @alice") ? body : undefined;
  });
  expect(ticked).toContain(`- [x] ${ITEM}`);
  expect(checklist()).toHaveLength(1);
});

test("a webhook with a bad signature is refused and changes nothing", async () => {
  const before = { run: ownRun(), comments: checklist(), requests: gh.requests().length };
  const forged = events.editTitle(7, "no change record");

  const delivery = await server.deliver(forged.event, forged.payload, { secret: "wrong" });

  expect(delivery.status).toBeGreaterThanOrEqual(400);
  expect(delivery.status).toBeLessThan(500);
  // Refused before any handler runs: no request to GitHub follows.
  expect(gh.requests()).toHaveLength(before.requests);
  expect(ownRun()).toEqual(before.run);
  expect(checklist()).toEqual(before.comments);
});
