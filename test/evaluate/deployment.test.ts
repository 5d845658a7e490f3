import { decisionOf } from "../../src/evaluate/decision.js";
import { describe, expect, it } from "@jest/globals";
import { evaluateDeployment, type DeploymentEvaluation } from "../../src/evaluate/deployment.js";
import type { GateResult } from "../../src/model/result.js";
import { MAX_COMMENT_CHARS, renderProtectionComment } from "../../src/report/protection-comment.js";
import { SHA, WINDOW, deploymentFacts, policy, prior, pull } from "./deployment-builders.js";

// Tuesday 10 March 2026, 13:00 in Berlin: inside Mon-Thu 09:00-16:00.
const OPEN = new Date("2026-03-10T12:00:00Z");
// Friday 13 March 2026, 17:00 in Berlin: outside; the window opens Monday 09:00 CET.
const CLOSED = new Date("2026-03-13T16:00:00Z");
const MONDAY_OPENS = "2026-03-16T08:00:00.000Z";

const CHANGE_TYPES = {
  standard: { labels: ["change: standard"] },
  emergency: { labels: ["change: emergency"] },
  normal: { default: true },
};

function gate(evaluation: DeploymentEvaluation, id: string): GateResult {
  const found = evaluation.gates.find((g) => g.id === id);
  if (!found) throw new Error(`no gate ${id} in ${evaluation.gates.map((g) => g.id).join(", ")}`);
  return found;
}

describe("evaluateDeployment: which gates apply", () => {
  const p = policy({
    change_types: CHANGE_TYPES,
    environments: { staging: {}, production: {} },
    gates: {
      prod: { stage: "deployment", environments: ["production"], require: { window: WINDOW } },
      everywhere: { stage: "deployment", require: { compliant_changes: true } },
      pr: { stage: "pull_request", require: { pattern: "CHG" } },
    },
  });

  it.each([
    ["production", ["prod", "everywhere"]],
    ["Production", ["prod", "everywhere"]],
    ["staging", ["everywhere"]],
    ["qa", ["everywhere"]],
  ])("environment %s gets %j", (environment, ids) => {
    const evaluation = evaluateDeployment(p, deploymentFacts({ environment }), OPEN);
    expect(evaluation.gates.map((g) => g.id)).toEqual(ids);
    expect(evaluation.conclusion).toBe("success");
  });

  it("an environment no gate names passes with no gates", () => {
    const only = policy({
      gates: {
        prod: { stage: "deployment", environments: ["production"], require: { window: WINDOW } },
      },
      environments: { production: {} },
    });
    const evaluation = evaluateDeployment(
      only,
      deploymentFacts({ environment: "staging" }),
      CLOSED,
    );
    expect(evaluation.gates).toEqual([]);
    expect(evaluation.conclusion).toBe("success");
  });
});

describe("window", () => {
  const withWindow = (window: object, unless?: object) =>
    policy({
      change_types: CHANGE_TYPES,
      environments: { production: {} },
      gates: {
        "production-window": {
          stage: "deployment",
          environments: ["production"],
          ...(unless ? { unless } : {}),
          require: { window },
        },
      },
    });

  it("passes inside the window", () => {
    const evaluation = evaluateDeployment(withWindow(WINDOW), deploymentFacts(), OPEN);
    expect(gate(evaluation, "production-window").status).toBe("pass");
    expect(evaluation.recheckAt).toBeUndefined();
  });

  it("waits outside the window and re-checks when it opens", () => {
    const evaluation = evaluateDeployment(withWindow(WINDOW), deploymentFacts(), CLOSED);
    expect(gate(evaluation, "production-window")).toMatchObject({
      status: "pending",
      reason: expect.stringContaining("opens Mon 16 Mar 09:00"),
    });
    expect(evaluation.conclusion).toBe("pending");
    expect(evaluation.recheckAt).toBe(MONDAY_OPENS);
  });

  it("rejects outside the window with outside: reject", () => {
    const evaluation = evaluateDeployment(
      withWindow({ ...WINDOW, outside: "reject" }),
      deploymentFacts(),
      CLOSED,
    );
    expect(gate(evaluation, "production-window").status).toBe("fail");
    expect(evaluation.conclusion).toBe("failure");
    expect(evaluation.recheckAt).toBeUndefined();
  });

  it("rejects during a freeze that outlasts GitHub's 30-day hold", () => {
    const frozen = {
      ...WINDOW,
      freeze: [{ from: "2026-03-01", to: "2026-05-01", reason: "Migration" }],
    };
    const evaluation = evaluateDeployment(withWindow(frozen), deploymentFacts(), OPEN);
    expect(gate(evaluation, "production-window")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("Migration"),
    });
  });

  it.each([
    [["change: emergency"], "skipped"],
    [["change: standard"], "pending"],
    [[], "pending"],
  ])("an emergency bypass via unless: labels %j → %s", (labels, status) => {
    const p = withWindow(WINDOW, { change_types: ["emergency"] });
    const evaluation = evaluateDeployment(
      p,
      deploymentFacts({ pulls: [pull({ labels })] }),
      CLOSED,
    );
    expect(gate(evaluation, "production-window").status).toBe(status);
  });
});

