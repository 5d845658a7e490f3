import { changeTypeGate, selectChangeType } from "../../src/evaluate/change-type.js";
import { evaluatePullRequest } from "../../src/evaluate/pull-request.js";
import { NOW, policyOf, pullRequestFacts } from "./builders.js";

const typed = policyOf({
  change_types: {
    standard: { labels: ["change: standard"] },
    emergency: { labels: ["change: emergency", "hotfix"] },
    normal: { default: true },
  },
});

describe("selectChangeType", () => {
  it.each([
    { labels: ["change: standard"], expected: "standard" },
    { labels: ["hotfix"], expected: "emergency" },
    { labels: ["Change: Emergency"], expected: "emergency" }, // labels compare case-insensitively
    // Both match: the first change type in file order wins, not the first label.
    { labels: ["hotfix", "change: standard"], expected: "standard" },
    { labels: ["unrelated"], expected: "normal" },
    { labels: [], expected: "normal" },
  ])("$labels → $expected", ({ labels, expected }) => {
    expect(selectChangeType(typed, labels)).toBe(expected);
  });

  it("is null when the policy defines no change types", () => {
    expect(selectChangeType(policyOf({}), ["change: standard"])).toBeNull();
  });

  it("is null when no label matches and there is no default", () => {
    const p = policyOf({ change_types: { standard: { labels: ["change: standard"] } } });
    expect(selectChangeType(p, ["other"])).toBeNull();
  });
});

describe("change type pseudo-gate", () => {
  const noDefault = policyOf({
    change_types: {
      standard: { labels: ["change: standard"] },
      emergency: { labels: ["change: emergency"] },
    },
  });

  it("fails, naming the labels to add, when nothing selects a change type", () => {
    const evaluation = evaluatePullRequest(noDefault, pullRequestFacts({ labels: [] }), NOW);
    expect(evaluation.changeType).toBeNull();
    expect(evaluation.conclusion).toBe("failure");
    expect(evaluation.gates[0]).toMatchObject({
      id: "change-type",
      stage: "pull_request",
      status: "fail",
      fix: "Add one of the labels `change: standard`, `change: emergency`",
    });
  });

  it("is absent when a label selects a change type", () => {
    const evaluation = evaluatePullRequest(
      noDefault,
      pullRequestFacts({ labels: ["change: emergency"] }),
      NOW,
    );
    expect(evaluation.changeType).toBe("emergency");
    expect(evaluation.gates).toEqual([]);
    expect(evaluation.conclusion).toBe("success");
  });

  it("is absent when the policy defines no change types", () => {
    expect(changeTypeGate(policyOf({}), null)).toBeNull();
    expect(changeTypeGate(policyOf({ change_types: {} }), null)).toBeNull();
  });
});
