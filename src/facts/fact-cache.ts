import { randomUUID } from "node:crypto";
import type { Store } from "../store/store.js";
import type { RepoRef } from "./types.js";

/**
 * How long a gathered fact is trusted without an event saying it changed. Every fact kept
 * here is changed only by something GitHub announces with a webhook the app subscribes to
 * (app.yml), and that event drops it; the time to live bounds how long a lost webhook can
 * leave a stale fact in use. The same bound as a cached policy's.
 */
export const FACT_TTL_MS = 10 * 60 * 1000;

/** A kept fact, or the mark an event left when it dropped one. */
interface Entry<T> {
  /** When the read that produced it started, or when it was dropped (ms since the epoch). */
  at: number;
  value?: T;
  dropped?: true;
  /** Makes every drop mark unique, so a read can tell that a drop happened while it ran. */
  mark?: string;
}

function parse<T>(raw: string | null): Entry<T> | null {
  return raw ? (JSON.parse(raw) as Entry<T>) : null;
}

/**
 * Facts kept between events, one store key per fact source, so that refreshing one source
 * never overwrites another (two instances refreshing different sources of one pull request
 * both keep theirs). Values are JSON, so the store may be Redis.
 *
 * An event drops what it can change *before* the evaluation it causes is queued, rather
 * than asking that evaluation to re-read it: coalescing, a failed evaluation or a restart
 * then cannot lose the request; whichever evaluation runs next reads the dropped source.
 * A drop leaves a unique mark, and a read during which a new mark appeared is used for its
 * own evaluation but not kept: an evaluation in flight cannot put back what an event
 * arriving meanwhile dropped. (Across instances the check and the write are two store
 * commands; a drop landing between them is bounded by the time to live.)
 */
export class FactCache {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
    private readonly ttlMs = FACT_TTL_MS,
  ) {}

  /** The kept value of `key`, else `read()`'s (kept for `ttlMs`). A failed read rejects. */
  async through<T>(key: string, read: () => Promise<T>, ttlMs = this.ttlMs): Promise<T> {
    const before = await this.store.get(key);
    const kept = parse<T>(before);
    if (kept && !kept.dropped && kept.value !== undefined) return kept.value;
    const started = this.#now();
    const value = await read();
    const after = await this.store.get(key);
    const latest = parse<T>(after);
    // Changed while reading: a new drop (each mark is unique) wins, and so does a value read
    // later than ours; an older value, or none, is replaced.
    const superseded =
      after !== before && latest !== null && (latest.dropped === true || latest.at >= started);
    if (!superseded) {
      await this.store.set(key, JSON.stringify({ at: started, value } satisfies Entry<T>), ttlMs);
    }
    return value;
  }

  /** The kept value, or undefined: no read. */
  async peek<T>(key: string): Promise<T | undefined> {
    const kept = await this.#entry<T>(key);
    return kept && !kept.dropped ? kept.value : undefined;
  }

  /** Replaces the kept value (what the app itself just wrote is known without a read). */
  async put<T>(key: string, value: T, ttlMs = this.ttlMs): Promise<void> {
    await this.store.set(key, JSON.stringify({ at: this.#now(), value } satisfies Entry<T>), ttlMs);
  }

  /**
   * Changes a kept value by what the app itself just did, keeping when it was read: the
   * rest of the value is as old as before, and expires when it would have.
   */
  async amend<T>(key: string, change: (value: T) => T, ttlMs = this.ttlMs): Promise<void> {
    const kept = await this.#entry<T>(key);
    if (!kept || kept.dropped || kept.value === undefined) return;
    const left = kept.at + ttlMs - this.#now();
    if (left <= 0) return;
    const value = change(kept.value);
    await this.store.set(key, JSON.stringify({ at: kept.at, value } satisfies Entry<T>), left);
  }

  /** Drops the kept values: the next evaluation reads them again. */
  async drop(...keys: string[]): Promise<void> {
    const at = this.#now();
    await Promise.all(
      keys.map((key) => {
        const mark: Entry<never> = { at, dropped: true, mark: randomUUID() };
        return this.store.set(key, JSON.stringify(mark), this.ttlMs);
      }),
    );
  }

  async #entry<T>(key: string): Promise<Entry<T> | null> {
    return parse<T>(await this.store.get(key));
  }

  #now(): number {
    return this.now().getTime();
  }
}

/** Sources kept per pull request and head commit: a new head starts afresh. */
export type PullSource = "reviews" | "commits" | "files";
export const PULL_SOURCES: readonly PullSource[] = ["reviews", "commits", "files"];

/** Sources that belong to a commit, whichever pull request it heads. */
export type CommitSource = "runs" | "statuses";
export const COMMIT_SOURCES: readonly CommitSource[] = ["runs", "statuses"];

const repoKey = (repo: Pick<RepoRef, "owner" | "repo">): string =>
  `${repo.owner}/${repo.repo}`.toLowerCase();

export const factKeys = {
  pull: (repo: Pick<RepoRef, "owner" | "repo">, number: number, sha: string, source: PullSource) =>
    `facts:${repoKey(repo)}#${number}@${sha}:${source}`,
  commit: (repo: Pick<RepoRef, "owner" | "repo">, sha: string, source: CommitSource) =>
    `facts:${repoKey(repo)}@${sha}:${source}`,
  permission: (repo: Pick<RepoRef, "owner" | "repo">, login: string) =>
    `facts:${repoKey(repo)}:permission:${login.toLowerCase()}`,
  /** The pull request as the latest event that carried it showed it. */
  snapshot: (repo: Pick<RepoRef, "owner" | "repo">, number: number) =>
    `facts:${repoKey(repo)}#${number}:pull`,
};

/** Every key of one pull request's head commit: what "read everything again" drops. */
export function headKeys(
  repo: Pick<RepoRef, "owner" | "repo">,
  number: number,
  sha: string,
): string[] {
  return [
    ...PULL_SOURCES.map((source) => factKeys.pull(repo, number, sha, source)),
    ...COMMIT_SOURCES.map((source) => factKeys.commit(repo, sha, source)),
  ];
}
