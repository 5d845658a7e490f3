import type { Context } from "probot";
import type { AppDeps } from "./deps.js";
import { evaluate, handleOnce, rememberPusher, repoRefOf, triggerOf } from "./common.js";
import { dropBaseDependent, dropHead, dropReviews, keepSnapshot } from "../facts/invalidation.js";
import { noteMergeLabels } from "../facts/merge-labels.js";
import { leaveCommit } from "../pipeline/pull-request.js";

/** Pull request actions that can change a gate's outcome; others cost nothing. */
export const PULL_REQUEST_ACTIONS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.edited",
  "pull_request.ready_for_review",
  "pull_request.converted_to_draft",
] as const;

/** Label changes: judged like the other actions, and they concern held deployments too. */
export const LABEL_ACTIONS = ["pull_request.labeled", "pull_request.unlabeled"] as const;

/** Actions that bring a head commit the app has not judged (or judged before a close). */
const NEW_HEAD = new Set(["opened", "reopened", "synchronize"]);

export async function onPullRequest(
  deps: AppDeps,
  context: Context<(typeof PULL_REQUEST_ACTIONS)[number] | (typeof LABEL_ACTIONS)[number]>,
): Promise<void> {
  await handleOnce(deps, context, async () => {
    const { payload } = context;
    const { pull_request: pr, repository } = payload;
    const repo = repoRefOf(repository);
    if (payload.action === "synchronize") {
      await rememberPusher(deps, repo, pr.head.sha, payload.sender.login);
      // Its verdict on the commit it left no longer holds back other pull requests there.
      const left = { number: pr.number, sha: payload.before, merged: false };
      await leaveCommit(deps, triggerOf(context, repo), left);
    }
    // Title, body, labels and draft state come with the payload; only a new head or base
    // changes what the kept facts say (src/facts/invalidation.ts).
    if (NEW_HEAD.has(payload.action)) await dropHead(deps, repo, pr.number, pr.head.sha);
    if (payload.action === "edited" && payload.changes.base) {
      await dropBaseDependent(deps, repo, pr.number, pr.head.sha);
    }
    const trigger = triggerOf(context, repo);
    await evaluate(deps, trigger, pr.number, pr, { settle: true });
  });
}

/**
 * A closed (or merged) pull request is not evaluated, but later events without its
 * snapshot (a check completing on its head, a tick) must see that it is closed. A merge's
 * labels are noted: they, not later ones, choose the change type of its deployments.
 */
export async function onPullRequestClosed(
  deps: AppDeps,
  context: Context<"pull_request.closed">,
): Promise<void> {
  const { pull_request: pr, repository } = context.payload;
  const repo = repoRefOf(repository);
  await keepSnapshot(deps, repo, pr);
  if (pr.merged) {
    await noteMergeLabels(deps.store, repo, {
      number: pr.number,
      labels: pr.labels.map((label) => label.name),
      mergeCommitSha: pr.merge_commit_sha ?? null,
    });
  }
  // Other pull requests on its head commit are no longer held back by it; merged, its
  // verdict stays for the deployments and releases that ship it.
  const left = { number: pr.number, sha: pr.head.sha, merged: pr.merged === true };
  await leaveCommit(deps, triggerOf(context, repo), left);
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
  // thread arrives as one): it cannot change a gate, so it costs nothing, and the kept
  // reviews stay valid (latestReviews ignores comment-only reviews).
  if (context.payload.action === "submitted" && context.payload.review.state === "commented") {
    return;
  }
  await handleOnce(deps, context, async () => {
    const { pull_request: pr, repository, review } = context.payload;
    const repo = repoRefOf(repository);
    await dropReviews(deps, repo, pr.number, pr.head.sha, review.user?.login);
    const trigger = triggerOf(context, repo);
    await evaluate(deps, trigger, pr.number, pr, { settle: true });
  });
}
