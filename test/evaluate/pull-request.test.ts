import { evaluatePullRequest } from "../../src/evaluate/pull-request.js";
import { approved, checkRun, NOW, policyOf, pullRequestFacts, review, ticked } from "./builders.js";

const policy = policyOf({
  change_types: {
    standard: { labels: ["change: standard"] },
    emergency: { labels: ["change: emergency"] },
    normal: { default: true },
  },
  gates: {
    "change-record": { stage: "pull_request", require: { pattern: "CHG[0-9]{7}" } },
    tests: {
      stage: "pull_request",
      description: "Test evidence",
      require: { checks: ["build", "test"] },
    },
    cab: {
      stage: "pull_request",
      when: { labels: ["risk: high"], change_types: ["normal"] },
      require: { approvals: { count: 2, from: { teams: ["cab"] } } },
    },
    readiness: {
      stage: "pull_request",
      unless: { change_types: ["standard"] },
      require: {
        checklist: ["Rollback plan documented"],
        labels: { one_of: ["risk: low", "risk: high"] },
      },
    },
  },
});

const compliant = pullRequestFacts({
  title: "CHG0001234: add button",
  labels: ["risk: high"],
  checks: [checkRun("build", "success"), checkRun("test", "success")],
  teams: { "acme/cab": ["carol", "dave"] },
  reviews: [approved("carol"), approved("dave")],
  checklist: { ticks: { "Rollback plan documented": ticked("author") } },
});

describe("evaluatePullRequest", () => {
  it("judges every pull-request gate in file order and concludes success when all hold", () => {
    const evaluation = evaluatePullRequest(policy, compliant, NOW);
    expect(evaluation).toMatchObject({
      conclusion: "success",
      changeType: "normal",
      problems: [],
      evaluatedAt: "2026-03-10T12:00:00.000Z",
    });
    expect(evaluation.gates.map((g) => [g.id, g.status])).toEqual([
      ["change-record", "pass"],
      ["tests", "pass"],
      ["cab", "pass"],
      ["readiness", "pass"],
    ]);
    expect(evaluation.gates[1]?.description).toBe("Test evidence");
  });

  it("is pure: the same input gives the same output, and the clock is the one passed in", () => {
    const later = new Date("2027-01-01T00:00:00Z");
    const a = evaluatePullRequest(policy, compliant, later);
    const b = evaluatePullRequest(policy, compliant, later);
    expect(a).toEqual(b);
    expect(a.evaluatedAt).toBe("2027-01-01T00:00:00.000Z");
  });

  it("skips gates whose conditions say so, with the reason", () => {
    const evaluation = evaluatePullRequest(
      policy,
      { ...compliant, labels: ["risk: high", "change: standard"] },
      NOW,
    );
    expect(evaluation.changeType).toBe("standard");
    expect(evaluation.gates.find((g) => g.id === "cab")).toMatchObject({
      status: "skipped",
      reason: "applies only to change types normal; this change is standard",
    });
    expect(evaluation.gates.find((g) => g.id === "readiness")?.status).toBe("skipped");
    expect(evaluation.conclusion).toBe("success");
  });

  it("pending when a gate waits and none fails", () => {
    const evaluation = evaluatePullRequest(
      policy,
      { ...compliant, reviews: [approved("carol")] },
      NOW,
    );
    expect(evaluation.conclusion).toBe("pending");
  });

  it("failure when any gate fails, whatever else waits", () => {
    const facts = { ...compliant, title: "add button", reviews: [approved("carol")] };
    const evaluation = evaluatePullRequest(policy, facts, NOW);
    expect(evaluation.conclusion).toBe("failure");
  });

  it("failure when a gate cannot be judged", () => {
    const evaluation = evaluatePullRequest(
      policy,
      { ...compliant, teams: {}, reviews: [approved("carol")] },
      NOW,
    );
    expect(evaluation.gates.find((g) => g.id === "cab")?.status).toBe("error");
    expect(evaluation.conclusion).toBe("failure");
  });

  it("a gate with several requirements takes the worst and combines what to do", () => {
    const facts = { ...compliant, labels: [], checklist: { ticks: {} } };
    const readiness = evaluatePullRequest(policy, facts, NOW).gates.find(
      (g) => g.id === "readiness",
    );
    expect(readiness).toEqual({
      id: "readiness",
      stage: "pull_request",
      status: "fail",
      reason: "needs one of the labels `risk: low`, `risk: high`; 0 of 1 checklist item ticked",
      fix: 'Add one of the labels `risk: low`, `risk: high`. Tick "Rollback plan documented" in the checklist comment',
      details: ['"Rollback plan documented": not ticked'],
      // Each requirement kind's own verdict, as a child row of the gate.
      children: [
        {
          id: "labels",
          stage: "pull_request",
          status: "fail",
          reason: "needs one of the labels `risk: low`, `risk: high`",
          fix: "Add one of the labels `risk: low`, `risk: high`",
        },
        {
          id: "checklist",
          stage: "pull_request",
          status: "pending",
          reason: "0 of 1 checklist item ticked",
          fix: 'Tick "Rollback plan documented" in the checklist comment',
          details: ['"Rollback plan documented": not ticked'],
        },
      ],
    });
  });

  it("draft pull requests get no special pass", () => {
    const evaluation = evaluatePullRequest(policy, { ...compliant, draft: true, reviews: [] }, NOW);
    expect(evaluation.gates.find((g) => g.id === "cab")?.status).toBe("pending");
  });

  it("a change request then an approval from the same reviewer", () => {
    const facts = {
      ...compliant,
      reviews: [review("carol", "CHANGES_REQUESTED"), approved("dave"), approved("carol")],
    };
    expect(evaluatePullRequest(policy, facts, NOW).conclusion).toBe("success");
  });

  it("a gate that requires nothing is an error, never a pass", () => {
    const empty = policyOf({ gates: { g: { stage: "pull_request", require: {} } } });
    const evaluation = evaluatePullRequest(empty, pullRequestFacts(), NOW);
    expect(evaluation.gates[0]?.status).toBe("error");
    expect(evaluation.conclusion).toBe("failure");
  });

  it("a policy without gates succeeds with no change type", () => {
    expect(evaluatePullRequest(policyOf({}), pullRequestFacts(), NOW)).toEqual({
      conclusion: "success",
      changeType: null,
      gates: [],
      problems: [],
      evaluatedAt: NOW.toISOString(),
    });
  });
});
