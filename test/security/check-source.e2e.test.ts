// Test evidence posted by someone else, end to end: the real server process, signed webhooks
// over HTTP, GitHub played by the stand-in. CI's `build` fails; another app then reports
// `build: success` on the same commit. The release-policy check must not turn green.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import type { CheckRunRecord } from "../stand-in/records.js";
import { checkRun, repository, Urls, user, type ShapeContext } from "../stand-in/shapes.js";
import { GitHubEvents } from "../e2e/github-events.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const SECRET = "e2e-webhook-secret";
const INSTALLATION = 42;
const CI = { id: 15368, slug: "ci" };
const IMPOSTOR = { id: 9999, slug: "impostor" };

/** Each repository's policy: `build` from any one source, and `build` from CI only. */
const REPOS = {
  plain: "gates:\n  tests:\n    stage: pull_request\n    require: { checks: [build] }\n",
  named:
    "gates:\n  tests:\n    stage: pull_request\n    require: { checks: [{ name: build, app: ci }] }\n",
};

let gh: StandIn;
let server: AppServer;
const heads: Record<string, string> = {};

beforeAll(async () => {
  gh = await start({ app: { id: 4711 } });
  for (const [repo, policy] of Object.entries(REPOS)) {
    gh.state.addRepo({ owner: OWNER, repo, installationId: INSTALLATION });
    gh.state.addFile(OWNER, repo, "main", ".github/release-policy.yml", policy);
    heads[repo] = gh.state.addPullRequest(OWNER, repo, {
      number: 7,
      title: "Faster checkout",
      author: "alice",
    }).headSha;
  }
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

function ownRun(repo: string): CheckRunRecord | undefined {
  return gh.state.ownCheckRuns(OWNER, repo, heads[repo] ?? "")[0];
}

async function send(webhook: { event: string; payload: object }): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload);
  if (delivery.status >= 300) throw new Error(`delivery answered ${delivery.status}`);
}

/** `check_run.completed` for a run the stand-in holds, as GitHub sends it to every app. */
function completed(repo: string, run: CheckRunRecord): { event: string; payload: object } {
  const ctx: ShapeContext = { state: gh.state, urls: new Urls(gh.url) };
  const record = gh.state.requireRepo(OWNER, repo);
  return {
    event: "check_run",
    payload: {
      action: "completed",
      check_run: checkRun(ctx, record, run),
      repository: repository(ctx, record),
      installation: { id: INSTALLATION },
      sender: user(ctx, "impostor[bot]"),
    },
  };
}

/** CI's `build` fails, the pull request opens, then another app reports `build: success`. */
async function impostorAfterFailure(repo: string): Promise<void> {
  const headSha = heads[repo] ?? "";
  gh.state.addCheckRun(OWNER, repo, { name: "build", headSha, conclusion: "failure", app: CI });
  await send(new GitHubEvents(gh, OWNER, repo).opened(7));
  await waitFor("the failing check run", () =>
    ownRun(repo)?.conclusion === "failure" ? true : undefined,
  );
  const fake = gh.state.addCheckRun(OWNER, repo, {
    name: "build",
    headSha,
    conclusion: "success",
    app: IMPOSTOR,
  });
  await send(completed(repo, fake));
}

test("no source named: another app's build: success fails the check, naming both apps", async () => {
  await impostorAfterFailure("plain");

  const run = await waitFor("the check to name both sources", () =>
    ownRun("plain")?.output.summary?.includes("more than one source") ? ownRun("plain") : undefined,
  );
  expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
  expect(run?.output.summary).toContain("by app \\`impostor\\` and app \\`ci\\`");
});

test("source named: only CI's build counts, and it failed", async () => {
  await impostorAfterFailure("named");

  const run = await waitFor("the impostor's run to be shown as not counted", () =>
    ownRun("named")?.output.text?.includes("not counted") ? ownRun("named") : undefined,
  );
  expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
  expect(run?.output.summary).toContain("check \\`build\\` failed");
});
