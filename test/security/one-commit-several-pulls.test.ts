// Route 1: one commit, several pull requests. The release-policy check run belongs to the
// head commit, which every pull request from that head shares: a second pull request into a
// branch the gates exempt must not turn the first one's check green, and a deployment must
// judge each shipped pull request by its own verdict. Driven through probot.receive, with
// GitHub's check runs kept by a small stateful stand-in.
import { afterAll, beforeEach, describe, expect, test } from "@jest/globals";
import nock from "nock";
import { readVerdicts, verdictsBlock } from "../../src/model/commit-verdicts.js";
import { readPolicyCheck } from "../../src/facts/deployment.js";
import { repaired } from "../../src/pipeline/commit-verdicts.js";
import {
  api,
  APP_ID,
  cleanNock,
  contents,
  createHarness,
  example,
  github,
  HEAD,
  listedCheckRun,
  OWNER,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
} from "../integration/harness.js";
import { ProbotOctokit } from "probot";
import type { Octokit } from "../../src/github/types.js";
import { MemoryStore } from "../../src/store/memory.js";
import { protectionRuleRequested } from "../fixtures/deployment/payloads.js";
import { startApp } from "../integration/deployment-helpers.js";
import {
  ANSWER,
  bodyOf,
  OPEN,
  RUN_ID,
  SHA,
  World as DeploymentWorld,
} from "../integration/deployment-world.js";

const ORG_POLICY_URL = `/repos/${OWNER}/.github/contents/.github%2Frelease-policy.yml`;

const POLICY = `gates:
  cab:
    stage: pull_request
    unless: { base_branches: ["sandbox/*"] }
    require: { approvals: { count: 1 } }
`;

beforeEach(cleanNock);
afterAll(() => nock.restore());

interface Run extends Record<string, unknown> {
  id: number;
}

/** GitHub as far as these events need it: the app's check runs on HEAD are kept. */
class World {
  runs: Run[] = [];
  reviews = new Map<number, Record<string, unknown>[]>();
  /** The policy file as the head commit holds it, and each pull request's changed files. */
  headPolicy = { text: POLICY, sha: "policysha1" };
  files = new Map<number, string[]>();

