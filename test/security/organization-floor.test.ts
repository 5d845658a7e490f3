// An organization's required base is a floor: a repository's own file may add gates and
// tighten settings, never loosen segregation of duties, keep stale approvals, or escape an
// organization gate with a change type of its own. Through the real app, the merge rule
// alone, and the command line.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import nock from "nock";
import { main } from "../../src/cli/main.js";
import { loadPolicy } from "../../src/policy/inherit.js";
import { formatProblem } from "../../src/policy/problems.js";
import type { LoadedPolicy, PolicyFile, PolicySource } from "../../src/policy/types.js";
import {
  api,
  bodyOf,
  cleanNock,
  contents,
  createHarness,
  CREATE_RUN,
  example,
  expectBudget,
  github,
  HEAD,
  OWN_RUNS,
  OWNER,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
  RUNS,
  COMMITS,
  REVIEWS,
} from "../integration/harness.js";

const PATH = ".github/release-policy.yml";
const ORG_BASE_URL = `/repos/${OWNER}/.github/contents/.github%2Frelease-policy.yml`;
const OLD_COMMIT = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

/** The organization's base: one approval from the engineering team, required of all. */
const REVIEW_BASE = `required: true
gates:
  review:
    stage: pull_request
    require: { approvals: { count: 1, from: { teams: [eng] } } }
`;

/** A repository's file that fills in the defaults the organization left unsaid, loosely. */
const LOOSE_DEFAULTS = `defaults:
  approvals: { exclude: [] }
  invalidate_on_push: false
`;

/** The organization's base: a change record for normal changes, the default change type. */
const CHANGE_TYPE_BASE = `required: true
change_types:
  normal: { default: true }
gates:
  change-record:
    stage: pull_request
    when: { change_types: [normal] }
    require: { pattern: "CHG[0-9]{7}" }
`;

/** A repository's change type, chosen by a label anyone who can label may set. */
const TRIVIAL_TYPE = `change_types:
  trivial: { labels: [trivial] }
`;

beforeEach(cleanNock);
afterAll(() => nock.restore());

/** GitHub's example pull request in a repository an organization owns. */
function opened(labels: string[] = []): Record<string, unknown> {
  const payload = example("pull_request", "opened");
  const repository = payload.repository as Record<string, unknown>;
  (repository.owner as Record<string, unknown>).type = "Organization";
  (payload.pull_request as Record<string, unknown>).labels = labels.map((name) => ({ name }));
  return payload;
}

const outputOf = (created: Record<string, unknown>) =>
  created.output as { title: string; summary: string };

describe("through the app: a repository under a required base", () => {
  test("cannot make its only committer's stale self-approval count by loosening defaults", async () => {
    const harness = await createHarness();
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(LOOSE_DEFAULTS))
      .get(ORG_BASE_URL)
      .reply(200, contents(REVIEW_BASE, "base-sha"))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });
    // What judging the gate would read, had the loosened policy been accepted: carol, the
    // only committer, approved a commit older than the head.
    api()
      .get(OWN_RUNS)
      .optionally()
      .reply(200, { total_count: 0, check_runs: [] })
      .get(REVIEWS)
      .optionally()
      .reply(200, [
        {
          id: 1,
          user: { login: "carol", type: "User" },
          state: "APPROVED",
          commit_id: OLD_COMMIT,
          submitted_at: "2026-11-26T09:00:00Z",
        },
      ])
      .get(COMMITS)
      .optionally()
      .reply(200, [{ sha: HEAD, author: { login: "carol" }, committer: { login: "web-flow" } }])
      .get(`/orgs/${OWNER}/teams/eng/members?per_page=100`)
      .optionally()
      .reply(200, [{ login: "carol" }])
      .get(RUNS)
      .optionally()
      .reply(200, { total_count: 0, check_runs: [] })
      .get(POLICY_AT_HEAD)
      .optionally()
      .reply(200, contents(LOOSE_DEFAULTS));

    const made = await harness.receive("pull_request", opened());

    expect(scope.pendingMocks()).toEqual([]);
    const created = bodyOf(made, CREATE_RUN);
    expect(created).toMatchObject({ conclusion: "failure" });
    const { title, summary } = outputOf(created);
    expect(title).toBe("Policy is invalid");
    // An invalid policy reads nothing the gates would need.
    expectBudget(made, { reads: { atMost: 4 }, writes: [CREATE_RUN] });
    const own = `${OWNER}/Hello-World:${PATH}`;
    expect(summary).toContain(`${own}:2:25 · defaults.approvals.exclude`);
    expect(summary).toContain("this would let the author and committers approve");
    // The summary is Markdown: underscores are escaped.
    expect(summary).toContain(`${own}:3:23 · defaults.invalidate\\_on\\_push`);
    expect(summary).toContain("a repository may not keep stale approvals");
  });

  test("cannot step around an organization gate with a change type of its own", async () => {
    const harness = await createHarness();
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(TRIVIAL_TYPE))
      .get(ORG_BASE_URL)
      .reply(200, contents(CHANGE_TYPE_BASE, "base-sha"))
      .get(RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(POLICY_AT_HEAD)
      .reply(200, contents(TRIVIAL_TYPE))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const made = await harness.receive("pull_request", opened(["trivial"]));

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, { reads: { atMost: 5 }, writes: [CREATE_RUN] });
    const created = bodyOf(made, CREATE_RUN);
    expect(created).toMatchObject({ conclusion: "failure" });
    const { summary } = outputOf(created);
    expect(summary).toMatch(/change-record\*\*[^\n]*CHG/);
    expect(summary).not.toContain("⏭️");
  });
});

