// The post-implementation-review issue: opened once an emergency (or any change type the
// policy names) reaches its environment, with a task list the team works through, and the
// link left on the pull request. A hidden marker names the pull request, so the app finds its
// own issue again without memory.
import type { DeploymentApprovalFact } from "../facts/deployment.js";
import { inline, mention } from "./markdown.js";
import { unmention, unreference } from "./mentions.js";

export const DEFAULT_REVIEW_CHECKLIST: readonly string[] = [
  "Root cause of the incident identified",
  "What was changed, and why it could not wait, recorded in the change record",
  "Change approved retroactively by the change authority",
  "Follow-up work raised (tests, monitoring, runbook)",
  "Lessons learned shared with the team",
];

export const DEFAULT_REVIEW_LABEL = "post-implementation-review";

/** The marker the issue body starts with: one issue per repository and pull request. */
export function reviewMarker(pull: number): string {
  return `<!-- release-policy:post-implementation-review:#${pull} -->`;
}

export interface ReviewIssueInput {
  changeType: string;
  pull: { number: number; title: string; url: string; author: string };
  environment: string;
  deployment: { id: number; sha: string; url?: string; at: string };
  approvals: readonly DeploymentApprovalFact[];
  checklist: readonly string[];
}

const via = (a: DeploymentApprovalFact): string =>
  a.via === "comment" ? "comment" : "deployment review";

export function renderReviewIssue(input: ReviewIssueInput): { title: string; body: string } {
  const { pull, deployment } = input;
  const when = deployment.at.slice(0, 16).replace("T", " ");
  const where = deployment.url ? ` ([run](${deployment.url}))` : "";
  const approvals =
    input.approvals.length > 0
      ? input.approvals.map((a) => `${mention(a.user)} (${via(a)})`).join(", ")
      : "none recorded by Release Policy (see the deployment's review history)";
  const body = [
    reviewMarker(pull.number),
    // The author and the approvers are mentioned on purpose: they are asked to review.
    `The ${inline(input.changeType)} change #${pull.number} (${pull.url}) by ${mention(pull.author)} reached **${inline(input.environment)}** on ${when} UTC.`,
    "",
    `- Deployment: ${deployment.id} of \`${deployment.sha.slice(0, 7)}\`${where}`,
    `- Approved by: ${approvals}`,
    "",
    "Review the change now that it runs, then close this issue:",
    "",
    ...input.checklist.map((item) => `- [ ] ${inline(item)}`),
  ].join("\n");
  const title = `Post-implementation review: ${unreference(unmention(pull.title))} (#${pull.number})`;
  return { title, body };
}

/** The comment on the pull request that links its review issue. */
export function renderReviewLink(issue: number, changeType: string, environment: string): string {
  return [
    `<!-- release-policy:post-implementation-review-link:#${issue} -->`,
    `This ${inline(changeType)} change reached ${inline(environment)}: its post-implementation review is #${issue}.`,
  ].join("\n");
}
