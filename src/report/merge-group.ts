// The `release-policy` check on a merge group's head commit: the merge queue waits on it
// when branch protection requires the check. One table: each pull request and why.
import type { MergeGroupEvaluation } from "../evaluate/merge-group.js";
import type { CheckRunOutput } from "./check-run.js";
import { inline, link, table } from "./markdown.js";

/** How to have a merge group judged again: it has no "Re-evaluate" button. */
const requeue = (once: string) =>
  `Remove the pull request from the merge queue and add it again once ${once}: the new merge group is judged afresh.`;

const ADVISORY_NOTE =
  "**Advisory mode:** the policy's `mode` is `advisory`, so this check is neutral and blocks nothing. Under `mode: enforce` the pull requests below that did not pass would keep this merge group from merging.";

export function renderMergeGroupCheck(evaluation: MergeGroupEvaluation): CheckRunOutput {
  const failing = evaluation.pulls.filter((p) => !p.passed);
  const advisory = evaluation.advisory === true && evaluation.conclusion === "failure";
  const rows = evaluation.pulls.map((p) => [
    link(`#${p.number}`, p.url),
    p.passed ? "✅ pass" : "❌ fail",
    inline(p.reason),
  ]);
  const parts = [
    ...(advisory ? [ADVISORY_NOTE] : []),
    evaluation.conclusion === "success"
      ? "Every pull request in this merge group passed its release-policy check."
      : "This merge group cannot merge: not every pull request in it passed its release-policy check.",
    ...(evaluation.problem ? [inline(evaluation.problem)] : []),
    ...(rows.length > 0 ? [table(["Pull request", "release-policy", "Why"], rows)] : []),
    ...(evaluation.conclusion === "failure" && !advisory
      ? [`**How to fix:** ${requeue("each pull request's own release-policy check passes")}`]
      : []),
  ];
  const named = title(
    evaluation,
    failing.map((p) => p.number),
  );
  return {
    status: "completed",
    conclusion: advisory ? "neutral" : evaluation.conclusion,
    title: advisory ? `Advisory: ${named}` : named,
    summary: parts.join("\n\n"),
  };
}

/** The group could not be judged (the policy or a pull request could not be read). */
export function renderUnjudgedMergeGroup(reason: string): CheckRunOutput {
  return {
    status: "completed",
    conclusion: "failure",
    title: "Merge group could not be judged",
    summary: [
      "The pull requests in this merge group could not be judged, so this check fails rather than let them merge unchecked.",
      `**Why:** ${inline(reason)}`,
      `**How to fix:** ${requeue("GitHub answers again")}`,
    ].join("\n\n"),
  };
}

/** The policy on the default branch is invalid: no pull request passes under it. */
export function renderInvalidPolicyMergeGroup(): CheckRunOutput {
  return {
    status: "completed",
    conclusion: "failure",
    title: "Policy is invalid",
    summary:
      "The release policy on the default branch is invalid, so no pull request can pass under it. The release-policy check of each pull request lists the problems.",
  };
}

function title(evaluation: MergeGroupEvaluation, failing: number[]): string {
  const total = evaluation.pulls.length;
  if (evaluation.conclusion === "success") {
    return total === 1 ? "Pull request passed" : `All ${total} pull requests passed`;
  }
  if (total === 0) return "No pull request to judge";
  if (failing.length === 1) return `#${failing[0]} did not pass`;
  return `${failing.length} of ${total} pull requests did not pass`;
}
