// Opens a post-implementation-review issue, once per pull request, and links it from the pull
// request. A store claim stops concurrent and redelivered events; the issue's hidden marker,
// found by listing the issues with the review label, stops a second issue after a restart
// with an empty store or for a later redeploy of the same commit.
import type { Logger } from "pino";
import type { RepoRef } from "../facts/types.js";
import { SEND_ONCE } from "../github/create.js";
import type { Octokit } from "../github/types.js";
import { reviewMarker } from "../report/review-issue.js";
import type { Store } from "../store/store.js";

/** A review opened is remembered this long; the marker covers any time after. */
const REVIEW_CLAIM_TTL_MS = 90 * 24 * 60 * 60 * 1000;

export interface ReviewIssue {
  pull: number;
  issue: { title: string; body: string };
  /** The first label is the one the app finds its issues by. */
  labels: readonly string[];
  assignees: readonly string[];
  /** The comment on the pull request that links the issue. */
  link: (issue: number) => string;
}

/** The new issue's number; null when the pull request has one already. */
export async function openReviewIssue(
  io: { octokit: Octokit; store: Store; log: Logger },
  repo: RepoRef,
  review: ReviewIssue,
): Promise<number | null> {
  const { octokit, log } = io;
  const claim = `pir:${repo.owner}/${repo.repo}#${review.pull}`.toLowerCase();
  if (!(await io.store.claim(claim, REVIEW_CLAIM_TTL_MS))) return null;
  let number: number;
  try {
    if (await findReviewIssue(octokit, repo, review.labels[0] ?? "", review.pull)) return null;
    const { data } = await octokit.rest.issues.create({
      owner: repo.owner,
      repo: repo.repo,
      ...review.issue,
      labels: [...review.labels],
      ...(review.assignees.length > 0 ? { assignees: [...review.assignees] } : {}),
      // Sent once (github/create.ts): a retry finds the issue by its marker first (above).
      ...SEND_ONCE,
    });
    number = data.number;
  } catch (error) {
    await io.store.delete(claim);
    throw error;
  }
  try {
    await octokit.rest.issues.createComment({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: review.pull,
      body: review.link(number),
      ...SEND_ONCE,
    });
  } catch (error) {
    // The issue names the pull request, which GitHub shows on the pull request's timeline.
    log.warn({ err: error, pr: review.pull, issue: number }, "could not link the review issue");
  }
  log.info(
    { event: "post-implementation-review", pr: review.pull, issue: number },
    "post-implementation review opened",
  );
  return number;
}

/** Whether the app opened a review for the pull request before (the newest 100 labelled issues). */
async function findReviewIssue(
  octokit: Octokit,
  repo: RepoRef,
  label: string,
  pull: number,
): Promise<boolean> {
  const { data } = await octokit.rest.issues.listForRepo({
    owner: repo.owner,
    repo: repo.repo,
    labels: label,
    state: "all",
    per_page: 100,
  });
  const marker = reviewMarker(pull);
  return data.some((issue) => (issue.body ?? "").startsWith(marker));
}