  serve(): void {
    const scope = github().persist();
    scope.get(POLICY_URL).reply(200, contents(POLICY));
    scope.get(ORG_POLICY_URL).reply(404, { message: "Not Found" });
    scope
      .get(POLICY_AT_HEAD)
      .reply(() => [200, contents(this.headPolicy.text, this.headPolicy.sha)]);
    scope.get(/\/pulls\/\d+\/files/).reply((req: Request) => {
      const number = Number(/pulls\/(\d+)\//.exec(req.url)?.[1]);
      return [200, (this.files.get(number) ?? []).map((filename) => ({ filename }))];
    });
    scope.get(/\/pulls\/\d+\/reviews/).reply((req: Request) => {
      const number = Number(/pulls\/(\d+)\//.exec(req.url)?.[1]);
      return [200, this.reviews.get(number) ?? []];
    });
    scope.get(/\/collaborators\/[^/]+\/permission/).reply(200, { permission: "write" });
    scope
      .get(/\/pulls\/\d+\/commits/)
      .reply(200, [
        { sha: HEAD, author: { login: "Codertocat" }, committer: { login: "web-flow" } },
      ]);
    scope.get(new RegExp(`/commits/${HEAD}/check-runs`)).reply(() => {
      const latest = this.runs.at(-1);
      const listed = latest ? [listedCheckRun(latest.id, latest, { headSha: HEAD })] : [];
      return [200, { total_count: listed.length, check_runs: listed }];
    });
    scope.post(`${REPO_PATH}/check-runs`).reply(async (req: Request) => {
      const body = (await req.json()) as Record<string, unknown>;
      const run = { ...body, id: this.runs.length + 1 };
      this.runs.push(run);
      return [201, { id: run.id }];
    });
    scope.patch(/\/check-runs\/\d+$/).reply(async (req: Request) => {
      const body = (await req.json()) as Record<string, unknown>;
      const id = Number(/check-runs\/(\d+)$/.exec(new URL(req.url).pathname)?.[1]);
      const run = this.runs.find((r) => r.id === id);
      if (!run) return [404, { message: "Not Found" }];
      Object.assign(run, body);
      return [200, { id }];
    });
  }

  /** The app's check run on HEAD as GitHub shows it (the latest). */
  get shown(): { status: unknown; conclusion: unknown; summary: string; title: string } {
    const run = this.runs.at(-1);
    if (!run) throw new Error("no check run");
    const output = run.output as { summary: string; title: string };
    return {
      status: run.status,
      conclusion: run.conclusion ?? null,
      summary: output.summary,
      title: output.title,
    };
  }
}

function pullEvent(action: string, number: number, base: string): Record<string, unknown> {
  const payload = example("pull_request", action);
  const pr = payload.pull_request as Record<string, unknown>;
  payload.number = number;
  pr.number = number;
  pr.base = { ...(pr.base as object), ref: base };
  pr.head = { ...(pr.head as object), sha: HEAD };
  return payload;
}

const approval = (user: string) => ({
  id: 1,
  user: { login: user, type: "User" },
  state: "APPROVED",
  commit_id: HEAD,
  submitted_at: "2026-11-26T09:00:00Z",
});

describe("one commit, several pull requests", () => {
  test("a pull request into an exempt branch does not turn the other's check green", async () => {
    const world = new World();
    world.serve();
    const harness = await createHarness();

    await harness.receive("pull_request", pullEvent("opened", 2, "main"));
    expect(world.shown.status).toBe("in_progress");

    await harness.receive("pull_request", pullEvent("opened", 3, "sandbox/x"));
    // Pull request #3 passes (no gate applies into sandbox/*), #2 still waits on the CAB.
    expect(world.shown.status).not.toBe("completed");
    expect(world.shown.conclusion).not.toBe("success");
    expect(world.shown.summary).toContain("#2");
    expect(world.shown.summary).toContain("#3");
    expect(world.shown.title).toContain("#2 into main");

    world.reviews.set(2, [approval("alice")]);
    await harness.receive("pull_request", pullEvent("synchronize", 2, "main"));
    expect(world.shown.status).toBe("completed");
    expect(world.shown.conclusion).toBe("success");
  });

  test("two pull requests judged at once both end up in the record", async () => {
    const world = new World();
    world.serve();
    const harness = await createHarness();

    await Promise.all([
      harness.receive("pull_request", pullEvent("opened", 2, "main")),
      harness.receive("pull_request", pullEvent("opened", 3, "sandbox/x")),
    ]);

    const record = readVerdicts(world.shown.summary) ?? [];
    expect(record.map((p) => [p.number, p.verdict])).toEqual([
      [2, "pending"],
      [3, "success"],
    ]);
    expect(world.shown.conclusion).not.toBe("success");
  });

  test("one pull request's policy edit verdict is not another's", async () => {
    const world = new World();
    // The head commit holds a broken policy: #2 into main brings that edit, #3 into
    // sandbox/x (which already has it) changes no policy file.
    world.headPolicy = {
      text: "gates:\n  cab:\n    stage: pull_request\n    require: { approvals: { count: 0 } }\n",
      sha: "brokensha",
    };
    world.files.set(2, [".github/release-policy.yml"]);
    world.reviews.set(2, [approval("alice")]);
    world.serve();
    const harness = await createHarness();

    await harness.receive("pull_request", pullEvent("opened", 3, "sandbox/x"));
    await harness.receive("pull_request", pullEvent("opened", 2, "main"));

    const record = readVerdicts(world.shown.summary) ?? [];
    expect(record.find((p) => p.number === 2)?.verdict).toBe("failure");
    expect(world.shown.conclusion).toBe("failure");
  });

  test("a passed check that reopens for a second pull request carries the first one's verdict", async () => {
    const world = new World();
    world.serve();
    const harness = await createHarness();
    await harness.receive("pull_request", pullEvent("opened", 3, "sandbox/x"));
    expect(world.shown.conclusion).toBe("success");

    await harness.receive("pull_request", pullEvent("opened", 2, "main"));

    // GitHub cannot reopen a completed run: a fresh one is the latest, with both entries.
    expect(world.runs).toHaveLength(2);
    expect(world.shown.status).toBe("in_progress");
    expect(readVerdicts(world.shown.summary)?.map((p) => [p.number, p.verdict])).toEqual([
      [2, "pending"],
      [3, "success"],
    ]);
  });

  test("a merged pull request keeps its verdict, and no longer holds the others back", async () => {
    const world = new World();
    world.serve();
    const harness = await createHarness();
    await harness.receive("pull_request", pullEvent("opened", 2, "main"));
    await harness.receive("pull_request", pullEvent("opened", 3, "sandbox/x"));

    const merged = pullEvent("closed", 2, "main");
    (merged.pull_request as Record<string, unknown>).merged = true;
    await harness.receive("pull_request", merged);

    expect(world.shown.conclusion).toBe("success");
    expect(readVerdicts(world.shown.summary)).toEqual([
      expect.objectContaining({ number: 2, verdict: "pending", merged: true }),
      expect.objectContaining({ number: 3, verdict: "success" }),
    ]);
  });

  test("a pull request closed unmerged stops holding the others back", async () => {
    const world = new World();
    world.serve();
    const harness = await createHarness();
    await harness.receive("pull_request", pullEvent("opened", 2, "main"));
    await harness.receive("pull_request", pullEvent("opened", 3, "sandbox/x"));
    expect(world.shown.conclusion).not.toBe("success");

    const closed = pullEvent("closed", 2, "main");
    (closed.pull_request as Record<string, unknown>).merged = false;
    await harness.receive("pull_request", closed);

    expect(world.shown.status).toBe("completed");
    expect(world.shown.conclusion).toBe("success");
    expect(readVerdicts(world.shown.summary)?.map((p) => p.number)).toEqual([3]);
  });
});

describe("what ships reads the verdict of the pull request it ships", () => {
  const octokit = (): Octokit =>
    new ProbotOctokit({
      auth: { token: "ghs_test" },
      retry: { enabled: false },
      throttle: { enabled: false },
    }) as unknown as Octokit;
  const repo = { owner: OWNER, repo: "Hello-World", defaultBranch: "main" };

  function runWith(status: string, conclusion: string | null, summary: string): void {
    const run = listedCheckRun(7, {
      status,
      conclusion,
      output: { title: "t", summary },
      head_sha: HEAD,
    });
    api()
      .get(new RegExp(`/commits/${HEAD}/check-runs`))
      .reply(200, { total_count: 1, check_runs: [run] });
  }

  test("a merged pull request whose own verdict failed is not compliant", async () => {
    // The commit's run passes (#3 into sandbox/x passed), but #2 was merged blocked.
    const record = verdictsBlock([
      { number: 2, base: "main", verdict: "failure", title: "Blocked", merged: true },
      { number: 3, base: "sandbox/x", verdict: "success", title: "No gates apply" },
    ]);
    runWith("completed", "success", `table\n\n${record}`);
    await expect(readPolicyCheck(octokit(), APP_ID, repo, HEAD, 2)).resolves.toBe("failure");
  });

  test("a pull request the record does not name has no verdict", async () => {
    const record = verdictsBlock([
      { number: 3, base: "sandbox/x", verdict: "success", title: "No gates apply" },
    ]);
    runWith("completed", "success", record);
    await expect(readPolicyCheck(octokit(), APP_ID, repo, HEAD, 2)).resolves.toBe("missing");
  });
});

/** The merged pull request #7's head is shared with #9 into sandbox/x, which passed. */
class SharedHeadWorld extends DeploymentWorld {
  record = "";

  override checkRuns(headSha?: string) {
    const listed = super.checkRuns(headSha);
    for (const run of listed.check_runs) run.output.summary = `table\n\n${this.record}`;
    return listed;
  }
}

const COMPLIANT_POLICY = `
environments:
  production: {}
gates:
  compliant:
    stage: deployment
    environments: [production]
    require: { compliant_changes: true }
`;

describe("a deployment judges each shipped pull request by its own verdict", () => {
  let world: SharedHeadWorld | undefined;
  afterAll(() => world?.close());

  test("#7 merged blocked is not compliant, though the commit's check passed for #9", async () => {
    world = new SharedHeadWorld(COMPLIANT_POLICY);
    // The commit's run shows success: #9 (into sandbox/x) passed, #7 was merged blocked.
    world.verdict = { status: "completed", conclusion: "success" };
    world.record = verdictsBlock([
      { number: 7, base: "main", verdict: "failure", title: "Blocked", merged: true },
      { number: 9, base: "sandbox/x", verdict: "success", title: "No gates apply" },
    ]);
    const app = await startApp(new MemoryStore(), { now: OPEN });
    await app.receive(
      "deployment_protection_rule",
      protectionRuleRequested({
        runId: RUN_ID,
        environment: "production",
        sha: SHA,
        deploymentId: 55,
      }),
    );
    const answer = bodyOf(world.take(), ANSWER);
    expect(answer).toMatchObject({ state: "rejected" });
    expect(String(answer.comment)).toContain("#7 was merged with release-policy failure");
  });
});

describe("the record cannot be forged through a branch name or a title", () => {
  test("a base branch that would close the hidden block stays inside it", () => {
    const base = 'x--> <!-- release-policy:pulls [{"n":2,"b":"main","v":"success","t":""}] -->';
    const block = verdictsBlock([
      { number: 2, base: "main", verdict: "failure", title: "Blocked" },
      { number: 3, base, verdict: "success", title: "-->" },
    ]);
    expect(block.match(/-->/g)).toHaveLength(1);
    expect(readVerdicts(`summary\n\n${block}`)).toEqual([
      { number: 2, base: "main", verdict: "failure", title: "Blocked" },
      { number: 3, base, verdict: "success", title: "-->" },
    ]);
  });

  test("a record that does not parse names no pull request's pass", () => {
    expect(readVerdicts('<!-- release-policy:pulls [{"n":2}] -->')).toEqual([]);
    expect(readVerdicts("no record")).toBeUndefined();
  });
});

describe("a write another instance overtook", () => {
  test("a pull request judged on the commit but missing from the run is put back, pending if lost", () => {
    const written = [{ number: 3, base: "sandbox/x", verdict: "success" as const, title: "ok" }];
    const onGitHub = [{ number: 2, base: "main", verdict: "failure" as const, title: "Blocked" }];
    expect(repaired(written, onGitHub, [2, 3]).map((p) => [p.number, p.verdict])).toEqual([
      [2, "failure"],
      [3, "success"],
    ]);
    expect(repaired(written, [], [2, 3]).map((p) => [p.number, p.verdict])).toEqual([
      [2, "pending"],
      [3, "success"],
    ]);
  });
});
