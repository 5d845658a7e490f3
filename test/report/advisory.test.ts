import { decisionOf } from "../../src/evaluate/decision.js";
// Advisory mode end to end through the pure layers: the evaluators mark the evaluation, the
// check run concludes neutral (listing every unmet gate), the protection rule approves and
// says what enforcing would have decided. Enforcing policies are unchanged.
import { evaluateDeployment } from "../../src/evaluate/deployment.js";
import { evaluatePullRequest } from "../../src/evaluate/pull-request.js";
import type { Evaluation } from "../../src/model/result.js";
import { withPolicyEdit } from "../../src/pipeline/policy-edit.js";
import { policySchema } from "../../src/policy/schema.js";
import { renderCheckRun } from "../../src/report/check-run.js";
import {
  renderCommitStatus,
  renderProtectionComment,
} from "../../src/report/protection-comment.js";
import { renderText } from "../../src/report/text.js";
import { NOW, pullRequestFacts, review } from "../evaluate/builders.js";
import { deploymentFacts } from "../evaluate/deployment-builders.js";

const gates = {
  "change-record": { stage: "pull_request", require: { pattern: "CHG[0-9]{7}" } },
  "peer-review": { stage: "pull_request", require: { approvals: { count: 1 } } },
  "release-manager": {
    stage: "deployment",
    environments: ["production"],
    require: { deployment_approval: { count: 1, from: { teams: ["release-managers"] } } },
  },
  "always-closed": {
    stage: "deployment",
    environments: ["production"],
    require: { window: { timezone: "UTC", allow: ["Sat 00:00-00:01"] } },
  },
};
const policyIn = (mode?: "advisory" | "enforce") =>
  policySchema.parse({ ...(mode ? { mode } : {}), gates });

describe("advisory mode: the pull request's check", () => {
  const facts = pullRequestFacts({ title: "No change record" });

  it("concludes neutral, lists every unmet gate and says it blocks nothing", () => {
    const evaluation = evaluatePullRequest(policyIn("advisory"), facts, NOW);
    expect(evaluation).toMatchObject({ conclusion: "failure", advisory: true });
    const out = renderCheckRun(evaluation);
    expect(out).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(out.title).toBe("Advisory, not blocking: would block (1 gate fails)");
    expect(out.summary).toContain("**Advisory mode:**");
    expect(out.summary).toMatch(/\*\*change-record\*\* \| ❌ fail/);
    expect(out.summary).toMatch(/\*\*peer-review\*\* \| ⏳ pending/);
  });

  it("never leaves a merge waiting on a pending gate", () => {
    const titled = pullRequestFacts({ title: "CHG1234567 checkout" });
    const out = renderCheckRun(evaluatePullRequest(policyIn("advisory"), titled, NOW));
    expect(out).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(out.title).toBe("Advisory, not blocking: 1 of 2 gates pass · waiting on 1");
  });

  it("succeeds like an enforcing policy once every gate passes, with no advisory note", () => {
    const done = pullRequestFacts({
      title: "CHG1234567 checkout",
      reviews: [review("reviewer", "APPROVED")],
      permissions: { reviewer: "write" },
    });
    const out = renderCheckRun(evaluatePullRequest(policyIn("advisory"), done, NOW));
    expect(out).toMatchObject({ status: "completed", conclusion: "success" });
    expect(out.summary).not.toContain("Advisory");
  });

  it.each([undefined, "enforce"] as const)("mode %s fails as before", (mode) => {
    const evaluation = evaluatePullRequest(policyIn(mode), facts, NOW);
    expect(evaluation.advisory).toBeUndefined();
    expect(renderCheckRun(evaluation)).toMatchObject({ conclusion: "failure" });
  });

  it("the command line's text says the check blocks nothing", () => {
    const text = renderText(evaluatePullRequest(policyIn("advisory"), facts, NOW));
    expect(text).toContain("Mode: advisory: the check is neutral and blocks nothing");
  });

  it("a pull request that breaks the policy file fails even in advisory mode", () => {
    const evaluation: Evaluation = evaluatePullRequest(policyIn("advisory"), facts, NOW);
    const edited = withPolicyEdit(evaluation, {
      edited: true,
      location: "acme/shop:.github/release-policy.yml",
      problems: [
        {
          file: "acme/shop:.github/release-policy.yml",
          line: 3,
          column: 5,
          path: "gates",
          message: "expected a mapping",
        },
      ],
    });
    expect(edited.advisory).toBeUndefined();
    expect(renderCheckRun(edited)).toMatchObject({ conclusion: "failure" });
  });
});

describe("advisory mode: the protection rule", () => {
  const facts = deploymentFacts({ environment: "production" });

  it("approves what enforcing would hold, saying so and listing each unmet gate", () => {
    const evaluation = evaluateDeployment(policyIn("advisory"), facts, NOW);
    expect(evaluation).toMatchObject({ conclusion: "pending", advisory: true });
    expect(decisionOf(evaluation)).toBe("approved");
    const lines = renderProtectionComment(evaluation, "approved").split("\n");
    expect(lines[0]).toBe(
      "Release Policy approved production (advisory mode; would be held): 0 of 2 gates pass · waiting on 2.",
    );
    expect(lines.filter((l) => l.startsWith("⏳ "))).toHaveLength(2);
    expect(renderCommitStatus("approved", "production", evaluation.gates, true)).toEqual({
      state: "success",
      description: "approved for production (advisory; unmet: release-manager, always-closed)",
    });
  });

  it("approves what enforcing would reject", () => {
    const evaluation = {
      ...evaluateDeployment(policyIn("advisory"), facts, NOW),
      conclusion: "failure" as const,
    };
    expect(decisionOf(evaluation)).toBe("approved");
    expect(renderProtectionComment(evaluation, "approved").split("\n")[0]).toBe(
      "Release Policy approved production (advisory mode; would be rejected): blocked by 2 of 2 gates.",
    );
  });

  it("an enforcing policy still holds", () => {
    const evaluation = evaluateDeployment(policyIn("enforce"), facts, NOW);
    expect(evaluation.advisory).toBeUndefined();
    expect(decisionOf(evaluation)).toBe("waiting");
  });
});
