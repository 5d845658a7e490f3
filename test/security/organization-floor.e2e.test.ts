// End to end through the real server process and the GitHub stand-in: under an
// organization's required base, a repository that fills in loose approval defaults gets an
// invalid-policy check instead of a pass on its only committer's own approval, and a pull
// request labelled with the repository's own change type is still held to the
// organization's gate.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import type { CheckRunRecord } from "../stand-in/records.js";
import { GitHubEvents } from "../e2e/github-events.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const SECRET = "e2e-webhook-secret";
const PATH = ".github/release-policy.yml";
const BASE = `required: true
change_types:
  normal: { default: true }
gates:
  review:
    stage: pull_request
    require: { approvals: { count: 1, from: { users: [carol, dave] } } }
  change-record:
    stage: pull_request
    when: { change_types: [normal] }
    require: { pattern: "CHG[0-9]{7}" }
`;

let gh: StandIn;
let server: AppServer;
const heads = new Map<string, string>();

beforeAll(async () => {
  gh = await start({ app: { id: 4711 } });
  gh.state.addRepo({ owner: OWNER, repo: ".github", installationId: 42 });
  gh.state.addFile(OWNER, ".github", "main", PATH, BASE);
  // Without the floor, each of these pull requests would pass.
  seed("loose", "defaults:\n  approvals: { exclude: [] }\n  invalidate_on_push: false\n", {
    title: "CHG0001234: a small change",
    approver: "carol", // the author and only committer
  });
  seed("typed", "change_types:\n  trivial: { labels: [trivial] }\n", {
    title: "A small change", // no change record
    approver: "dave",
    labels: ["trivial"],
  });
  server = await startServer({ standIn: gh, secret: SECRET });
}, 120_000);

/** A repository with its own file, and pull request #1 by carol, approved. */
function seed(
  repo: string,
  policy: string,
  pr: { title: string; approver: string; labels?: string[] },
): void {
  gh.state.addRepo({ owner: OWNER, repo, installationId: 42 });
  gh.state.addFile(OWNER, repo, "main", PATH, policy);
  const pull = gh.state.addPullRequest(OWNER, repo, {
    number: 1,
    title: pr.title,
    author: "carol",
    labels: pr.labels ?? [],
  });
  gh.state.addReview(OWNER, repo, 1, { user: pr.approver, state: "APPROVED" });
  heads.set(repo, pull.headSha);
}

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => {
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
});

async function checkOf(repo: string): Promise<CheckRunRecord> {
  const webhook = new GitHubEvents(gh, OWNER, repo).opened(1);
  const delivery = await server.deliver(webhook.event, webhook.payload);
  expect(delivery.status).toBeLessThan(300);
  const head = heads.get(repo) ?? "";
  return waitFor(
    `the check run of ${repo}#1`,
    () => gh.state.ownCheckRuns(OWNER, repo, head).find((run) => run.status === "completed"),
    { explain: () => server.output() },
  );
}

test("loosened approval defaults make the repository's policy invalid, not its self-approval count", async () => {
  const run = await checkOf("loose");
  expect(run.conclusion).toBe("failure");
  expect(run.output.title).toBe("Policy is invalid");
  expect(run.output.summary).toContain(`${OWNER}/loose:${PATH}:2:25`);
  expect(run.output.summary).toContain(`${OWNER}/loose:${PATH}:3:23`);
});

test("a change type of the repository's own is still held to the organization's gate", async () => {
  const run = await checkOf("typed");
  expect(run.conclusion).toBe("failure");
  expect(run.output.summary).toMatch(/\*\*change-record\*\* \| ❌ fail/);
});