// ---------------------------------------------------------------------------------------
// The merge rule

/** Files by "owner/repo:path". */
function memorySource(files: Record<string, string>): PolicySource {
  return {
    async read(owner, repo, path): Promise<PolicyFile | null> {
      const location = `${owner}/${repo}:${path}`;
      const text = files[location];
      return text === undefined ? null : { location, text };
    },
  };
}

const ORG = `acme/.github:${PATH}`;
const REPO = `acme/svc:${PATH}`;
const yaml = (...lines: string[]): string => `${lines.join("\n")}\n`;
const problems = (loaded: LoadedPolicy): string[] =>
  loaded.kind === "invalid" ? loaded.problems.map(formatProblem) : [];
const load = (files: Record<string, string>) =>
  loadPolicy(memorySource(files), "acme", "svc", { organization: true });

describe("the merge rule: what a repository may add over a required base", () => {
  const base = yaml(
    "required: true",
    "change_types:",
    "  normal: { default: true }",
    '  standard: { labels: ["change: standard"] }',
    "gates:",
    "  cab:",
    "    stage: pull_request",
    "    when: { change_types: [normal] }",
    "    require: { approvals: { count: 2 } }",
    "  always:",
    "    stage: pull_request",
    "    require: { pattern: CHG }",
  );

  it.each([
    [
      "an empty exclusion list",
      yaml("defaults:", "  approvals:", "    exclude: []"),
      `${REPO}:3:14: defaults.approvals.exclude: this would let the author and committers approve, which the organization's required base ${ORG} does not (unsaid there, approvals by author and committers never count); a repository may add exclusions, never remove one: keep "author", "committers"`,
    ],
    [
      "an exclusion list without committers",
      yaml("defaults:", "  approvals: { exclude: [author, pusher] }"),
      `${REPO}:2:25: defaults.approvals.exclude: this would let committers approve, which the organization's required base ${ORG} does not (unsaid there, approvals by author and committers never count); a repository may add exclusions, never remove one: keep "committers"`,
    ],
    [
      "keeping stale approvals",
      yaml("defaults: { invalidate_on_push: false }"),
      `${REPO}:1:33: defaults.invalidate_on_push: this would keep approvals given before a push, which the organization's required base ${ORG} drops (unsaid there, invalidate_on_push is true); a repository may not keep stale approvals: remove this key`,
    ],
  ])("refuses %s, at its line and column", async (_, own, problem) => {
    expect(problems(await load({ [ORG]: base, [REPO]: own }))).toEqual([problem]);
  });

  it("refuses it in a base the repository extends of its own choosing, too", async () => {
    const shared = `acme/shared:${PATH}`;
    const loaded = await load({
      [ORG]: base,
      [REPO]: yaml("_extends: shared"),
      [shared]: yaml("defaults: { invalidate_on_push: false }"),
    });
    expect(problems(loaded)).toEqual([expect.stringMatching(/^acme\/shared:.*:1:33: /)]);
  });

  it("lets a repository tighten what the base leaves unsaid", async () => {
    const own = yaml(
      "defaults:",
      "  approvals: { exclude: [author, committers, pusher] }",
      "  invalidate_on_push: true",
    );
    const loaded = await load({ [ORG]: base, [REPO]: own });
    expect(loaded.kind).toBe("valid");
  });

  it("leaves a base that is not required a base to build on: its repositories chose it", async () => {
    const loaded = await load({
      [ORG]: base.replace("required: true\n", ""),
      [REPO]: yaml("_extends: .github", "defaults: { invalidate_on_push: false }"),
    });
    expect(loaded.kind).toBe("valid");
  });

  it("puts a change type the organization has not heard of under each of its gates that names change types", async () => {
    const own = yaml(
      "change_types:",
      "  trivial: { labels: [trivial] }",
      "gates:",
      "  docs:",
      "    stage: pull_request",
      "    when: { change_types: [normal] }",
      "    require: { pattern: DOC }",
    );
    const loaded = await load({ [ORG]: base, [REPO]: own });
    if (loaded.kind !== "valid") throw new Error(problems(loaded).join("\n"));
    const gates = loaded.policy.gates ?? {};
    expect(gates.cab?.when).toEqual({ change_types: ["normal", "trivial"] });
    // A gate that names no change type already covers every one.
    expect(gates.always?.when).toBeUndefined();
    // The repository's own gates mean what they say.
    expect(gates.docs?.when).toEqual({ change_types: ["normal"] });
  });

  it("leaves a change type the organization defines itself as the organization wrote it", async () => {
    const own = base.replace(
      "  normal: { default: true }",
      "  normal: { default: true }\n  trivial: { labels: [trivial] }",
    );
    const loaded = await load({
      [ORG]: own,
      [REPO]: yaml("change_types:", "  tiny: { labels: [tiny] }"),
    });
    if (loaded.kind !== "valid") throw new Error(problems(loaded).join("\n"));
    expect(loaded.policy.gates?.cab?.when).toEqual({ change_types: ["normal", "tiny"] });
  });
});