describe("promotion and soak", () => {
  const p = policy({
    environments: { staging: {}, production: { after: "staging", soak: "24h" } },
  });
  const facts = (deployments: Parameters<typeof prior>[0]) =>
    deploymentFacts({ prior: prior(deployments) });

  it("fails when the commit never reached staging", () => {
    const evaluation = evaluateDeployment(p, facts([]), OPEN);
    expect(gate(evaluation, "promotion")).toMatchObject({
      status: "fail",
      fix: expect.stringContaining("Deploy d0d0d0d to staging first"),
    });
  });

  it("fails when the staging deployment failed", () => {
    const failed = { id: 1, createdAt: "2026-03-09T00:00:00Z", state: "failure" as const };
    expect(gate(evaluateDeployment(p, facts([failed]), OPEN), "promotion").status).toBe("fail");
  });

  it("waits while the staging deployment is in progress", () => {
    const running = { id: 1, createdAt: "2026-03-10T11:00:00Z", state: "in_progress" as const };
    expect(gate(evaluateDeployment(p, facts([running]), OPEN), "promotion").status).toBe("pending");
  });

  it("waits for the soak time and re-checks when it ends", () => {
    const ok = {
      id: 1,
      createdAt: "2026-03-10T09:00:00Z",
      state: "success" as const,
      succeededAt: "2026-03-10T10:00:00Z",
    };
    const evaluation = evaluateDeployment(p, facts([ok]), OPEN);
    expect(gate(evaluation, "promotion").status).toBe("pending");
    expect(evaluation.recheckAt).toBe("2026-03-11T10:00:00.000Z");
  });

  it.each(["success", "inactive"] as const)("passes after the soak time (%s)", (state) => {
    const ok = {
      id: 1,
      createdAt: "2026-03-09T09:00:00Z",
      state,
      succeededAt: "2026-03-09T10:00:00Z",
    };
    expect(gate(evaluateDeployment(p, facts([ok]), OPEN), "promotion").status).toBe("pass");
  });

  it("counts from the first success, not from a later redeploy", () => {
    const first = {
      id: 1,
      createdAt: "2026-03-09T09:00:00Z",
      state: "inactive" as const,
      succeededAt: "2026-03-09T10:00:00Z",
    };
    const again = {
      id: 2,
      createdAt: "2026-03-10T11:00:00Z",
      state: "success" as const,
      succeededAt: "2026-03-10T11:30:00Z",
    };
    expect(gate(evaluateDeployment(p, facts([again, first]), OPEN), "promotion").status).toBe(
      "pass",
    );
  });

  it("is an error, never a pass, when the prior deployments were not gathered", () => {
    const evaluation = evaluateDeployment(p, deploymentFacts(), OPEN);
    expect(gate(evaluation, "promotion").status).toBe("error");
    expect(evaluation.conclusion).toBe("failure");
  });
});

