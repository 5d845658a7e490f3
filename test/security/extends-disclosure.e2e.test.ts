// End to end through the real server process and the GitHub stand-in: a pull request on a
// public repository whose policy copy extends a private file of another repository gets a
// check that shows nothing of that file, the same whether it exists or not, and the app never
// asks GitHub for it.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import type { CheckRunRecord } from "../stand-in/records.js";
import { GitHubEvents } from "../e2e/github-events.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-webhook-secret";
const PATH = ".github/release-policy.yml";
const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;
const probe = (base: string) => `_extends: ${base}\n${POLICY}`;

let gh: StandIn;
let server: AppServer;
let events: GitHubEvents;
const heads = new Map<number, string>();

beforeAll(async () => {
  gh = await start({ app: { id: 4711 } });
  gh.state.addRepo({ owner: OWNER, repo: REPO, installationId: 42 });
  gh.state.addRepo({ owner: OWNER, repo: "infra", installationId: 42, private: true });
  gh.state.addFile(OWNER, "infra", "main", "deploy/prod.yml", "token: s3cr3t-token-value\n");
  gh.state.addFile(OWNER, REPO, "main", PATH, POLICY);
  for (const [number, base] of [
    [7, "infra:deploy/prod.yml"],
    [8, "infra:deploy/gone.yml"],
  ] as const) {
    const pull = gh.state.addPullRequest(OWNER, REPO, {
      number,
      title: "CHG0001234: a new base",
      author: "mallory",
      headRef: `probe-${number}`,
      files: [{ filename: PATH }],
    });
    heads.set(number, pull.headSha);
    gh.state.addFile(OWNER, REPO, `probe-${number}`, PATH, probe(base));
  }
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

function runOf(number: number): CheckRunRecord | undefined {
  const head = heads.get(number) ?? "";
  return gh.state.ownCheckRuns(OWNER, REPO, head).find((run) => run.status === "completed");
}

async function checkOf(number: number): Promise<CheckRunRecord> {
  const webhook = events.opened(number);
  const delivery = await server.deliver(webhook.event, webhook.payload);
  expect(delivery.status).toBeLessThan(300);
  return waitFor(`the check run of #${number}`, () => runOf(number), {
    explain: () => server.output(),
  });
}

test("the check shows nothing of another repository's private file, nor whether it exists", async () => {
  const existing = await checkOf(7);
  const missing = await checkOf(8);

  // The two checks are written moments apart: the minute they were evaluated may differ.
  // Each run's hidden record of verdicts names its own pull request's number.
  const shown = (run: CheckRunRecord, base: string) =>
    JSON.stringify(run.output)
      .replaceAll(base, "<base>")
      .replace(/Evaluated [^<]* under/, "Evaluated under")
      .replace(/\\"n\\":\d+/, '\\"n\\":<number>');
  expect(shown(existing, "deploy/prod.yml")).toBe(shown(missing, "deploy/gone.yml"));
  expect(JSON.stringify(existing.output)).not.toMatch(/s3cr3t|token/);
  expect(existing.conclusion).toBe("failure");
  expect(existing.output.annotations).toEqual([
    expect.objectContaining({
      path: PATH,
      start_line: 1,
      message: expect.stringContaining("cannot be used as a base from a pull request"),
    }),
  ]);
  // The private repository is never asked for the file.
  expect(gh.requests().filter((r) => r.path.startsWith(`/repos/${OWNER}/infra/`))).toEqual([]);
});
