// Route 1 end to end: the real server process, signed webhooks over HTTP, GitHub played by
// the stand-in. Two pull requests share one head commit; the one into an exempt branch
// must not turn the commit's release-policy check green while the other waits.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import type { CheckRunRecord } from "../stand-in/records.js";
import { GitHubEvents } from "../e2e/github-events.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-webhook-secret";
const POLICY = `gates:
  cab:
    stage: pull_request
    unless: { base_branches: ["sandbox/*"] }
    require: { approvals: { count: 1, from: { users: [bob] } } }
`;

let gh: StandIn;
let server: AppServer;
let events: GitHubEvents;
let headSha: string;

beforeAll(async () => {
  gh = await start({ app: { id: 4711 } });
  gh.state.addRepo({ owner: OWNER, repo: REPO, installationId: 42 });
  gh.state.addFile(OWNER, REPO, "main", ".github/release-policy.yml", POLICY);
  const main = gh.state.addPullRequest(OWNER, REPO, {
    number: 7,
    title: "Faster checkout",
    author: "alice",
  });
  headSha = main.headSha;
  // The same head commit, proposed into a branch the CAB gate exempts.
  gh.state.addPullRequest(OWNER, REPO, {
    number: 8,
    title: "Faster checkout (sandbox)",
    author: "alice",
    baseRef: "sandbox/try",
  });
  const sandbox = gh.state.requireRepo(OWNER, REPO).pulls.get(8);
  if (!sandbox) throw new Error("no pull request #8");
  sandbox.headSha = main.headSha;
  sandbox.headRef = main.headRef;
  events = new GitHubEvents(gh, OWNER, REPO);
  server = await startServer({ standIn: gh, secret: SECRET });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => {
  expect(gh.violations()).toEqual([]);
});

/** The release-policy run GitHub shows for the head commit: the latest the app made. */
function shownRun(): CheckRunRecord | undefined {
  return gh.state.ownCheckRuns(OWNER, REPO, headSha).at(-1);
}

function explain(): string {
  const run = shownRun();
  return [
    `check run: ${run?.status} ${run?.conclusion} ${run?.output.title}`,
    run?.output.summary ?? "",
    `server output: ${server.output()}`,
  ].join("\n");
}

async function send(webhook: { event: string; payload: object }): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload);
  if (delivery.status >= 300) {
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
  }
}

test("the exempt pull request does not turn the shared check green; the approval does", async () => {
  await send(events.opened(7));
  await waitFor("#7's check", () => shownRun(), { explain });

  await send(events.opened(8));
  const both = await waitFor(
    "the check to list both pull requests",
    () => {
      const run = shownRun();
      return run?.output.summary?.includes("#8") ? run : undefined;
    },
    { explain },
  );
  expect(both.conclusion).not.toBe("success");
  expect(both.output.summary).toContain("#7");
  expect(both.output.title).toContain("#7 into main");

  await send(events.submitReview(7, "bob", "APPROVED"));
  const passed = await waitFor(
    "the check to pass once #7 is approved",
    () => {
      const run = shownRun();
      return run?.conclusion === "success" ? run : undefined;
    },
    { explain },
  );
  expect(passed.status).toBe("completed");
});
