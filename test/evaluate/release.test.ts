import {
  changeRecordOf,
  deploymentProgress,
  evaluateRelease,
  lastEnvironments,
  recordState,
  releaseGateResult,
} from "../../src/evaluate/release.js";
import type { ReleaseFacts } from "../../src/facts/release.js";
import type { Policy } from "../../src/policy/schema.js";
import type { ReleaseDeployment } from "../../src/facts/release-state.js";

const NOW = new Date("2026-11-26T10:00:00Z");
const SHA = "1".repeat(40);

function facts(over: Partial<ReleaseFacts> = {}): ReleaseFacts {
  return {
    repo: { owner: "acme", repo: "shop", defaultBranch: "main" },
    tag: { name: "v1.1.0", sha: SHA, annotated: false },
    pusher: "tom",
    release: { name: "v1.1.0", url: "u", author: "rita", prerelease: false, body: "notes" },
    notes: { found: true, source: "release", where: "u" },
    changes: { pulls: [], direct: [] },
    checklist: { ticks: {} },
    signoffs: [],
    teams: { "acme/rm": ["rachel", "tom", "rita"] },
    deployments: [],
    policy: [{ location: "acme/shop:.github/release-policy.yml", sha: "blob" }],
    ...over,
  };
}

const signoffPolicy = (exclude?: string): Policy => ({
  gates: {
    sign: {
      stage: "release",
      require: {
        signoffs: {
          count: 1,
          from: { teams: ["rm"] },
          ...(exclude === undefined
            ? {}
            : { exclude: exclude === "" ? [] : [exclude as "tagger"] }),
        },
      },
    },
  },
});

const signed = (...users: string[]) =>
  users.map((user) => ({ user, at: "2026-11-26T09:00:00Z", url: "u" }));

const gate = (policy: Policy, f: ReleaseFacts, id: string) =>
  evaluateRelease(policy, f, NOW).gates.find((g) => g.id === id);

describe("sign-offs", () => {
  it.each([
    ["an eligible release manager", undefined, facts({ signoffs: signed("rachel") }), "pass"],
    ["whoever pushed the tag (SoD)", undefined, facts({ signoffs: signed("tom") }), "pending"],
    ["the release's author (SoD)", undefined, facts({ signoffs: signed("rita") }), "pending"],
    ["the tagger, when the policy allows it", "", facts({ signoffs: signed("tom") }), "pass"],
    ["someone outside the team", undefined, facts({ signoffs: signed("mallory") }), "pending"],
    [
      "anyone while the tagger is unknown",
      undefined,
      facts({ pusher: undefined, signoffs: signed("rachel") }),
      "error",
    ],
    [
      "anyone while the team is unknown",
      undefined,
      facts({ teams: {}, signoffs: signed("rachel") }),
      "error",
    ],
  ])("%s", (_, exclude, f, status) => {
    expect(gate(signoffPolicy(exclude), f, "sign")?.status).toBe(status);
  });

  it("counts a person once however often they sign off", () => {
    const policy: Policy = {
      gates: {
        sign: {
          stage: "release",
          require: { signoffs: { count: 2, from: { users: ["a", "b"] } } },
        },
      },
    };
    const result = gate(policy, facts({ signoffs: signed("a", "A", "a") }), "sign");
    expect(result).toMatchObject({ status: "pending", reason: "1 of 2 sign-offs" });
  });
});

describe("tag rules and included changes", () => {
  it("a deleted tag fails the tag rules with who deleted it", () => {
    const f = facts({
      tag: { name: "v1.1.0", annotated: false },
      deleted: { by: "tom", at: "2026-11-26T09:00:00Z" },
      changes: undefined,
    });
    const result = evaluateRelease({ releases: {} }, f, NOW);
    expect(result.gates[0]).toMatchObject({
      id: "tag-rules",
      status: "fail",
      reason: "tag v1.1.0 was deleted by @tom at 2026-11-26T09:00:00Z",
    });
    expect(result.conclusion).toBe("failure");
  });

  const changesPolicy = (allow?: { change_types: string[] }): Policy => ({
    change_types: { standard: { default: true } },
    gates: {
      changes: {
        stage: "release",
        require: { compliant_changes: allow ? { allow_direct_push: allow } : true },
      },
    },
  });
  const direct = { pulls: [], direct: [{ sha: "3".repeat(40), message: "hotfix" }] };

  it.each([
    ["a direct push", changesPolicy(), direct, "fail"],
    [
      "a direct push the default change type may make",
      changesPolicy({ change_types: ["standard"] }),
      direct,
      "pass",
    ],
    [
      "more commits than are judged",
      changesPolicy(),
      { pulls: [], direct: [], exceeded: { count: 300, limit: 100 } },
      "error",
    ],
  ])("%s", (_, policy, changes, status) => {
    expect(gate(policy, facts({ changes }), "changes")?.status).toBe(status);
  });
});

