// Keeping each pull request's verdict in the one check run of their shared head commit
// (model/commit-verdicts.ts). Writes to one commit's run are serialized in the process; the
// store remembers which pull requests joined and left each commit, so that a write that
// raced with another instance's is found and repaired, and a pull request that closed or
// moved to another commit stops holding the others back.
import { readVerdicts, withoutPull, type PullVerdict } from "../model/commit-verdicts.js";
import type { RepoRef } from "../facts/types.js";
import type { Store } from "../store/store.js";

/** As long as a hold may wait on a merged pull request's verdict, and then some. */
const MEMBERS_TTL_MS = 90 * 24 * 60 * 60 * 1000;

const commitKey = (repo: RepoRef, sha: string): string =>
  `${repo.owner}/${repo.repo}@${sha}`.toLowerCase();

/** The pull requests judged on a commit (set), and those that left it ("12", "12:merged"). */
export class CommitMembers {
  constructor(private readonly store: Store) {}

  async join(repo: RepoRef, sha: string, number: number): Promise<void> {
    const key = commitKey(repo, sha);
    await this.store.addToSet(`pulls-on:${key}`, String(number), MEMBERS_TTL_MS);
    // Reopened: it holds the others back again. Merged stays merged, even when judged again
    // for a deployment that waits on it.
    await this.store.removeFromSet(`pulls-left:${key}`, String(number));
  }

  async leave(repo: RepoRef, sha: string, number: number, merged: boolean): Promise<void> {
    const key = commitKey(repo, sha);
    const mark = merged ? `${number}:merged` : String(number);
    await this.store.addToSet(`pulls-left:${key}`, mark, MEMBERS_TTL_MS);
    if (!merged) await this.store.removeFromSet(`pulls-on:${key}`, String(number));
  }

  /** The pull requests judged on the commit and not gone from it. */
  async present(repo: RepoRef, sha: string): Promise<number[]> {
    const key = commitKey(repo, sha);
    const on = await this.store.members(`pulls-on:${key}`);
    return on.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
  }

  /** The record without the pull requests that left the commit (merged ones stay, marked). */
  async current(repo: RepoRef, sha: string, pulls: PullVerdict[]): Promise<PullVerdict[]> {
    const left = await this.store.members(`pulls-left:${commitKey(repo, sha)}`);
    return left.reduce((kept, mark) => {
      const [number, merged] = mark.split(":");
      return withoutPull(kept, Number(number), merged === "merged");
    }, pulls);
  }
}

/**
 * The record a write must keep: `known` (what the run showed) with `fresh` (what GitHub shows
 * now, read when others may have written) for every pull request present but missing; one
 * still missing is recorded as pending, never dropped, so a lost write blocks rather than
 * passes.
 */
export function repaired(
  known: readonly PullVerdict[],
  fresh: readonly PullVerdict[],
  present: readonly number[],
): PullVerdict[] {
  const pulls = [...known];
  for (const number of present) {
    if (pulls.some((p) => p.number === number)) continue;
    pulls.push(
      fresh.find((p) => p.number === number) ?? {
        number,
        base: "?",
        verdict: "pending",
        title: "Not recorded yet: press Re-evaluate on this pull request's check",
      },
    );
  }
  return pulls.sort((a, b) => a.number - b.number);
}

export function recordOf(summary: string | null | undefined): PullVerdict[] {
  return readVerdicts(summary) ?? [];
}

/** Runs one commit's writes one after another in this process. */
export class SerialByKey {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}

/** Every pull request's write to a commit's run goes through here (one per process). */
export const commitWrites = new SerialByKey();

export function commitLockKey(repo: RepoRef, sha: string): string {
  return commitKey(repo, sha);
}
