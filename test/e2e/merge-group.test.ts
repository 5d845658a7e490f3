// Merge queues, end to end: the real server process, GitHub played by the stand-in. Two pull
// requests are judged, then queued one behind the other; each merge group gets its
// release-policy check on its own head commit.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import type { CheckRunRecord } from "../stand-in/records.js";
import { GitHubEvents, type Webhook } from "./github-events.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;

let gh: StandIn;
let server: AppServer;
let events: GitHubEvents;

beforeAll(async () => {
  gh = await start({ app: { id: 4711 } });
  gh.state.addRepo({ owner: OWNER, repo: REPO, installationId: 42 });
  gh.state.addFile(OWNER, REPO, "main", ".github/release-policy.yml", POLICY);
  gh.state.addPullRequest(OWNER, REPO, {
    number: 7,
    title: "CHG0001234: faster checkout",
    author: "alice",
  });
  gh.state.addPullRequest(OWNER, REPO, { number: 8, title: "Tidy the footer", author: "carol" });
  events = new GitHubEvents(gh, OWNER, REPO);
  server = await startServer({ standIn: gh, secret: "e2e-webhook-secret" });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => {
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
});

async function send(webhook: Webhook): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload);
  if (delivery.status >= 300) {
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
  }
}

function completedRun(sha: string): CheckRunRecord | undefined {
  const runs = gh.state.ownCheckRuns(OWNER, REPO, sha);
  if (runs.length > 1)
    throw new Error(`expected one release-policy run on ${sha}, saw ${runs.length}`);
  return runs[0]?.status === "completed" ? runs[0] : undefined;
}

const explain = () => `server output: ${server.output()}`;

test("each merge group gets the verdict of every pull request it brings", async () => {
  await send(events.opened(7));
  await send(events.opened(8));
  const headOf = (n: number) => gh.state.requireRepo(OWNER, REPO).pulls.get(n)?.headSha ?? "";
  expect((await waitFor("#7's check", () => completedRun(headOf(7)), { explain })).conclusion).toBe(
    "success",
  );
  expect((await waitFor("#8's check", () => completedRun(headOf(8)), { explain })).conclusion).toBe(
    "failure",
  );

  const first = events.queued(7);
  await send(first);
  const passed = await waitFor("the first group's check", () => completedRun(first.headSha), {
    explain,
  });
  expect(passed).toMatchObject({ conclusion: "success", output: { title: "Pull request passed" } });

  // #8 queues behind #7: its group holds both, and fails on #8 alone.
  const second = events.queued(8, first.headSha);
  await send(second);
  const failed = await waitFor("the second group's check", () => completedRun(second.headSha), {
    explain,
  });
  expect(failed).toMatchObject({ conclusion: "failure", output: { title: "#8 did not pass" } });
  expect(failed.output.summary).toContain("| ✅ pass | release-policy passed on its head");
  expect(failed.output.summary).toContain(
    "| ❌ fail | release-policy concluded failure on its head",
  );
  expect(failed.output.summary).toMatch(/\[#7\]\(.*\/pull\/7\)/);
});
