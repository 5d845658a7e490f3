// The changes a release includes: the commits between the previous release's tag and this
// one, walked along first parents (the branch's own history, so a pull request's branch
// commits are not misread as direct pushes), each with the merged pull request that brought
// it and the release-policy verdict that pull request was merged under.
//
// Cost, in requests: 1 (compare) + 1 per first-parent commit (its pull requests) + 1 per pull
// request (its verdict). The result is kept per range once every verdict is final, so later
// updates of the same release cost nothing here.
import type { Octokit } from "../github/types.js";
import type { Store } from "../store/store.js";
import { firstParentChain } from "./deployed-range.js";
import { readPolicyCheck, type PolicyVerdict } from "./deployment.js";
import type { PreviousTag } from "./release-tag.js";
import type { RepoRef } from "./types.js";

/** First-parent commits looked at; a larger release fails closed instead of costing more. */
export const MAX_RELEASE_COMMITS = 100;
const CHANGES_TTL_MS = 24 * 60 * 60 * 1000;

/** A merged pull request a release includes. */
export interface ReleasedPull {
  number: number;
  title: string;
  /** Searched for the change record reference; capped like every text a pattern reads. */
  body: string;
  url: string;
  author: string;
  labels: string[];
  mergedAt: string;
  /** The app's own check on the pull request's head: the verdict it was merged under. */
  policyCheck: PolicyVerdict;
}

export interface IncludedChanges {
  /** The previous release; absent for the first release (only the tagged commit is looked at). */
  since?: PreviousTag;
  pulls: ReleasedPull[];
  /** First-parent commits no merged pull request brought: pushed directly. */
  direct: { sha: string; message: string }[];
  /** The range holds more commits than the app looks at: compliance cannot be judged. */
  exceeded?: { count: number; limit: number };
}

/** Reads the changes between `since` and `sha`, or the cached result for that range. */
export async function readIncludedChanges(input: {
  octokit: Octokit;
  appId: number;
  store: Store;
  repo: RepoRef;
  sha: string;
  since: PreviousTag | undefined;
}): Promise<IncludedChanges> {
  const { store, repo, sha, since } = input;
  const key = `release-changes:${repo.owner}/${repo.repo}:${since?.sha ?? "root"}..${sha}`;
  const cached = await store.get(key.toLowerCase());
  if (cached) return JSON.parse(cached) as IncludedChanges;
  const changes = await readFresh(input);
  // A verdict still pending may change; every other one is what the pull request merged under.
  if (changes.pulls.every((p) => p.policyCheck !== "pending")) {
    await store.set(key.toLowerCase(), JSON.stringify(changes), CHANGES_TTL_MS);
  }
  return changes;
}

async function readFresh(input: {
  octokit: Octokit;
  appId: number;
  repo: RepoRef;
  sha: string;
  since: PreviousTag | undefined;
}): Promise<IncludedChanges> {
  const { octokit, repo, sha, since } = input;
  const walked = since ? await walk(octokit, repo, since.sha, sha) : { commits: [sha] };
  if (walked.exceeded) {
    return { ...(since ? { since } : {}), pulls: [], direct: [], exceeded: walked.exceeded };
  }
  const associated = await Promise.all(walked.commits.map((c) => pullsOf(octokit, repo, c)));
  const pulls = new Map<number, Omit<ReleasedPull, "policyCheck"> & { headSha: string }>();
  const direct: IncludedChanges["direct"] = [];
  walked.commits.forEach((commit, index) => {
    const found = associated[index] ?? [];
    if (found.length === 0) direct.push({ sha: commit, message: walked.messages?.[commit] ?? "" });
    for (const pull of found) pulls.set(pull.number, pull);
  });
  const judged = await Promise.all(
    [...pulls.values()].map(async ({ headSha, ...pull }) => ({
      ...pull,
      policyCheck: await readPolicyCheck(octokit, input.appId, repo, headSha, pull.number),
    })),
  );
  judged.sort((a, b) => Date.parse(a.mergedAt) - Date.parse(b.mergedAt));
  return { ...(since ? { since } : {}), pulls: judged, direct };
}

interface Walked {
  /** First-parent commits, newest first. */
  commits: string[];
  messages?: Record<string, string>;
  exceeded?: { count: number; limit: number };
}

async function walk(octokit: Octokit, repo: RepoRef, base: string, head: string): Promise<Walked> {
  if (base === head) return { commits: [] };
  // Without paging, compare lists up to 250 commits, oldest first, and says how many there are.
  const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
    owner: repo.owner,
    repo: repo.repo,
    basehead: `${base}...${head}`,
  });
  const limit = MAX_RELEASE_COMMITS;
  if (data.commits.length < data.total_commits) {
    return { commits: [], exceeded: { count: data.total_commits, limit } };
  }
  const parents = data.commits.map((c) => ({ sha: c.sha, parents: c.parents.map((p) => p.sha) }));
  const chain = firstParentChain(head, parents, limit);
  if (!chain.complete) {
    const count = firstParentChain(head, parents, Number.POSITIVE_INFINITY).shas.length;
    return { commits: [], exceeded: { count, limit } };
  }
  const messages = Object.fromEntries(
    data.commits.map((c) => [c.sha, c.commit.message.split("\n")[0] ?? ""]),
  );
  return { commits: chain.shas, messages };
}

/** The merged pull requests GitHub lists for one commit. */
async function pullsOf(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
): Promise<(Omit<ReleasedPull, "policyCheck"> & { headSha: string })[]> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner: repo.owner,
    repo: repo.repo,
    commit_sha: sha,
  });
  return data.flatMap((pr) =>
    pr.merged_at
      ? [
          {
            number: pr.number,
            title: pr.title,
            body: (pr.body ?? "").slice(0, 65_536),
            url: pr.html_url,
            author: pr.user?.login ?? "ghost",
            labels: pr.labels.map((label) => label.name),
            mergedAt: pr.merged_at,
            headSha: pr.head.sha,
          },
        ]
      : [],
  );
}