describe("deployment_approval", () => {
  const p = (extra: object = {}) =>
    policy({
      environments: { production: {} },
      gates: {
        "release-manager": {
          stage: "deployment",
          environments: ["production"],
          require: {
            deployment_approval: { count: 1, from: { teams: ["release-managers"] }, ...extra },
          },
        },
      },
    });
  const approved = (...users: string[]) =>
    users.map((user) => ({ user, at: "2026-03-10T11:00:00Z" }));

  it.each([
    ["nobody", [], "pending"],
    ["a release manager", ["rm1"], "pass"],
    ["a release manager, other case", ["RM1"], "pass"],
    ["someone outside the team", ["stranger"], "pending"],
    ["the pull request's author (SoD)", ["author"], "pending"],
  ])("approved by %s → %s", (_, users, status) => {
    const evaluation = evaluateDeployment(
      p(),
      deploymentFacts({ approvals: approved(...users) }),
      OPEN,
    );
    expect(gate(evaluation, "release-manager").status).toBe(status);
  });

  it("a committer or the deployer cannot approve (segregation of duties)", () => {
    const facts = deploymentFacts({
      teams: { "acme/release-managers": ["coauthor", "deployer"] },
      approvals: approved("coauthor", "deployer"),
    });
    const result = gate(evaluateDeployment(p(), facts, OPEN), "release-manager");
    expect(result.status).toBe("pending");
    expect(result.details).toEqual([
      "@coauthor committed to #7: segregation of duties, the approval by deployment review does not count",
      "@deployer started this deployment: segregation of duties, the approval by deployment review does not count",
    ]);
  });

  it("each git identity with no linked account takes one more approval", () => {
    const unlinked = { identity: "Rm One <rm1@home.example>", sha: "abcdef0".padEnd(40, "0") };
    const gaps = { committerGaps: { unlinked: [unlinked], truncated: false } };
    const one = deploymentFacts({ pulls: [pull(gaps)], approvals: approved("rm1") });
    const result = gate(evaluateDeployment(p(), one, OPEN), "release-manager");
    expect(result.status).toBe("pending");
    expect(result.reason).toContain("abcdef0 by Rm One <rm1@home.example>");
    const two = deploymentFacts({ pulls: [pull(gaps)], approvals: approved("rm1", "rm2") });
    expect(gate(evaluateDeployment(p(), two, OPEN), "release-manager").status).toBe("pass");
    const notExcluded = p({ exclude: ["author", "deployer"] });
    expect(gate(evaluateDeployment(notExcluded, one, OPEN), "release-manager").status).toBe("pass");
  });

  it("a pull request of 250 commits or more fails: its committers cannot all be read", () => {
    const gaps = { committerGaps: { unlinked: [], truncated: true } };
    const facts = deploymentFacts({ pulls: [pull(gaps)], approvals: approved("rm1", "rm2") });
    const result = gate(evaluateDeployment(p(), facts, OPEN), "release-manager");
    expect(result.status).toBe("fail");
    expect(result.reason).toContain("#7 has 250 commits or more");
  });

  it("exclude: [] lets the author approve", () => {
    const facts = deploymentFacts({ approvals: approved("author") });
    expect(
      gate(evaluateDeployment(p({ exclude: [] }), facts, OPEN), "release-manager").status,
    ).toBe("pass");
  });

  it("needs N distinct approvals", () => {
    const facts = deploymentFacts({ approvals: approved("rm1", "rm1") });
    const result = gate(evaluateDeployment(p({ count: 2 }), facts, OPEN), "release-manager");
    expect(result).toMatchObject({ status: "pending", reason: expect.stringContaining("1 of 2") });
    const both = deploymentFacts({ approvals: approved("rm1", "rm2") });
    expect(gate(evaluateDeployment(p({ count: 2 }), both, OPEN), "release-manager").status).toBe(
      "pass",
    );
  });

  it("an approval that cannot be judged is an error, never a pass", () => {
    const noTeams = deploymentFacts({ teams: {}, approvals: approved("rm1") });
    expect(gate(evaluateDeployment(p(), noTeams, OPEN), "release-manager").status).toBe("error");
    const { deployers, ...noDeployers } = deploymentFacts({ approvals: approved("rm1") });
    expect(deployers).toBeDefined();
    const result = gate(evaluateDeployment(p(), noDeployers, OPEN), "release-manager");
    expect(result.status).toBe("error");
  });
});

describe("compliant_changes", () => {
  const p = (requirement: unknown) =>
    policy({
      change_types: { standard: { default: true }, emergency: { labels: ["change: emergency"] } },
      gates: { compliant: { stage: "deployment", require: { compliant_changes: requirement } } },
    });

  it.each([
    ["success", "pass"],
    ["failure", "fail"],
    ["pending", "pending"],
    ["missing", "fail"],
  ] as const)("a pull request merged with release-policy %s → %s", (policyCheck, status) => {
    const facts = deploymentFacts({ pulls: [pull({ policyCheck })] });
    expect(gate(evaluateDeployment(p(true), facts, OPEN), "compliant").status).toBe(status);
  });

  it("every pull request that brought the commit must have passed", () => {
    const facts = deploymentFacts({ pulls: [pull(), pull({ number: 8, policyCheck: "failure" })] });
    expect(gate(evaluateDeployment(p(true), facts, OPEN), "compliant")).toMatchObject({
      status: "fail",
      reason: "#8 was merged with release-policy failure",
    });
  });

  it.each([
    [true, "fail"],
    [{ allow_direct_push: false }, "fail"],
    [{ allow_direct_push: true }, "pass"],
    [{ allow_direct_push: { change_types: ["standard"] } }, "pass"],
    [{ allow_direct_push: { change_types: ["emergency"] } }, "fail"],
  ])("a direct push with %j → %s", (requirement, status) => {
    const facts = deploymentFacts({ pulls: [] });
    expect(gate(evaluateDeployment(p(requirement), facts, OPEN), "compliant").status).toBe(status);
  });
});

