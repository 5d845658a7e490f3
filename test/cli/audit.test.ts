// `release-policy audit` against the GitHub stand-in on 127.0.0.1: a period's deployments
// with their statuses, the app's decision for each (a redeploy of the same commit has its
// own), the run's approvers and the release records, as JSON and CSV; listings stop at the
// period's start and are bounded; failures say why (and never the token).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_DEPLOYMENTS_LISTED, type Audit } from "../../src/cli/audit-read.js";
import { CSV_COLUMNS } from "../../src/cli/audit.js";
import { start, type StandIn } from "../stand-in/server.js";
import { requestsDuring, runCli, type Run } from "./run-cli.js";

const NOW = new Date("2026-12-10T00:00:00Z");
const RUNS = "https://github.com/acme/shop/actions/runs";
const LIST = "GET /repos/{owner}/{repo}/deployments";
const ISSUES = "GET /repos/{owner}/{repo}/issues";

let gh: StandIn;
let token: string;
let dir: string;
let sha: string;
let otherSha: string;
const ids: Record<string, number> = {};

beforeAll(async () => {
  gh = await start({ clock: () => NOW });
  const repo = gh.state.addRepo({ owner: "acme", repo: "shop" });
  token = gh.state.issueToken(repo.installationId).token;
  sha = repo.headSha;
  otherSha = gh.state.addCommit("acme", "shop", { branch: "main", message: "Next" });
  const deploy = (name: string, seed: Parameters<StandIn["state"]["addDeployment"]>[2]) => {
    ids[name] = gh.state.addDeployment("acme", "shop", seed).id;
  };
  deploy("before", {
    ref: "main",
    sha,
    environment: "production",
    createdAt: "2026-10-30T10:00:00Z",
  });
  deploy("staging", {
    ref: "main",
    sha,
    environment: "staging",
    creator: "deploy-bot",
    createdAt: "2026-11-02T10:00:00Z",
    statuses: [
      { state: "in_progress", createdAt: "2026-11-02T10:01:00Z" },
      { state: "success", createdAt: "2026-11-02T10:05:00Z", description: "Deployed" },
    ],
  });
  deploy("production", {
    ref: "main",
    sha,
    environment: "production",
    creator: "deploy-bot",
    createdAt: "2026-11-03T09:00:00Z",
    statuses: [
      { state: "queued", createdAt: "2026-11-03T09:00:30Z" },
      { state: "success", createdAt: "2026-11-03T11:05:00Z" },
    ],
  });
  // The app held it, then approved it; the statuses name the run.
  gh.state.addStatus("acme", "shop", sha, {
    state: "pending",
    context: "release-policy/production",
    description: 'Held: "Black Friday" freeze, until 11:00',
    targetUrl: `${RUNS}/777`,
    createdAt: "2026-11-03T09:01:00Z",
  });
  gh.state.addStatus("acme", "shop", sha, {
    state: "success",
    context: "release-policy/production",
    description: "Approved: 2 of 2 gates pass",
    targetUrl: `${RUNS}/777`,
    createdAt: "2026-11-03T11:00:00Z",
  });
  gh.state.addStatus("acme", "shop", sha, {
    state: "success",
    context: "test",
    createdAt: "2026-11-03T08:00:00Z",
  });
  gh.state.addRunApproval("acme", "shop", 777, {
    environments: ["production"],
    state: "approved",
    user: "rosa",
  });
  gh.state.addRunApproval("acme", "shop", 777, {
    environments: ["staging"],
    state: "approved",
    user: "sam",
  });
  // The same commit again, a day later: decided again, and rejected.
  deploy("redeploy", {
    ref: "main",
    sha,
    environment: "production",
    creator: "deploy-bot",
    createdAt: "2026-11-04T08:00:00Z",
    statuses: [{ state: "failure", createdAt: "2026-11-04T08:02:00Z" }],
  });
  gh.state.addStatus("acme", "shop", sha, {
    state: "failure",
    context: "release-policy/production",
    description: "Rejected by @sam",
    targetUrl: `${RUNS}/778`,
    createdAt: "2026-11-04T08:01:00Z",
  });
  gh.state.addRunApproval("acme", "shop", 778, {
    environments: ["production"],
    state: "rejected",
    user: "sam",
  });
  // A ref a spreadsheet would run as a formula, on the last day of the period.
  deploy("hostile", {
    ref: '=HYPERLINK("http://evil.example")',
    sha: otherSha,
    environment: "production",
    createdAt: "2026-11-30T12:00:00Z",
  });
  deploy("after", {
    ref: "main",
    sha,
    environment: "production",
    createdAt: "2026-12-01T00:00:00Z",
  });

  const record = (title: string, createdAt: string, labels: string[], state?: "closed") =>
    gh.state.addIssue("acme", "shop", { title, createdAt, labels, ...(state ? { state } : {}) });
  record("Release v1.3.0", "2026-10-20T09:00:00Z", ["release-record"]);
  record("Release v1.4.0", "2026-11-05T09:00:00Z", ["release-record"]);
  record("Checkout is slow", "2026-11-06T09:00:00Z", ["bug"]);
  record("Release v1.4.1", "2026-11-20T09:00:00Z", ["release-record"], "closed");
});

