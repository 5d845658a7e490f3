import type { Octokit } from "../github/types.js";
import type { Store } from "../store/store.js";
import { githubPolicySource } from "./github-source.js";
import { loadPolicy } from "./inherit.js";
import type { LoadedPolicy } from "./types.js";

/** How long a loaded policy is trusted without a push telling us it changed. */
export const POLICY_TTL_MS = 10 * 60 * 1000;

/**
 * Loaded policies, per repository. A push that changes a policy file invalidates them at
 * once; the time to live bounds staleness should such a push event be lost. Invalidation
 * of an owner (its `.github` repository changed) bumps a generation number, so every
 * repository of that owner reloads without the store listing keys.
 */
export class PolicyCache {
  constructor(
    private readonly store: Store,
    private readonly ttlMs = POLICY_TTL_MS,
  ) {}

  async load(octokit: Octokit, owner: string, repo: string): Promise<LoadedPolicy> {
    const key = await this.#key(owner, repo);
    const cached = await this.store.get(key);
    if (cached) return JSON.parse(cached) as LoadedPolicy;
    const loaded = await loadPolicy(githubPolicySource(octokit), owner, repo);
    await this.store.set(key, JSON.stringify(loaded), this.ttlMs);
    return loaded;
  }

  async invalidateRepo(owner: string, repo: string): Promise<void> {
    await this.store.delete(await this.#key(owner, repo));
  }

  async invalidateOwner(owner: string): Promise<void> {
    const generation = Number((await this.store.get(this.#generationKey(owner))) ?? "0");
    // Generations outlive the cached policies they guard.
    await this.store.set(this.#generationKey(owner), String(generation + 1), this.ttlMs * 6);
  }

  async #key(owner: string, repo: string): Promise<string> {
    const generation = (await this.store.get(this.#generationKey(owner))) ?? "0";
    return `policy:${owner.toLowerCase()}:${generation}:${repo.toLowerCase()}`;
  }

  #generationKey(owner: string): string {
    return `policy-generation:${owner.toLowerCase()}`;
  }
}
