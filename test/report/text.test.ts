import { invalidPolicyEvaluation } from "../../src/pipeline/fail-closed.js";
import { renderText } from "../../src/report/text.js";
import type { Evaluation } from "../../src/model/result.js";

const NOW = new Date("2026-11-26T10:00:00Z");

describe("renderText", () => {
  it("lists the gates that need action first, with why and the fix", () => {
    const evaluation: Evaluation = {
      conclusion: "failure",
      changeType: null,
      evaluatedAt: NOW.toISOString(),
      problems: [],
      gates: [
        {
          id: "tests",
          stage: "pull_request",
          status: "pass",
          reason: "check `test` passed",
          fix: "unused",
        },
        {
          id: "change-record",
          stage: "pull_request",
          description: "A change record is named",
          status: "fail",
          reason: "no CHG number in the title or body",
          fix: "Add the change record number to the title",
        },
      ],
    };
    expect(renderText(evaluation)).toBe(
      [
        "Blocked: 1 gate fails (failure: the change is blocked)",
        "Change type: none (the policy defines no change types)",
        "Evaluated for: 2026-11-26T10:00:00.000Z",
        "",
        "FAIL  change-record (A change record is named)",
        "      why: no CHG number in the title or body",
        "      fix: Add the change record number to the title",
        "PASS  tests",
        "      why: check `test` passed",
        "",
      ].join("\n"),
    );
  });

  it("names each policy problem when the policy could not be used", () => {
    const evaluation = invalidPolicyEvaluation(
      [{ file: "p.yml", line: 3, column: 12, path: "gates.tests.stage", message: "unknown stage" }],
      NOW,
    );
    expect(renderText(evaluation)).toBe(
      "Policy is invalid: no gate was evaluated.\n  p.yml:3:12: gates.tests.stage: unknown stage\n",
    );
  });
});
