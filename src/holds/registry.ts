// Held deployments: those a gate keeps waiting (an approval, a window, a soak time). They live
// in the Store so that a restart, or another instance sharing a Redis store, picks them up.
// The Store cannot list keys, so an index set names every hold, and one set per pull request
// names the holds of the commits it brought: a sign-off comment or a change of the pull
// request's check finds the holds it may move without a request.
import type { AssociatedPull } from "../facts/deployed-range.js";
import type { DeploymentRequest } from "../facts/deployment.js";
import type { RepoRef } from "../facts/types.js";
import type { Store } from "../store/store.js";

/** GitHub keeps a deployment waiting for a protection rule at most 30 days. */
export const HOLD_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const INDEX_KEY = "holds:index";

export interface Hold {
  key: string;
  request: DeploymentRequest;
  /** ISO 8601: when to re-check without an event (window opens, soak ends, retry). */
  recheckAt?: string;
  /** The last status comment posted, so an unchanged one is not posted again. */
  lastComment?: string;
  /** Status comments posted: GitHub allows 10 per deployment, the decision included. */
  comments: number;
  /** Consecutive transient failures, for back-off. */
  failures: number;
  createdAt: string;
  /** The merged pull requests that brought the deployed commits, by number. */
  pulls?: number[];
  /**
   * The pull requests that brought the deployed commit, as the last decision read them:
   * a re-check reuses them. Dropped when one of them is relabelled (its labels choose the
   * change type).
   */
  associated?: AssociatedPull[];
}

/** One hold per run and environment: a re-run of the job replaces the earlier request. */
export function holdKey(
  request: Pick<DeploymentRequest, "repo" | "runId" | "environment">,
): string {
  const { repo, runId, environment } = request;
  return `${repo.owner}/${repo.repo}:${runId}:${environment}`.toLowerCase();
}

const pullIndexKey = (repo: RepoRef, pull: number): string =>
  `holds:pull:${repo.owner}/${repo.repo}#${pull}`.toLowerCase();

export class HoldRegistry {
  constructor(private readonly store: Store) {}

  async get(key: string): Promise<Hold | null> {
    const raw = await this.store.get(`hold:${key}`);
    return raw ? (JSON.parse(raw) as Hold) : null;
  }

  async put(hold: Hold): Promise<void> {
    // A hold outlives what its webhook said of the repository's visibility: a re-check from
    // the store must not restate an old one (the release desk reads it).
    const repo = { ...hold.request.repo };
    delete repo.visibility;
    const kept: Hold = { ...hold, request: { ...hold.request, repo } };
    await this.store.set(`hold:${hold.key}`, JSON.stringify(kept), HOLD_TTL_MS);
    await this.store.addToSet(INDEX_KEY, hold.key, HOLD_TTL_MS);
    for (const pull of hold.pulls ?? []) {
      await this.store.addToSet(pullIndexKey(hold.request.repo, pull), hold.key, HOLD_TTL_MS);
    }
  }

  async remove(key: string): Promise<void> {
    const hold = await this.get(key);
    await this.store.delete(`hold:${key}`);
    await this.store.removeFromSet(INDEX_KEY, key);
    if (!hold) return;
    for (const pull of hold.pulls ?? []) {
      await this.store.removeFromSet(pullIndexKey(hold.request.repo, pull), key);
    }
  }

  /**
   * The holds of commits that `pull` brought. Index entries outlive a hold that was replaced
   * by a later evaluation without the pull request: only holds that still name it count.
   */
  async forPull(repo: RepoRef, pull: number): Promise<Hold[]> {
    const keys = await this.store.members(pullIndexKey(repo, pull));
    const holds = await Promise.all(keys.map((key) => this.get(key)));
    return holds.filter((hold): hold is Hold => hold !== null && (hold.pulls ?? []).includes(pull));
  }

  /** Every hold still in the store; index entries whose hold expired are dropped. */
  async all(): Promise<Hold[]> {
    const index = await this.store.members(INDEX_KEY);
    const holds = await Promise.all(index.map(async (key) => [key, await this.get(key)] as const));
    const live: Hold[] = [];
    for (const [key, hold] of holds) {
      if (hold) live.push(hold);
      else await this.store.removeFromSet(INDEX_KEY, key);
    }
    return live;
  }
}
