// Which check run the app made on a commit, kept beside GitHub's list of check runs. When
// that list cannot be read, the record still tells whether the app has a run there, so the
// check that says why the pull request could not be judged is written without a second run.
import type { ShownRun } from "../facts/checks.js";
import type { RepoRef } from "../facts/types.js";
import type { Store } from "../store/store.js";
import { CHECK_NAME } from "../facts/checks.js";

/** As long as a head commit is likely judged again. */
const RECORD_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** A create failed without an answer: the run may exist, and only GitHub's list can say. */
const UNSURE = "unsure";

export type OwnRunKnown = { kind: "run"; id: number } | { kind: "none" } | { kind: "unsure" };

export class OwnRunRecords {
  constructor(private readonly store: Store) {}

  async made(repo: RepoRef, sha: string, id: number): Promise<void> {
    await this.store.set(keyOf(repo, sha), String(id), RECORD_TTL_MS);
  }

  async unsure(repo: RepoRef, sha: string): Promise<void> {
    await this.store.set(keyOf(repo, sha), UNSURE, RECORD_TTL_MS);
  }

  async recall(repo: RepoRef, sha: string): Promise<OwnRunKnown> {
    const value = await this.store.get(keyOf(repo, sha));
    if (value === null) return { kind: "none" };
    if (value === UNSURE) return { kind: "unsure" };
    return { kind: "run", id: Number(value) };
  }
}

/**
 * A run known by its id only: it compares unequal to any output, so the next write updates
 * it (in place: it does not count as completed, which would make the write a new run).
 */
export function recordedRun(id: number, appId: number): ShownRun {
  return {
    id,
    name: CHECK_NAME,
    app: { id: appId },
    status: "queued",
    conclusion: null,
    output: { title: "", summary: "", text: null, annotations_count: 0 },
  };
}

function keyOf(repo: RepoRef, sha: string): string {
  return `own-run:${repo.owner}/${repo.repo}@${sha}`.toLowerCase();
}
