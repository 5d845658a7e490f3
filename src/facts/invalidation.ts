// Which event drops which kept fact (fact-cache.ts), next to the facts it drops; the handlers
// call these before they queue the evaluation an event causes. A fact may be reused only
// when every change to it reaches the app as a webhook it subscribes to (app.yml):
//
// | fact (kept per)                      | changed by                           | the event that drops it             |
// | ------------------------------------ | ------------------------------------ | ----------------------------------- |
// | reviews (PR, head)                   | a review submitted, edited,          | pull_request_review (a review that  |
// |                                      | dismissed (also GitHub's dismissal   | only comments changes no gate: see  |
// |                                      | of stale approvals on a push)        | latestReviews, so it drops nothing) |
// | committers, changed files (PR, head) | a new head; a new base branch        | synchronize; edited with a base     |
// |                                      |                                      | change                              |
// | check runs (commit)                  | a run created, re-run, completed     | check_run created/completed of a    |
// |                                      |                                      | check a gate names (others are not  |
// |                                      |                                      | facts); our own writes are kept as  |
// |                                      |                                      | written, without a read             |
// | statuses (commit)                    | a status posted                      | status of a context a gate names    |
// | the PR itself: title, body, labels,  | edits, labels, draft state, closing, | every pull_request event carries it |
// | draft, state, base, head (PR)        | pushes                               | (and reviews do): kept as sent      |
// | reviewer permission (repo, user)     | collaborator and team changes: no    | a review re-reads its reviewer's;   |
// |                                      | subscribed event announces them      | else kept 60 s, as team membership  |
//
// A new head commit (opened, reopened, synchronize) and a person asking ("Re-evaluate",
// "Re-run") drop everything about the head. Every kept fact also expires (FACT_TTL_MS), so
// a lost webhook leaves a stale fact in use for at most that long. A failed read is never
// kept: the evaluation fails closed and the next one reads again.
import { factKeys, headKeys, type FactCache } from "./fact-cache.js";
import type { PullRequestSnapshot } from "./pull-request.js";
import type { RepoRef } from "./types.js";
import type { Octokit } from "../github/types.js";

/** The handlers pass the app's dependencies; only the fact cache is used. */
type Deps = { facts: FactCache };

/** A new head, a reopened pull request, or a person asking: read everything again. */
export function dropHead(deps: Deps, repo: RepoRef, number: number, sha: string): Promise<void> {
  return deps.facts.drop(...headKeys(repo, number, sha), factKeys.snapshot(repo, number));
}

/** A review changed: the reviews, and the reviewer's permission should a gate need it. */
export function dropReviews(
  deps: Deps,
  repo: RepoRef,
  number: number,
  sha: string,
  reviewer: string | undefined,
): Promise<void> {
  const keys = [factKeys.pull(repo, number, sha, "reviews")];
  if (reviewer) keys.push(factKeys.permission(repo, reviewer));
  return deps.facts.drop(...keys);
}

/** The base branch changed: which commits and files the pull request brings changed with it. */
export function dropBaseDependent(
  deps: Deps,
  repo: RepoRef,
  number: number,
  sha: string,
): Promise<void> {
  return deps.facts.drop(
    factKeys.pull(repo, number, sha, "commits"),
    factKeys.pull(repo, number, sha, "files"),
  );
}

export function dropRuns(deps: Deps, repo: RepoRef, sha: string): Promise<void> {
  return deps.facts.drop(factKeys.commit(repo, sha, "runs"));
}

export function dropStatuses(deps: Deps, repo: RepoRef, sha: string): Promise<void> {
  return deps.facts.drop(factKeys.commit(repo, sha, "statuses"));
}

/** The fields the app reads of a pull request: a payload's copy is large. */
export function snapshotOf(pr: PullRequestSnapshot): PullRequestSnapshot {
  return {
    number: pr.number,
    title: pr.title,
    body: pr.body,
    user: pr.user ? { login: pr.user.login } : null,
    ...(pr.draft === undefined ? {} : { draft: pr.draft }),
    state: pr.state,
    ...(pr.merged === undefined ? {} : { merged: pr.merged }),
    base: { ref: pr.base.ref },
    head: { ref: pr.head.ref, sha: pr.head.sha },
    labels: pr.labels.map((label) => ({ name: label.name })),
  };
}

/** Keeps the pull request as an event showed it: later events without it need no read. */
export async function keepSnapshot(
  deps: Deps,
  repo: RepoRef,
  pr: PullRequestSnapshot,
): Promise<PullRequestSnapshot> {
  const snapshot = snapshotOf(pr);
  await deps.facts.put(factKeys.snapshot(repo, pr.number), snapshot);
  return snapshot;
}

/**
 * The pull request for an event whose payload lacks it: as the latest event showed it, or
 * read. `headSha`, when the event names a commit, must be the kept head: otherwise a push
 * may not have reached the app yet, and the pull request is read.
 */
export function keptOrFetched(
  deps: Deps,
  octokit: Octokit,
  repo: RepoRef,
  number: number,
  headSha?: string,
): () => Promise<PullRequestSnapshot> {
  return async () => {
    const kept = await deps.facts.peek<PullRequestSnapshot>(factKeys.snapshot(repo, number));
    if (kept && (headSha === undefined || kept.head.sha === headSha)) return kept;
    const { data } = await octokit.rest.pulls.get({
      owner: repo.owner,
      repo: repo.repo,
      pull_number: number,
    });
    return keepSnapshot(deps, repo, data);
  };
}