describe("compliant_changes across the deployed range", () => {
  const p = (requirement: unknown) =>
    policy({
      change_types: { standard: { default: true }, emergency: { labels: ["change: emergency"] } },
      gates: { compliant: { stage: "deployment", require: { compliant_changes: requirement } } },
    });
  const A = "a".repeat(40);
  const B = "b".repeat(40);
  const BASE = "0".repeat(40);
  const range = (commits: { sha: string; pulls: number[] }[]) => ({
    since: { sha: BASE, deploymentId: 40 },
    commits,
  });

  it("passes when every commit since the last deployment came through a passing pull request", () => {
    const facts = deploymentFacts({
      pulls: [pull(), pull({ number: 8, mergeCommitSha: A })],
      range: range([
        { sha: SHA, pulls: [7] },
        { sha: A, pulls: [8] },
      ]),
    });
    expect(gate(evaluateDeployment(p(true), facts, OPEN), "compliant")).toMatchObject({
      status: "pass",
      reason:
        "the 2 commits since 0000000 (last deployed to production) came through #7, #8, which passed the release policy",
    });
  });

  it.each([
    [
      true,
      "fail",
      "no merged pull request brought bbbbbbb: it was pushed directly (change type standard)",
    ],
    [{ allow_direct_push: true }, "pass", undefined],
  ])("a direct push inside the range with %j → %s", (requirement, status, reason) => {
    const facts = deploymentFacts({
      pulls: [pull()],
      range: range([
        { sha: SHA, pulls: [7] },
        { sha: B, pulls: [] },
      ]),
    });
    const result = gate(evaluateDeployment(p(requirement), facts, OPEN), "compliant");
    expect(result.status).toBe(status);
    if (reason) expect(result.reason).toBe(reason);
  });

  it("an earlier pull request of the range that failed rejects, and one still pending waits", () => {
    const failing = deploymentFacts({
      pulls: [pull(), pull({ number: 8, policyCheck: "failure" })],
      range: range([
        { sha: SHA, pulls: [7] },
        { sha: A, pulls: [8] },
      ]),
    });
    expect(gate(evaluateDeployment(p(true), failing, OPEN), "compliant")).toMatchObject({
      status: "fail",
      reason: "#8 was merged with release-policy failure",
    });
    const pending = deploymentFacts({
      pulls: [pull(), pull({ number: 8, policyCheck: "pending" })],
      range: range([
        { sha: SHA, pulls: [7] },
        { sha: A, pulls: [8] },
      ]),
    });
    expect(gate(evaluateDeployment(p(true), pending, OPEN), "compliant")).toMatchObject({
      status: "pending",
      reason: "#8's release-policy check is still pending",
    });
  });

  it("fails closed above the bound, saying why", () => {
    const facts = deploymentFacts({
      range: { ...range([{ sha: SHA, pulls: [7] }]), exceeded: { count: 31, limit: 20 } },
    });
    expect(gate(evaluateDeployment(p(true), facts, OPEN), "compliant")).toMatchObject({
      status: "fail",
      reason: "the deployment brings 31 commits to production; the app checks at most 20",
    });
  });

  it("the change type comes from the deployed commit's pull request, not an earlier one in the range", () => {
    const facts = deploymentFacts({
      pulls: [pull({ number: 8, mergeCommitSha: A, labels: ["change: emergency"] }), pull()],
      range: range([
        { sha: SHA, pulls: [7] },
        { sha: A, pulls: [8] },
      ]),
    });
    const result = evaluateDeployment(p(true), facts, OPEN);
    expect(result.changeType).toBe("standard");
    expect(result.pull?.number).toBe(7);
  });
});

