// The merge group's check, from facts to what GitHub shows: pure, no requests.
import { evaluateMergeGroup } from "../../src/evaluate/merge-group.js";
import type { MergeGroupFacts, QueuedPull } from "../../src/facts/merge-group.js";
import type { PolicyVerdict } from "../../src/facts/deployment.js";
import { renderMergeGroupCheck } from "../../src/report/merge-group.js";

const pull = (number: number, verdict: PolicyVerdict): QueuedPull => ({
  number,
  url: `https://github.com/acme/shop/pull/${number}`,
  state: "open",
  baseBranch: "main",
  headSha: `${number}`.padStart(40, "a"),
  verdict,
});
const group = (...pulls: QueuedPull[]): MergeGroupFacts => ({
  baseBranch: "main",
  headSha: "f".repeat(40),
  pulls,
});

test("every pull request passed: success", () => {
  const output = renderMergeGroupCheck(
    evaluateMergeGroup(group(pull(7, "success"), pull(8, "success"))),
  );
  expect(output).toMatchObject({
    status: "completed",
    conclusion: "success",
    title: "All 2 pull requests passed",
  });
});

test("an advisory verdict (neutral) does not pass an enforcing policy's merge group", () => {
  const output = renderMergeGroupCheck(evaluateMergeGroup(group(pull(7, "neutral"))));
  expect(output).toMatchObject({ conclusion: "failure", title: "#7 did not pass" });
  expect(output.summary).toContain("advisory, it would not pass under mode: enforce");
  expect(output.summary).toContain("**How to fix:**");
});

test("under an advisory policy the group's check is neutral and says what would block", () => {
  const evaluation = evaluateMergeGroup(group(pull(7, "success"), pull(8, "neutral")), {
    advisory: true,
  });
  expect(evaluation.conclusion).toBe("failure");
  const output = renderMergeGroupCheck(evaluation);
  expect(output).toMatchObject({ conclusion: "neutral", title: "Advisory: #8 did not pass" });
  expect(output.summary).toContain("**Advisory mode:**");
  expect(output.summary).not.toContain("**How to fix:**");
  // Passing under an advisory policy is plain success.
  expect(
    renderMergeGroupCheck(evaluateMergeGroup(group(pull(7, "success")), { advisory: true })),
  ).toMatchObject({ conclusion: "success", title: "Pull request passed" });
});

test("a closed pull request, and no pull request at all, fail", () => {
  const closed = { ...pull(7, "success"), state: "closed" as const };
  expect(renderMergeGroupCheck(evaluateMergeGroup(group(closed)))).toMatchObject({
    conclusion: "failure",
    title: "#7 did not pass",
  });
  const none = renderMergeGroupCheck(evaluateMergeGroup(group()));
  expect(none).toMatchObject({ conclusion: "failure", title: "No pull request to judge" });
  expect(none.summary).toContain("does not name a pull request for this base branch");
});
