// Held deployments: those a gate keeps waiting (an approval, a window, a soak time). They live
// in the Store so that a restart, or another instance sharing a Redis store, picks them up.
// The Store cannot list keys, so an index set names every hold.
import type { DeploymentRequest } from "../facts/deployment.js";
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
}

/** One hold per run and environment: a re-run of the job replaces the earlier request. */
export function holdKey(
  request: Pick<DeploymentRequest, "repo" | "runId" | "environment">,
): string {
  const { repo, runId, environment } = request;
  return `${repo.owner}/${repo.repo}:${runId}:${environment}`.toLowerCase();
}

export class HoldRegistry {
  constructor(private readonly store: Store) {}

  async get(key: string): Promise<Hold | null> {
    const raw = await this.store.get(`hold:${key}`);
    return raw ? (JSON.parse(raw) as Hold) : null;
  }

  async put(hold: Hold): Promise<void> {
    await this.store.set(`hold:${hold.key}`, JSON.stringify(hold), HOLD_TTL_MS);
    await this.store.addToSet(INDEX_KEY, hold.key, HOLD_TTL_MS);
  }

  async remove(key: string): Promise<void> {
    await this.store.delete(`hold:${key}`);
    await this.store.removeFromSet(INDEX_KEY, key);
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
