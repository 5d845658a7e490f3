import { decisionOf } from "../../src/evaluate/decision.js";
import type { DeploymentEvaluation } from "../../src/evaluate/deployment.js";
import type { GateResult, GateStatus } from "../../src/model/result.js";
import {
  renderNotice,
  renderProtectionComment,
  tally,
} from "../../src/report/protection-comment.js";

function gate(id: string, status: GateStatus): GateResult {
  return { id, stage: "deployment", status, reason: `${id} is ${status}` };
}

function evaluation(
  conclusion: DeploymentEvaluation["conclusion"],
  gates: GateResult[],
): DeploymentEvaluation {
  return {
    environment: "production",
    changeType: "normal",
    conclusion,
    gates,
    problems: [],
    evaluatedAt: "2026-12-02T10:00:00.000Z",
  };
}

describe("the protection rule comment's first line", () => {
  it.each<[DeploymentEvaluation["conclusion"], GateStatus[], string]>([
    [
      "pending",
      ["pass", "pending", "pending"],
      "Release Policy is holding production: 1 of 3 gates pass · waiting on 2.",
    ],
    [
      "pending",
      ["pending"],
      "Release Policy is holding production: 0 of 1 gate passes · waiting on 1.",
    ],
    [
      "failure",
      ["pass", "fail", "skipped"],
      "Release Policy rejected production: blocked by 1 of 2 gates (normal change).",
    ],
    [
      "success",
      ["pass", "pass", "skipped"],
      "Release Policy approved production: 2 of 2 gates pass (normal change).",
    ],
  ])("%s with %j reads %s", (conclusion, statuses, head) => {
    const result = evaluation(
      conclusion,
      statuses.map((s, i) => gate(`g${i}`, s)),
    );
    const comment = renderProtectionComment(result, decisionOf(result));
    expect(comment.split("\n")[0]).toBe(head);
  });

  it('never calls an unmet gate "open"', () => {
    for (const decision of ["approved", "rejected", "waiting"] as const) {
      for (let unmet = 0; unmet <= 3; unmet += 1) {
        expect(tally(decision, 3, unmet)).not.toMatch(/open/);
      }
    }
    expect(renderNotice("waiting", "production", ["No policy yet."])).toBe(
      "Release Policy is holding production.\nNo policy yet.",
    );
  });
});
