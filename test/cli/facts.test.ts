// `release-policy facts` against the GitHub stand-in on 127.0.0.1: what it records is what
// explain reads, it reads only what the policy's gates need, and it fails with the reason
// (and never the token) when it cannot read.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pullRequestFactsSchema } from "../../src/facts/recorded.js";
import { start, type StandIn } from "../stand-in/server.js";
import { startServiceNow } from "../stand-in/servicenow.js";
import { requestsDuring, runCli, type Run } from "./run-cli.js";

const NOW = new Date("2026-11-26T10:00:00Z");
const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1, from: { teams: [reviewers] } } }
  tests:
    stage: pull_request
    require: { checks: [test] }
  readiness:
    stage: pull_request
    require:
      checklist:
        - Rollback plan documented
`;

const ROUTES = {
  pull: "GET /repos/{owner}/{repo}/pulls/{pull_number}",
  reviews: "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  files: "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
  permission: "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
  statuses: "GET /repos/{owner}/{repo}/commits/{ref}/status",
  team: "GET /orgs/{org}/teams/{team_slug}/members",
} as const;

let gh: StandIn;
let token: string;
let dir: string;
let headSha: string;

beforeAll(async () => {
  gh = await start({ clock: () => NOW });
  const repo = gh.state.addRepo({ owner: "acme", repo: "shop" });
  token = gh.state.issueToken(repo.installationId).token;
  gh.state.addFile("acme", "shop", "main", ".github/release-policy.yml", POLICY);
  gh.state.addTeam("acme", "reviewers", ["bob", "erin"]);
  const pr = gh.state.addPullRequest("acme", "shop", {
    number: 42,
    title: "CHG0001234 Add the checkout button",
    author: "alice",
    files: [{ filename: "src/checkout/button.ts" }],
  });
  headSha = pr.headSha;
  gh.state.addReview("acme", "shop", 42, {
    user: "bob",
    state: "APPROVED",
    submittedAt: "2026-11-26T09:30:00Z",
  });
  gh.state.addCheckRun("acme", "shop", { name: "test", headSha, conclusion: "success" });
  // A repository without a policy, and one whose policy is broken.
  const bare = gh.state.addRepo({ owner: "acme", repo: "bare" });
  gh.state.addPullRequest("acme", "bare", { number: 1, title: "Anything", author: "alice" });
  const broken = gh.state.addRepo({ owner: "acme", repo: "broken" });
  gh.state.addFile("acme", "broken", "main", ".github/release-policy.yml", "gates: [oops\n");
  gh.state.addPullRequest("acme", "broken", { number: 1, title: "Anything", author: "alice" });
  expect([bare.installationId, broken.installationId]).toEqual([
    repo.installationId,
    repo.installationId,
  ]);
});

afterAll(async () => {
  await gh?.close();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "release-policy-facts-"));
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

async function facts(argv: string[], environment = env()): Promise<Run> {
  const run = await runCli(["facts", ...argv], { cwd: dir, env: environment, now: NOW });
  expect(`${run.stdout}${run.stderr}`).not.toContain(token);
  return run;
}

const counting = (body: () => Promise<unknown>) => requestsDuring(gh, body);

describe("release-policy facts", () => {
  it("records what the gates need, in the file explain reads, and explains it", async () => {
    let run: Run | undefined;
    const requests = await counting(async () => {
      run = await facts(["acme/shop#42", "--out", "pr42.json"]);
    });
    expect(run?.code).toBe(0);
    expect(run?.stdout).toBe("");
    const recorded: unknown = JSON.parse(await readFile(join(dir, "pr42.json"), "utf8"));
    expect(pullRequestFactsSchema.safeParse(recorded).success).toBe(true);
    expect(recorded).toEqual(
      expect.objectContaining({
        repo: { owner: "acme", repo: "shop", defaultBranch: "main" },
        number: 42,
        title: "CHG0001234 Add the checkout button",
        author: "alice",
        headSha,
        reviews: [
          {
            user: "bob",
            state: "APPROVED",
            commitId: headSha,
            submittedAt: "2026-11-26T09:30:00.000Z",
          },
        ],
        checks: [expect.objectContaining({ name: "test", source: "check_run", state: "success" })],
        teams: { "acme/reviewers": ["bob", "erin"] },
        permissions: {},
        checklist: { ticks: {} },
      }),
    );
    // No gate asks for changed files or permissions: neither is read.
    expect(requests[ROUTES.pull]).toBe(1);
    expect(requests[ROUTES.statuses]).toBe(1);
    expect(requests[ROUTES.reviews]).toBe(1);
    expect(requests[ROUTES.team]).toBe(1);
    for (const unneeded of [ROUTES.files, ROUTES.permission]) {
      expect(requests[unneeded]).toBeUndefined();
    }
    expect(run?.stderr).toContain("note: checklist ticks are not recorded");
    expect(run?.stderr).toContain(
      `Recorded acme/shop#42 at ${headSha.slice(0, 7)}, reading what the gates of acme/shop:.github/release-policy.yml need.`,
    );
    expect(run?.stderr).toContain("Next: release-policy explain pr42.json");

    // The next step, as the note says: explain, in a checkout of the default branch.
    await mkdir(join(dir, ".github"));
    await writeFile(join(dir, ".github/release-policy.yml"), POLICY);
    const explained = await runCli(["explain", "pr42.json"], { cwd: dir, env: {}, now: NOW });
    expect(explained.stdout).toContain("3 of 4 gates pass · waiting on 1");
    expect(explained.stdout).toMatch(/^PASS {2}peer-review$/m);
    expect(explained.stdout).toMatch(/^WAIT {2}readiness$/m);
    expect(explained.code).toBe(1);
  });

  it("prints the facts when no --out is given, the notes apart on stderr", async () => {
    const run = await facts(["acme/shop#42"]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { number: number };
    expect(printed.number).toBe(42);
    expect(run.stderr).toContain("Next: release-policy explain <file>");
  });

  it("gathers what a draft policy's gates need with --policy", async () => {
    await writeFile(
      join(dir, "draft.yml"),
      `gates:
  peer-review:
    stage: pull_request
    when: { paths: ["src/**"] }
    require: { approvals: { count: 1, from: { permission: write }, exclude: [pusher] } }
`,
    );
    gh.state.setPermission("acme", "shop", "bob", "write");
    let run: Run | undefined;
    const requests = await counting(async () => {
      run = await facts(["acme/shop#42", "--policy", "draft.yml"]);
    });
    expect(run?.code).toBe(0);
    const recorded = JSON.parse(run?.stdout ?? "") as Record<string, unknown>;
    expect(recorded.changedFiles).toEqual(["src/checkout/button.ts"]);
    expect(recorded.permissions).toEqual({ bob: "write" });
    expect(recorded.teams).toEqual({});
    expect(requests[ROUTES.team]).toBeUndefined();
    expect(run?.stderr).toContain("note: who pushed the head commit is not recorded");
    expect(run?.stderr).not.toContain("checklist ticks");
    expect(run?.stderr).toContain("reading what the gates of draft.yml need");
  });

  it("reads change records from the ServiceNow the app's variables name", async () => {
    await writeFile(
      join(dir, "draft.yml"),
      `gates:
  change:
    stage: pull_request
    require:
      change_record: { system: servicenow, pattern: "CHG[0-9]{7}" }
`,
    );
    const sn = await startServiceNow();
    try {
      sn.put("CHG0001234", {
        short_description: "Checkout button",
        state: "Scheduled",
        start_date: "2026-11-26 09:00:00",
        end_date: "2026-11-26 18:00:00",
      });
      const servicenow = {
        SERVICENOW_URL: sn.url,
        SERVICENOW_USER: "release-policy",
        SERVICENOW_PASSWORD: "s3cret",
      };
      const run = await facts(["acme/shop#42", "--policy", "draft.yml"], env(servicenow));
      expect(run.code).toBe(0);
      expect(run.stdout + run.stderr).not.toContain("s3cret");
      const recorded = JSON.parse(run.stdout) as { changeRecords?: unknown[] };
      expect(recorded.changeRecords).toEqual([
        expect.objectContaining({ reference: "CHG0001234", found: true, approval: "Approved" }),
      ]);
      const typo = await facts(
        ["acme/shop#42", "--policy", "draft.yml"],
        env({ ...servicenow, CHANGE_SYSTEM_TIMEOUT_MS: "5s" }),
      );
      expect(typo.code).toBe(2);
      expect(typo.stderr).toContain("CHANGE_SYSTEM_TIMEOUT_MS");
    } finally {
      await sn.close();
    }
  });

  it("refuses to run without GITHUB_TOKEN, and says how to set it", async () => {
    const requests = await counting(async () => {
      const run = await facts(["acme/shop#42"], env({ GITHUB_TOKEN: undefined }));
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^release-policy facts: GITHUB_TOKEN is not set: set it to/);
    });
    expect(requests).toEqual({});
  });

  it("refuses a plain-http API URL to another machine: the token would travel in clear", async () => {
    const run = await facts(["acme/shop#42"], env({ GITHUB_API_URL: "http://ghe.example/api/v3" }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('GITHUB_API_URL "http://ghe.example/api/v3" must be https');
  });

  it.each([
    ["acme/shop"],
    ["acme/shop#0"],
    ["acme#42"],
    ["acme/shop#x"],
    ["acme-/shop#1"],
    ["acme/..#1"],
    ["https://github.com/acme/shop/pull/42"],
  ])("refuses %s: not OWNER/REPO#N", async (arg) => {
    const run = await facts([arg]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`release-policy facts: "${arg}" is not a pull request`);
    expect(run.stderr).toContain("Usage: release-policy facts");
  });

  it("fails with GitHub's reason and a fix when the pull request does not exist", async () => {
    const run = await facts(["acme/shop#99", "--out", "pr99.json"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^release-policy facts: could not read the pull request acme\/shop#99 \(GET \/repos\/acme\/shop\/pulls\/99\): GitHub answered 404: Not Found\b.*\n {2}fix: check the name, and that the token can see it\n$/,
    );
    await expect(readFile(join(dir, "pr99.json"))).rejects.toThrow(/ENOENT/);
  });

  it("fails, after the app's retries, when GitHub keeps failing", async () => {
    gh.failNext(ROUTES.reviews, 502, { times: 4 });
    const run = await facts(["acme/shop#42"]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^release-policy facts: could not read the pull request acme\/shop#42 \(GET \/repos\/acme\/shop\/pulls\/42\/reviews\): GitHub answered 502/,
    );
    expect(run.stderr).toContain("fix: GitHub may be unreachable: run it again");
  });

  it("fails on a token GitHub does not accept, without printing it", async () => {
    const run = await facts(
      ["acme/shop#42"],
      env({ GITHUB_TOKEN: "ghs_not-a-token-anyone-issued" }),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      "could not read the repository acme/shop (GET /repos/acme/shop): GitHub answered 401",
    );
    expect(run.stderr).toContain("fix: GITHUB_TOKEN is not a valid token for GITHUB_API_URL");
    expect(run.stderr).not.toContain("ghs_not-a-token-anyone-issued");
    // The stand-in notes the refused token as a request GitHub would refuse: it was meant to be.
    expect(gh.violations()).toEqual([
      expect.objectContaining({
        path: "/repos/acme/shop",
        reason: expect.stringMatching(/^Bad credentials/),
      }),
    ]);
    gh.clearLogs();
  });

  it("says so when the repository has no policy, or an invalid one", async () => {
    const none = await facts(["acme/bare#1"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("acme/bare has no release policy");
    const invalid = await facts(["acme/broken#1"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(
      /^The policy is invalid: no fact was gathered\.\nacme\/broken:\.github\/release-policy\.yml:\d+:\d+: /,
    );
  });
});
