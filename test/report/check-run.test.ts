import type { Evaluation, GateResult, PolicyProblem } from "../../src/model/result.js";
import {
  checkRunActions,
  MAX_ANNOTATIONS,
  renderAnnotations,
  renderCheckRun,
} from "../../src/report/check-run.js";
import { GITHUB_TEXT_LIMIT } from "../../src/report/markdown.js";

const AT = "2026-11-26T10:00:00.000Z";

function gate(
  id: string,
  status: GateResult["status"],
  extra: Partial<GateResult> = {},
): GateResult {
  return { id, stage: "pull_request", status, reason: `${id} reason.`, ...extra };
}

function evaluation(
  conclusion: Evaluation["conclusion"],
  gates: GateResult[],
  extra: Partial<Evaluation> = {},
): Evaluation {
  return { conclusion, changeType: "normal", gates, problems: [], evaluatedAt: AT, ...extra };
}

const problem: PolicyProblem = {
  file: "acme/shop:.github/release-policy.yml",
  line: 12,
  column: 5,
  path: "gates.cab.require.approvals.count",
  message: "Too small: expected number to be >=1",
};

describe("renderCheckRun", () => {
  it("renders a small pending evaluation exactly", () => {
    const output = renderCheckRun(
      evaluation("pending", [
        gate("tests", "pass", { reason: "build and test succeeded.", details: ["build: success"] }),
        gate("cab", "pending", {
          description: "CAB approves high-risk changes",
          reason: "1 of 2 approvals from acme/cab.",
          fix: "Ask another member of acme/cab to approve.",
          details: ["Approved by @alice"],
        }),
        gate("pir", "skipped", { reason: "Applies only to emergency changes." }),
      ]),
      { policyLocation: "acme/shop:.github/release-policy.yml" },
    );
    expect(output).toEqual({
      status: "in_progress",
      title: "1 of 2 gates pass · waiting on 1",
      summary: [
        "**Change type:** normal",
        "",
        "| Gate | Status | Why | How to satisfy |",
        "| --- | --- | --- | --- |",
        "| **cab**<br>CAB approves high-risk changes | ⏳ pending | 1 of 2 approvals from acme/cab. | Ask another member of acme/cab to approve. |",
        "| **tests** | ✅ pass | build and test succeeded. | — |",
        "| **pir** | ⏭️ skipped | Applies only to emergency changes. | — |",
        "",
        "<sub>Evaluated 2026-11-26 10:00 UTC under acme/shop:.github/release-policy.yml.</sub>",
      ].join("\n"),
      text: [
        "### tests · ✅ pass",
        "",
        "- build: success",
        "",
        "### cab · ⏳ pending",
        "",
        // Details name people; only the people a gate asks for (its mentions) are mentioned.
        "- Approved by @\u2060alice",
      ].join("\n"),
    });
  });

  it("renders a failing evaluation with an error, without text when no gate has details", () => {
    const output = renderCheckRun(
      evaluation(
        "failure",
        [
          gate("change-record", "fail", { fix: "Add CHG1234567 to the title." }),
          gate("peer-review", "error", { fix: "Re-run the check." }),
        ],
        { changeType: null },
      ),
    );
    expect(output).toEqual({
      status: "completed",
      conclusion: "failure",
      title: "Blocked: 1 gate fails · 1 gate could not be evaluated",
      summary: [
        "**Change type:** none (the policy defines no change types)",
        "",
        "| Gate | Status | Why | How to satisfy |",
        "| --- | --- | --- | --- |",
        "| **change-record** | ❌ fail | change-record reason. | Add CHG1234567 to the title. |",
        "| **peer-review** | ⚠️ error | peer-review reason. | Re-run the check. |",
        "",
        "<sub>Evaluated 2026-11-26 10:00 UTC.</sub>",
      ].join("\n"),
    });
  });

  it.each([
    {
      name: "all pass",
      conclusion: "success" as const,
      statuses: ["pass", "pass", "pass", "pass", "pass"] as const,
      expected: { status: "completed", conclusion: "success", title: "All 5 gates pass" },
    },
    {
      name: "one gate passes, skipped ones not counted",
      conclusion: "success" as const,
      statuses: ["pass", "skipped"] as const,
      expected: { status: "completed", conclusion: "success", title: "1 gate passes" },
    },
    {
      name: "nothing applies",
      conclusion: "success" as const,
      statuses: ["skipped"] as const,
      expected: {
        status: "completed",
        conclusion: "success",
        title: "No gates apply to this change",
      },
    },
    {
      name: "waiting",
      conclusion: "pending" as const,
      statuses: ["pass", "pass", "pass", "pending", "pending"] as const,
      expected: { status: "in_progress", title: "3 of 5 gates pass · waiting on 2" },
    },
    {
      name: "one gate, waiting",
      conclusion: "pending" as const,
      statuses: ["pending"] as const,
      expected: { status: "in_progress", title: "0 of 1 gate passes · waiting on 1" },
    },
    {
      name: "blocked",
      conclusion: "failure" as const,
      statuses: ["pass", "fail", "pending"] as const,
      expected: { status: "completed", conclusion: "failure", title: "Blocked: 1 gate fails" },
    },
    {
      name: "blocked twice",
      conclusion: "failure" as const,
      statuses: ["fail", "fail"] as const,
      expected: { status: "completed", conclusion: "failure", title: "Blocked: 2 gates fail" },
    },
    {
      name: "failure without a failing gate",
      conclusion: "failure" as const,
      statuses: ["pass"] as const,
      expected: { status: "completed", conclusion: "failure", title: "Blocked" },
    },
    // The check never turns green (or merely waits) over a gate that says otherwise.
    {
      name: "success over a failing gate",
      conclusion: "success" as const,
      statuses: ["pass", "fail"] as const,
      expected: { status: "completed", conclusion: "failure", title: "Blocked: 1 gate fails" },
    },
    {
      name: "success over a broken gate",
      conclusion: "success" as const,
      statuses: ["error"] as const,
      expected: {
        status: "completed",
        conclusion: "failure",
        title: "Blocked: 1 gate could not be evaluated",
      },
    },
    {
      name: "success over a waiting gate",
      conclusion: "success" as const,
      statuses: ["pass", "pending"] as const,
      expected: { status: "in_progress", title: "1 of 2 gates pass · waiting on 1" },
    },
    {
      name: "pending over a failing gate",
      conclusion: "pending" as const,
      statuses: ["pending", "fail"] as const,
      expected: { status: "completed", conclusion: "failure", title: "Blocked: 1 gate fails" },
    },
  ])("status and title: $name", ({ conclusion, statuses, expected }) => {
    const output = renderCheckRun(
      evaluation(
        conclusion,
        statuses.map((s, i) => gate(`g${i}`, s)),
      ),
    );
    expect({ status: output.status, conclusion: output.conclusion, title: output.title }).toEqual({
      conclusion: undefined,
      ...expected,
    });
  });

  it("says so when there are no gates", () => {
    const output = renderCheckRun(evaluation("success", []));
    expect(output.title).toBe("No gates apply to this change");
    expect(output.summary).toContain("No gates to evaluate.");
    expect(output.summary).not.toContain("| Gate |");
  });

  it("escapes hostile user text so the table keeps its shape", () => {
    const output = renderCheckRun(
      evaluation(
        "failure",
        [
          gate("readiness", "fail", {
            description: "Ship it | now\n| x | y |",
            reason: 'Label "<script>alert(1)</script>" is not allowed | see\nnext line',
            fix: "Remove <img src=x onerror=alert(1)> and the label `a|b`",
            details: ["@mallory wrote <!-- hidden --> | and\nnewlines"],
          }),
        ],
        { changeType: "nor|mal\n<b>" },
      ),
    );
    const rows = output.summary.split("\n").filter((line) => line.startsWith("|"));
    expect(rows).toEqual([
      "| Gate | Status | Why | How to satisfy |",
      "| --- | --- | --- | --- |",
      '| **readiness**<br>Ship it \\| now \\| x \\| y \\| | ❌ fail | Label "&lt;script&gt;alert(1)&lt;/script&gt;" is not allowed \\| see next line | Remove &lt;img src=x onerror=alert(1)&gt; and the label \\`a\\|b\\` |',
    ]);
    expect(output.summary).toContain("**Change type:** nor\\|mal &lt;b&gt;");
    expect(output.summary).not.toMatch(/<(script|img|b>)/);
    expect(output.text).toBe(
      "### readiness · ❌ fail\n\n- @\u2060mallory wrote &lt;!-- hidden --&gt; \\| and newlines",
    );
  });

  it("is deterministic", () => {
    const make = (): Evaluation =>
      evaluation("pending", [gate("a", "pending", { details: ["x"] }), gate("b", "pass")]);
    expect(JSON.stringify(renderCheckRun(make(), { detailsUrl: "https://x.test" }))).toBe(
      JSON.stringify(renderCheckRun(make(), { detailsUrl: "https://x.test" })),
    );
  });

  it("keeps summary and text within GitHub's byte limit, cut between rows, with a note", () => {
    // Three-byte and four-byte characters, so a naive cut would split one.
    const reason = "€😀".repeat(400);
    const many = Array.from({ length: 60 }, (_, i) =>
      gate(`gate-${i}`, "pending", { reason, fix: reason, details: [reason, reason] }),
    );
    const output = renderCheckRun(evaluation("pending", many), {
      detailsUrl: "https://release-policy.example/runs/1",
    });
    for (const part of [output.summary, output.text ?? ""]) {
      expect(Buffer.byteLength(part, "utf8")).toBeLessThanOrEqual(GITHUB_TEXT_LIMIT);
      expect(Buffer.byteLength(part, "utf8")).toBeGreaterThan(GITHUB_TEXT_LIMIT - 6000);
      expect(part).not.toContain("\uFFFD");
      expect(part).toMatch(
        /\n\n_Truncated: this output is longer than GitHub allows \(65,535 bytes\)\. The full result: \[details\]\(https:\/\/release-policy\.example\/runs\/1\)\._$/,
      );
    }
    const lines = output.summary.split("\n");
    for (const row of lines.filter((line) => line.startsWith("|"))) {
      expect(row.endsWith(" |")).toBe(true);
      expect(row.split(" | ")).toHaveLength(4);
    }
  });

  it("does not truncate output that fits", () => {
    const output = renderCheckRun(evaluation("success", [gate("a", "pass")]));
    expect(output.summary).not.toContain("Truncated");
  });

  describe("with an invalid policy", () => {
    it("fails, lists each problem and says where to fix it", () => {
      const output = renderCheckRun(
        evaluation("success", [gate("a", "pass")], {
          problems: [
            problem,
            {
              file: "acme/.github:.github/release-policy.yml",
              line: 1,
              column: 1,
              path: "",
              message: "Unknown key <gatez>",
            },
          ],
        }),
      );
      expect(output).toEqual({
        status: "completed",
        conclusion: "failure",
        title: "Policy is invalid",
        summary: [
          "The release policy could not be used, so no gate was evaluated and this check fails.",
          "",
          "**Fix .github/release-policy.yml on the default branch.** The policy is always read from there, so a pull request cannot change the rules it is judged by.",
          "",
          "- acme/shop:.github/release-policy.yml:12:5 · gates.cab.require.approvals.count · Too small: expected number to be &gt;=1",
          "- acme/.github:.github/release-policy.yml:1:1 · (top level) · Unknown key &lt;gatez&gt;",
        ].join("\n"),
      });
    });
  });
});

