// Approvals of a held deployment as GitHub records them: the run's deployment reviews
// (`GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`). GitHub's record is the truth;
// the `deployment_review` webhook is a trigger to look, and the app's own ledger of what it
// saw (holds/approvals.ts) only adds what GitHub's record does not carry: when the app first
// saw each approval, and sign-offs by comment.
import type { Octokit } from "../github/types.js";
import type { DeploymentApprovalFact, DeploymentRequest } from "./deployment.js";
import { sameName } from "../model/names.js";

/** The run's reviews for one environment, as GitHub records them. */
export interface DeploymentReviews {
  approvals: DeploymentApprovalFact[];
  /** Who rejected the deployment: GitHub then fails the job, and nothing waits any more. */
  rejectedBy?: string;
}

/**
 * The run's deployment reviews for the request's environment. GitHub's record carries no
 * time: `seenAt` stands in for when each approval was given.
 */
export async function readDeploymentReviews(
  octokit: Octokit,
  request: DeploymentRequest,
  seenAt: Date,
): Promise<DeploymentReviews> {
  const { data } = await octokit.rest.actions.getReviewsForRun({
    owner: request.repo.owner,
    repo: request.repo.repo,
    run_id: request.runId,
  });
  const forEnvironment = data.filter((review) =>
    review.environments.some((env) => env.name && sameName(env.name, request.environment)),
  );
  const rejection = forEnvironment.find((review) => review.state === "rejected");
  return {
    approvals: forEnvironment
      .filter((review) => review.state === "approved")
      .map((review) => ({ user: review.user.login, at: seenAt.toISOString(), via: "review" })),
    ...(rejection ? { rejectedBy: rejection.user.login } : {}),
  };
}

/**
 * GitHub's reviews and the ledger, one entry per person. A review wins over a sign-off by
 * comment of the same person (it anchors the count); the ledger's review entry wins over
 * GitHub's (it knows when the approval was first seen); GitHub's reviews add what the ledger
 * missed (a webhook that never arrived, a store that was lost).
 */
export function mergeApprovals(
  ledger: readonly DeploymentApprovalFact[],
  reviews: readonly DeploymentApprovalFact[],
): DeploymentApprovalFact[] {
  const isReview = (approval: DeploymentApprovalFact): boolean => approval.via !== "comment";
  const byUser = new Map<string, DeploymentApprovalFact>();
  for (const approval of [...ledger.filter(isReview), ...reviews, ...ledger]) {
    const user = approval.user.toLowerCase();
    if (!byUser.has(user)) byUser.set(user, approval);
  }
  return [...byUser.values()];
}
