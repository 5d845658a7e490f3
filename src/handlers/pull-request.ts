import type { Context } from "probot";
import type { AppDeps } from "../app-deps.js";
import { evaluate, oncePerDelivery, rememberPusher, repoRefOf } from "./common.js";

/** Pull request actions that can change a gate's outcome; others cost nothing. */
export const PULL_REQUEST_ACTIONS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.edited",
  "pull_request.labeled",
  "pull_request.unlabeled",
  "pull_request.ready_for_review",
  "pull_request.converted_to_draft",
] as const;

export async function onPullRequest(
  deps: AppDeps,
  context: Context<(typeof PULL_REQUEST_ACTIONS)[number]>,
): Promise<void> {
  await oncePerDelivery(deps, context, async () => {
    const { pull_request: pr, repository } = context.payload;
    const repo = repoRefOf(repository);
    if (context.payload.action === "synchronize") {
      await rememberPusher(deps, repo, pr.head.sha, context.payload.sender.login);
    }
    await evaluate(deps, { octokit: context.octokit, log: context.log, repo }, pr.number, pr);
  });
}

export const REVIEW_ACTIONS = [
  "pull_request_review.submitted",
  "pull_request_review.edited",
  "pull_request_review.dismissed",
] as const;

export async function onReview(
  deps: AppDeps,
  context: Context<(typeof REVIEW_ACTIONS)[number]>,
): Promise<void> {
  // A review that only comments neither approves nor blocks (every reply to a review
  // thread arrives as one): it cannot change a gate, so it costs nothing.
  if (context.payload.action === "submitted" && context.payload.review.state === "commented") {
    return;
  }
  await oncePerDelivery(deps, context, async () => {
    const { pull_request: pr, repository } = context.payload;
    const repo = repoRefOf(repository);
    await evaluate(deps, { octokit: context.octokit, log: context.log, repo }, pr.number, pr);
  });
}