describe("checkRunActions", () => {
  it("offers Re-evaluate within GitHub's limits", () => {
    const actions = checkRunActions();
    expect(actions).toEqual([
      {
        label: "Re-evaluate",
        description: "Evaluate the release policy again",
        identifier: "reevaluate",
      },
    ]);
    for (const action of actions) {
      expect(action.label.length).toBeLessThanOrEqual(20);
      expect(action.description.length).toBeLessThanOrEqual(40);
      expect(action.identifier.length).toBeLessThanOrEqual(20);
    }
  });
});

describe("renderAnnotations", () => {
  it("annotates each problem's line and column on the given path", () => {
    expect(renderAnnotations([problem], ".github/release-policy.yml")).toEqual([
      {
        path: ".github/release-policy.yml",
        start_line: 12,
        end_line: 12,
        start_column: 5,
        end_column: 5,
        annotation_level: "failure",
        message: "Too small: expected number to be >=1",
        title: "gates.cab.require.approvals.count",
      },
    ]);
  });

  it("puts a problem without a position on line 1, without columns", () => {
    expect(renderAnnotations([{ ...problem, line: 0, column: 0, path: "" }], "p.yml")).toEqual([
      {
        path: "p.yml",
        start_line: 1,
        end_line: 1,
        annotation_level: "failure",
        message: problem.message,
        title: "Release policy",
      },
    ]);
  });

  it(`keeps the first ${MAX_ANNOTATIONS}`, () => {
    const problems = Array.from({ length: 70 }, (_, i) => ({ ...problem, line: i + 1 }));
    const annotations = renderAnnotations(problems, "p.yml");
    expect(annotations).toHaveLength(50);
    expect(annotations[49]?.start_line).toBe(50);
  });

  it("keeps titles within 255 characters", () => {
    const [annotation] = renderAnnotations([{ ...problem, path: "k".repeat(300) }], "p.yml");
    expect(annotation?.title).toHaveLength(255);
  });
});
