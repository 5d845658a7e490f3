// What a deployment brings to its environment: the commits between the environment's last
// successful deployment and the deployed commit, walked along first parents (the branch's
// own history), each with the merged pull requests that brought it. A pull request's branch
// commits sit behind the second parent of its merge commit and are never walked, so they are
// not misread as direct pushes.
//
// Cost, in requests: 1 (the environment's deployments) + 1 per deployment looked at until a
// successful one (usually 1, at most MAX_DEPLOYMENTS_SCANNED) + 1 (compare) + 1 per
// first-parent commit (its pull requests; at most MAX_RANGE_COMMITS). With no earlier
// successful deployment only the deployed commit is looked at: 1 + scanned + 1.
import { MAX_PATTERN_INPUT } from "../model/regex.js";
import type { Octokit } from "../github/types.js";
import type { RepoRef } from "./types.js";

/** First-parent commits looked at; a larger range fails closed instead of costing more. */
export const MAX_RANGE_COMMITS = 20;
/** Earlier deployments to the environment looked at to find the last successful one. */
export const MAX_DEPLOYMENTS_SCANNED = 10;

/** One commit the deployment brings, with the merged pull requests that brought it. */
export interface RangeCommit {
  sha: string;
  /** Pull request numbers; [] = pushed directly to the branch. */
  pulls: number[];
}

export interface DeployedRange {
  /** The environment's last successful deployment before this one; absent when there is none. */
  since?: { sha: string; deploymentId: number };
  /** First-parent commits the deployment brings, newest (the deployed commit) first. */
  commits: RangeCommit[];
  /** The range holds more commits than the app looks at: the gate fails closed. */
  exceeded?: { count: number; limit: number };
}

/** A merged pull request as GitHub lists it for a commit. */
export interface AssociatedPull {
  number: number;
  title: string;
  url: string;
  author: string;
  labels: string[];
  mergedAt: string;
  mergeCommitSha: string | null;
  headSha: string;
  /** Its description, where a change record may be named (absent in holds stored before). */
  body?: string;
  /** Its head branch, e.g. "fix/CHG0012345-login" (absent in holds stored before). */
  branch?: string;
}

/** Where the range ends: one deployment of one commit to one environment. */
export interface RangeTarget {
  repo: RepoRef;
  environment: string;
  sha: string;
  /** The deployment being judged: never its own "last successful deployment". */
  deploymentId: number;
}

export interface CommitParents {
  sha: string;
  parents: string[];
}

/**
 * The first-parent chain from `head` through `commits` (newest first), stopping where a parent
 * is not among them (the range's base). More than `limit` commits: `complete` is false and
 * the chain is cut at `limit`.
 */
export function firstParentChain(
  head: string,
  commits: readonly CommitParents[],
  limit: number,
): { shas: string[]; complete: boolean } {
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  const shas: string[] = [];
  let current = bySha.get(head);
  while (current) {
    if (shas.length === limit) return { shas, complete: false };
    shas.push(current.sha);
    const parent = current.parents[0];
    current = parent === undefined || shas.includes(parent) ? undefined : bySha.get(parent);
  }
  return { shas, complete: true };
}

/** Reads the range and the pull requests that brought its commits. */
export async function readDeployedRange(
  octokit: Octokit,
  target: RangeTarget,
): Promise<{ range: DeployedRange; pulls: AssociatedPull[] }> {
  const since = await lastSuccessfulDeployment(octokit, target);
  const walked = since ? await walk(octokit, target, since.sha) : null;
  // No earlier success, or nothing new since (a redeploy, a rollback): the deployed commit.
  const shas = walked && walked.shas.length > 0 ? walked.shas : [target.sha];
  const exceeded = walked?.exceeded;
  // Above the bound only the deployed commit's pull requests are read: enough to name the
  // change type and the author, not to spend requests on a range that fails anyway.
  const looked = exceeded ? [target.sha] : shas;
  const associated = await Promise.all(
    looked.map((sha) => mergedPullsOf(octokit, target.repo, sha)),
  );
  const pulls = new Map<number, AssociatedPull>();
  for (const pull of associated.flat()) pulls.set(pull.number, pull);
  const range: DeployedRange = {
    ...(since ? { since } : {}),
    commits: looked.map((sha, index) => ({
      sha,
      pulls: (associated[index] ?? []).map((p) => p.number),
    })),
    ...(exceeded ? { exceeded } : {}),
  };
  return { range, pulls: newestFirst([...pulls.values()]) };
}

/**
 * The newest deployment to the environment, other than this one, whose latest status is
 * success (or inactive: superseded after succeeding). GitHub lists deployments newest first.
 */
async function lastSuccessfulDeployment(
  octokit: Octokit,
  target: RangeTarget,
): Promise<DeployedRange["since"]> {
  const at = { owner: target.repo.owner, repo: target.repo.repo };
  const { data } = await octokit.rest.repos.listDeployments({
    ...at,
    environment: target.environment,
    per_page: MAX_DEPLOYMENTS_SCANNED,
  });
  for (const deployment of data) {
    if (deployment.id === target.deploymentId) continue;
    const statuses = await octokit.rest.repos.listDeploymentStatuses({
      ...at,
      deployment_id: deployment.id,
      per_page: 1,
    });
    const state = statuses.data[0]?.state;
    if (state === "success" || state === "inactive") {
      return { sha: deployment.sha, deploymentId: deployment.id };
    }
  }
  return undefined;
}

async function walk(
  octokit: Octokit,
  target: RangeTarget,
  base: string,
): Promise<{ shas: string[]; exceeded?: DeployedRange["exceeded"] }> {
  if (base === target.sha) return { shas: [] };
  // Without paging, compare lists up to 250 commits, oldest first, and says how many there are.
  const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
    owner: target.repo.owner,
    repo: target.repo.repo,
    basehead: `${base}...${target.sha}`,
  });
  if (data.commits.length < data.total_commits) {
    return { shas: [], exceeded: { count: data.total_commits, limit: MAX_RANGE_COMMITS } };
  }
  const commits = data.commits.map((c) => ({ sha: c.sha, parents: c.parents.map((p) => p.sha) }));
  const chain = firstParentChain(target.sha, commits, MAX_RANGE_COMMITS);
  if (chain.complete) return { shas: chain.shas };
  const count = firstParentChain(target.sha, commits, Number.POSITIVE_INFINITY).shas.length;
  return { shas: chain.shas, exceeded: { count, limit: MAX_RANGE_COMMITS } };
}

const newestFirst = (pulls: AssociatedPull[]): AssociatedPull[] =>
  pulls.sort((a, b) => Date.parse(b.mergedAt) - Date.parse(a.mergedAt));

/** The merged pull requests GitHub lists for one commit, most recently merged first. */
export async function mergedPullsOf(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
): Promise<AssociatedPull[]> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner: repo.owner,
    repo: repo.repo,
    commit_sha: sha,
  });
  const merged = data.flatMap((pr) =>
    pr.merged_at
      ? [
          {
            number: pr.number,
            title: pr.title,
            url: pr.html_url,
            author: pr.user?.login ?? "ghost",
            labels: pr.labels.map((label) => label.name),
            mergedAt: pr.merged_at,
            mergeCommitSha: pr.merge_commit_sha ?? null,
            headSha: pr.head.sha,
            // Already in this answer: change-record references are searched in both.
            body: (pr.body ?? "").slice(0, MAX_PATTERN_INPUT),
            branch: pr.head.ref,
          },
        ]
      : [],
  );
  return newestFirst(merged);
}