afterAll(async () => {
  await gh?.close();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "release-policy-audit-"));
});

afterEach(async () => {
  gh.clearFaults();
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
  await rm(dir, { recursive: true, force: true });
});

function env(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return { GITHUB_TOKEN: token, GITHUB_API_URL: gh.baseUrl, RETRY_BASE_MS: "1", ...overrides };
}

async function audit(argv: string[], environment = env()): Promise<Run> {
  const run = await runCli(["audit", ...argv], { cwd: dir, env: environment, now: NOW });
  expect(`${run.stdout}${run.stderr}`).not.toContain(token);
  return run;
}

const counting = (body: () => Promise<unknown>) => requestsDuring(gh, body);

const NOVEMBER = ["acme/shop", "--since", "2026-11-01", "--until", "2026-11-30"];

describe("release-policy audit", () => {
  it("writes the period's deployments, decisions, approvers and release records as JSON", async () => {
    const run = await audit(NOVEMBER);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const written = JSON.parse(run.stdout) as Audit;
    expect(written.repository).toBe("acme/shop");
    // --until as a date means the whole day.
    expect([written.since, written.until]).toEqual([
      "2026-11-01T00:00:00.000Z",
      "2026-12-01T00:00:00.000Z",
    ]);
    expect(written.deployments.map((d) => d.id)).toEqual([
      ids.staging,
      ids.production,
      ids.redeploy,
      ids.hostile,
    ]);
    const [staging, production, redeploy] = written.deployments;
    expect(staging).toEqual({
      id: ids.staging,
      environment: "staging",
      ref: "main",
      sha,
      task: "deploy",
      creator: "deploy-bot",
      createdAt: "2026-11-02T10:00:00.000Z",
      state: "success",
      statuses: [
        {
          state: "in_progress",
          environment: "staging",
          at: "2026-11-02T10:01:00.000Z",
          description: "",
        },
        {
          state: "success",
          environment: "staging",
          at: "2026-11-02T10:05:00.000Z",
          description: "Deployed",
        },
      ],
      decision: null,
      runId: null,
      approvers: null,
      rejectedBy: null,
    });
    expect(production).toEqual(
      expect.objectContaining({
        state: "success",
        decision: {
          state: "success",
          description: "Approved: 2 of 2 gates pass",
          at: "2026-11-03T11:00:00.000Z",
        },
        runId: 777,
        approvers: ["rosa"],
        rejectedBy: [],
      }),
    );
    expect(redeploy).toEqual(
      expect.objectContaining({
        state: "failure",
        decision: {
          state: "failure",
          description: "Rejected by @sam",
          at: "2026-11-04T08:01:00.000Z",
        },
        runId: 778,
        approvers: [],
        rejectedBy: ["sam"],
      }),
    );
    expect(written.releaseRecords).toEqual([
      expect.objectContaining({ title: "Release v1.4.0", state: "open" }),
      expect.objectContaining({ title: "Release v1.4.1", state: "closed" }),
    ]);
    expect(written.releaseRecords[0]).toEqual({
      number: expect.any(Number) as number,
      title: "Release v1.4.0",
      state: "open",
      url: expect.stringMatching(/\/acme\/shop\/issues\/\d+$/) as string,
      createdAt: "2026-11-05T09:00:00.000Z",
    });
  });

  it("writes one CSV row per deployment, quoted, and no cell a spreadsheet would run", async () => {
    const run = await audit([...NOVEMBER, "--format", "csv"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(lines).toHaveLength(1 + 4 + 1); // header, four deployments, the final newline
    expect(lines[2]).toBe(
      `${ids.production},2026-11-03T09:00:00.000Z,production,main,${sha},deploy,deploy-bot,success,2026-11-03T11:05:00.000Z,success,Approved: 2 of 2 gates pass,2026-11-03T11:00:00.000Z,777,rosa,`,
    );
    expect(lines[3]).toContain(",failure,Rejected by @sam,2026-11-04T08:01:00.000Z,778,,sam");
    expect(lines[4]).toContain(`,production,"'=HYPERLINK(""http://evil.example"")",${otherSha},`);
  });

  it("writes to --out and says what it wrote, up to now without --until", async () => {
    const run = await audit(["acme/shop", "--since", "2026-11-01", "--out", "audit.json"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "Wrote audit.json: 5 deployments and 2 release records of acme/shop from 2026-11-01T00:00:00.000Z to 2026-12-10T00:00:00.000Z\n",
    );
    const written = JSON.parse(await readFile(join(dir, "audit.json"), "utf8")) as Audit;
    expect(written.deployments.at(-1)?.id).toBe(ids.after);
  });

  it("stops listing at the period's start, and reads each commit and run once", async () => {
    const busy = gh.state.addRepo({ owner: "acme", repo: "busy" });
    for (let i = 0; i < 150; i += 1) {
      gh.state.addDeployment("acme", "busy", {
        ref: "main",
        environment: "production",
        createdAt: new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString(),
      });
    }
    for (const day of [2, 3]) {
      gh.state.addDeployment("acme", "busy", {
        ref: "main",
        sha: busy.headSha,
        environment: "production",
        createdAt: `2026-11-0${day}T10:00:00Z`,
      });
    }
    let run: Run | undefined;
    const requests = await counting(async () => {
      run = await audit(["acme/busy", "--since", "2026-11-01"]);
    });
    expect(run?.code).toBe(0);
    expect((JSON.parse(run?.stdout ?? "") as Audit).deployments).toHaveLength(2);
    expect(requests).toEqual({
      [LIST]: 1,
      "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses": 2,
      "GET /repos/{owner}/{repo}/commits/{ref}/statuses": 1,
      [ISSUES]: 1,
    });
  });

  it("refuses a period with more deployments than it reads, rather than cut it short", async () => {
    gh.state.addRepo({ owner: "acme", repo: "flood" });
    for (let i = 0; i < MAX_DEPLOYMENTS_LISTED + 1; i += 1) {
      gh.state.addDeployment("acme", "flood", {
        ref: "main",
        environment: "production",
        createdAt: new Date(Date.UTC(2026, 10, 2) + i * 60_000).toISOString(),
      });
    }
    let run: Run | undefined;
    const requests = await counting(async () => {
      run = await audit(["acme/flood", "--since", "2026-11-01"]);
    });
    expect(run?.code).toBe(2);
    expect(run?.stdout).toBe("");
    expect(run?.stderr).toBe(
      `release-policy audit: more than ${MAX_DEPLOYMENTS_LISTED} deployments were listed before reaching --since; audit a shorter period (--since and --until)\n`,
    );
    expect(requests).toEqual({ [LIST]: MAX_DEPLOYMENTS_LISTED / 100 });
  }, 60_000);

  it("refuses to run without GITHUB_TOKEN", async () => {
    const requests = await counting(async () => {
      const run = await audit(NOVEMBER, env({ GITHUB_TOKEN: "" }));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^release-policy audit: GITHUB_TOKEN is not set: /);
    });
    expect(requests).toEqual({});
  });

  it.each([
    [["acme"], '"acme" is not a repository: expected OWNER/REPO (acme/shop)'],
    [["acme/shop#4", "--since", "2026-11-01"], '"acme/shop#4" is not a repository'],
    [["acme/shop"], "--since is required"],
    [["acme/shop", "--since", "November"], '--since "November" is not a date'],
    [["acme/shop", "--since", "2026-02-30"], '--since "2026-02-30" is not a date'],
    [["acme/shop", "--since", "2026-11-01T09:00"], '--since "2026-11-01T09:00" is not a date'],
    [["acme/shop", "--since", "2026-11-02", "--until", "2026-11-01"], "the period is empty"],
    [
      ["acme/shop", "--since", "2026-11-01", "--format", "xml"],
      '--format "xml": expected json or csv',
    ],
  ])("refuses %j", async (argv, why) => {
    const run = await audit(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`release-policy audit: ${why}`);
    expect(run.stderr).toContain("Usage: release-policy audit");
  });

  it("fails with GitHub's reason when it refuses a read", async () => {
    gh.failNext(LIST, 403, { message: "Resource not accessible by integration" });
    const run = await audit(NOVEMBER);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "release-policy audit: could not read the history of acme/shop (GET /repos/acme/shop/deployments): GitHub answered 403: Resource not accessible by integration - https://docs.github.com/rest\n" +
        "  fix: give the token read access to it (or wait if GitHub is limiting)\n",
    );
  });

  it("fails when the repository does not exist", async () => {
    const run = await audit(["acme/nowhere", "--since", "2026-11-01"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^release-policy audit: could not read the history of acme\/nowhere \(GET \/repos\/acme\/nowhere\/deployments\): GitHub answered 404/,
    );
  });
});