describe("the change record of an included pull request", () => {
  const policy: Policy = {
    gates: {
      record: {
        stage: "pull_request",
        require: { pattern: { regex: "CHG[0-9]{7}", in: ["title", "body"] } },
      },
    },
  };
  it.each([
    [{ title: "Fix CHG0000001", body: "CHG0000002" }, "CHG0000001"],
    [{ title: "Fix", body: "see CHG0000002" }, "CHG0000002"],
    [{ title: "Fix", body: "" }, undefined],
  ])("%j → %s", (pull, expected) => {
    expect(changeRecordOf(policy, pull)).toBe(expected);
  });
});

describe("deployment progress", () => {
  const policy: Policy = {
    environments: { staging: {}, production: { after: "staging" }, dr: { after: "staging" } },
  };
  const d = (
    id: number,
    environment: string,
    state: ReleaseDeployment["state"],
    hour: number,
  ): ReleaseDeployment => ({
    id,
    environment,
    state,
    at: `2026-11-26T${String(hour).padStart(2, "0")}:00:00Z`,
    approvedBy: [],
  });

  it("the last environments are those no other one follows", () => {
    expect(lastEnvironments(policy)).toEqual(["production", "dr"]);
  });

  it.each([
    ["nothing deployed", [], "in_progress"],
    ["staging only", [d(1, "staging", "success", 9)], "in_progress"],
    ["one last environment of two", [d(1, "production", "success", 10)], "in_progress"],
    [
      "both last environments",
      [d(1, "production", "success", 10), d(2, "DR", "success", 11)],
      "completed",
    ],
    ["a failure", [d(1, "staging", "failure", 9)], "failed"],
    [
      "a failure then a success",
      [
        d(1, "production", "failure", 9),
        d(2, "production", "success", 10),
        d(3, "dr", "success", 10),
      ],
      "completed",
    ],
    [
      "a success then a failure",
      [d(1, "production", "success", 9), d(3, "dr", "success", 9), d(2, "production", "error", 10)],
      "failed",
    ],
  ])("%s → %s", (_, deployments, kind) => {
    expect(deploymentProgress(policy, deployments).kind).toBe(kind);
  });

  it("without environments the record is closed by hand", () => {
    expect(deploymentProgress({}, []).kind).toBe("untracked");
  });
});

describe("the release as one gate of a deployment", () => {
  const notesPolicy: Policy = {
    gates: { notes: { stage: "release", require: { release_notes: true } } },
  };
  it.each([
    ["holds", facts(), "pass"],
    ["waits while notes are missing", facts({ notes: { found: false, looked: ["x"] } }), "pending"],
    [
      "fails with its tag",
      facts({ tag: { name: "v1.1.0", annotated: false }, changes: undefined }),
      "fail",
    ],
  ])("%s", (_, f, status) => {
    const result = releaseGateResult(evaluateRelease(notesPolicy, f, NOW), "https://x/issues/5");
    expect(result).toMatchObject({ id: "release", status });
    if (status !== "pass")
      expect(result.fix).toBe("Satisfy the release gates on the release record https://x/issues/5");
  });

  it("carries the release's own gates as its children", () => {
    const release = evaluateRelease(notesPolicy, facts(), NOW);
    expect(releaseGateResult(release).children).toEqual(release.gates);
  });
});

describe("whether the record is open", () => {
  const withEnvs: Policy = { environments: { production: {} }, releases: {} };
  const done: ReleaseDeployment = {
    id: 1,
    environment: "production",
    state: "success",
    at: "2026-11-26T10:00:00Z",
    approvedBy: [],
  };
  it.each([
    [
      "released to the last environment",
      withEnvs,
      facts({ deployments: [done] }),
      "open",
      { state: "closed", reason: "completed" },
    ],
    ["not yet released", withEnvs, facts(), "closed", { state: "open" }],
    [
      "a deleted tag",
      withEnvs,
      facts({ deleted: { by: "t", at: "x" } }),
      "open",
      { state: "closed", reason: "not_planned" },
    ],
    [
      "closed by hand without environments",
      { releases: {} },
      facts(),
      "closed",
      { state: "closed" },
    ],
  ] as const)("%s", (_, policy, f, current, expected) => {
    expect(recordState(evaluateRelease(policy, f, NOW), f, current)).toEqual(expected);
  });
});