// ---------------------------------------------------------------------------------------
// release-policy validate

describe("release-policy validate --bases", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "release-policy-floor-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  async function put(path: string, text: string): Promise<void> {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }

  async function validate(args: string[]) {
    let stdout = "";
    let stderr = "";
    const io = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      cwd: dir,
    };
    const code = await main(["validate", ...args], io);
    return { code, stdout, stderr };
  }

  it("reports a repository's loosened defaults under its organization's required base with file:line:col", async () => {
    await put(`bases/acme/.github/${PATH}`, REVIEW_BASE);
    await put(`svc/${PATH}`, LOOSE_DEFAULTS);

    const merged = await validate(["--bases", "bases", "--repo", "acme/svc", `svc/${PATH}`]);

    expect(merged.code).toBe(1);
    expect(merged.stdout.split("\n")).toEqual([
      expect.stringMatching(
        /^svc\/\.github\/release-policy\.yml:2:25: defaults\.approvals\.exclude: this would let the author and committers approve/,
      ),
      expect.stringMatching(
        /^svc\/\.github\/release-policy\.yml:3:23: defaults\.invalidate_on_push: this would keep approvals given before a push/,
      ),
      "",
    ]);
    // Alone, the same file is valid: only its organization's base makes it a weakening.
    expect((await validate([`svc/${PATH}`])).code).toBe(0);
  });

  it("says OK for a file that only adds to the base", async () => {
    await put(`bases/acme/.github/${PATH}`, REVIEW_BASE);
    await put(`svc/${PATH}`, TRIVIAL_TYPE);
    const merged = await validate(["--bases", "bases", "--repo", "acme/svc", `svc/${PATH}`]);
    expect(merged).toEqual({ code: 0, stdout: `OK svc/${PATH}: 1 gate, merged\n`, stderr: "" });
  });

  it("refuses --repo without --bases", async () => {
    const result = await validate(["--repo", "acme/svc"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--repo needs --bases");
  });
});
