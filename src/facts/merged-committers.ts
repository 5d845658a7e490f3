// Who wrote and committed a merged pull request's commits, and what GitHub's list cannot
// show: final once it is merged, so kept in the store and shared by every deployment decision
// that judges an approver against it (segregation of duties), instead of read again for each
// run and each approval.
import type { Octokit } from "../github/types.js";
import type { Store } from "../store/store.js";
import type { AssociatedPull } from "./deployed-range.js";
import { readCommits } from "./committers.js";
import type { CommitterFacts, RepoRef } from "./types.js";

/** As long as GitHub keeps a deployment waiting. */
const MERGED_COMMITTERS_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export type CommittersReader = (repo: RepoRef, pull: AssociatedPull) => Promise<CommitterFacts>;

/** Reads in flight in this process: decisions of a burst share one request per pull request. */
const reading = new Map<string, Promise<CommitterFacts>>();

export function mergedCommittersReader(octokit: Octokit, store: Store): CommittersReader {
  return async (repo, pull) => {
    // The merge commit names the pull request's final state: a reopened and merged-again
    // pull request gets a fresh entry.
    const key =
      `merged-commits:${repo.owner}/${repo.repo}#${pull.number}@${pull.mergeCommitSha ?? ""}`.toLowerCase();
    const cached = await store.get(key);
    if (cached) return JSON.parse(cached) as CommitterFacts;
    let pending = reading.get(key);
    if (!pending) {
      pending = read(octokit, store, key, repo, pull).finally(() => reading.delete(key));
      reading.set(key, pending);
    }
    return pending;
  };
}

async function read(
  octokit: Octokit,
  store: Store,
  key: string,
  repo: RepoRef,
  pull: AssociatedPull,
): Promise<CommitterFacts> {
  const committers = await readCommits(octokit, {
    owner: repo.owner,
    repo: repo.repo,
    pull_number: pull.number,
  });
  await store.set(key, JSON.stringify(committers), MERGED_COMMITTERS_TTL_MS);
  return committers;
}