describe("sign-offs by comment", () => {
  const p = (count: number) =>
    policy({
      environments: { production: {} },
      gates: {
        "release-manager": {
          stage: "deployment",
          environments: ["production"],
          require: {
            deployment_approval: { count, from: { teams: ["release-managers"] } },
          },
        },
      },
    });
  const review = (user: string) => ({ user, at: "2026-03-10T12:00:00Z", via: "review" as const });
  const comment = (user: string) => ({ user, at: "2026-03-10T12:01:00Z", via: "comment" as const });

  it("one review and one comment make two approvals", () => {
    const facts = deploymentFacts({ approvals: [review("rm1"), comment("rm2")] });
    const result = evaluateDeployment(p(2), facts, OPEN);
    expect(gate(result, "release-manager")).toMatchObject({
      status: "pass",
      reason: "2 of 2 deployment approvals from team release-managers",
    });
    expect(result.signOffs).toEqual([
      "release-manager: signed off: @rm1 by deployment review, @rm2 by comment",
    ]);
  });

  it("comments alone do not approve: one approval must come through Review deployments", () => {
    const facts = deploymentFacts({ approvals: [comment("rm1"), comment("rm2")] });
    expect(gate(evaluateDeployment(p(2), facts, OPEN), "release-manager")).toMatchObject({
      status: "pending",
      reason:
        "0 of 2 deployment approvals from team release-managers: sign-offs by comment count once one approval is given through Review deployments",
    });
  });

  it("a comment by the author, or by someone outside the team, does not count, and says why", () => {
    const facts = deploymentFacts({
      approvals: [review("rm1"), comment("author"), comment("outsider")],
    });
    const result = evaluateDeployment(p(2), facts, OPEN);
    expect(gate(result, "release-manager").status).toBe("pending");
    expect(result.signOffs).toEqual([
      "release-manager: signed off: @rm1 by deployment review; not counted: @author by comment (authored the pull request), @outsider by comment (not team release-managers)",
    ]);
    const comment2 = renderProtectionComment(result, "waiting");
    // Who signed off is named, not mentioned: only the people a gate asks for are.
    expect(comment2).toContain("@\u2060author by comment (authored the pull request)");
    expect(comment2).toContain('or comment "/approve production" on the pull request');
  });
});

describe("decision and comment", () => {
  it("a failing gate rejects even while another waits", () => {
    const p = policy({
      environments: { production: {} },
      gates: {
        window: { stage: "deployment", require: { window: WINDOW } },
        compliant: { stage: "deployment", require: { compliant_changes: true } },
      },
    });
    const facts = deploymentFacts({ pulls: [pull({ policyCheck: "failure" })] });
    const evaluation = evaluateDeployment(p, facts, CLOSED);
    expect(decisionOf(evaluation)).toBe("rejected");
    expect(evaluation.recheckAt).toBeUndefined();
    const comment = renderProtectionComment(evaluation, "rejected", { link: "https://x/pull/7" });
    expect(comment).toContain("❌ compliant: #7 was merged with release-policy failure");
    expect(comment).toContain("⏳ window:");
    expect(comment.endsWith("Details: https://x/pull/7")).toBe(true);
  });

  it("the comment stays within 1024 characters and names every unmet gate it can", () => {
    const gates = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [
        `gate-${i}-${"x".repeat(40)}`,
        {
          stage: "deployment",
          require: { deployment_approval: { count: 1, from: { users: ["rm1"] } } },
        },
      ]),
    );
    const evaluation = evaluateDeployment(policy({ gates }), deploymentFacts(), OPEN);
    const comment = renderProtectionComment(evaluation, "waiting", { link: "https://x/pull/7" });
    expect([...comment].length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(comment).toMatch(/… and \d+ more unmet gates/);
    expect(comment).toContain("Details: https://x/pull/7");
  });
});

describe("the release gate of a deployment of a tagged commit", () => {
  const open = policy({ gates: {} });
  const release = (status: GateResult["status"]): GateResult => ({
    id: "release",
    stage: "release",
    status,
    reason: "release v1.2.0",
    children: [{ id: "notes", stage: "release", status, reason: "notes" }],
  });

  it("is one gate among the deployment's, with the release's gates as its children", () => {
    const evaluation = evaluateDeployment(open, deploymentFacts(), OPEN, release("pass"));
    expect(evaluation.gates).toEqual([release("pass")]);
    expect(evaluation.conclusion).toBe("success");
  });

  it("holds the deployment while the release waits on people", () => {
    const evaluation = evaluateDeployment(open, deploymentFacts(), OPEN, release("pending"));
    expect(evaluation).toMatchObject({ conclusion: "pending", awaitsEvent: true });
  });

  it("rejects it while the release fails", () => {
    expect(evaluateDeployment(open, deploymentFacts(), OPEN, release("fail")).conclusion).toBe(
      "failure",
    );
  });
});
