import type { Octokit } from "../github/types.js";
import type { Store } from "../store/store.js";
import { githubPolicySource } from "./github-source.js";
import { loadPolicy, type LoadRules, type OwnerFacts } from "./inherit.js";
import { isOrgBase } from "./required-base.js";
import type { LoadedPolicy, PolicyFile, PolicySource } from "./types.js";

/** How long a loaded policy is trusted without a push telling us it changed. */
export const POLICY_TTL_MS = 10 * 60 * 1000;
/** Generations and base links outlive the cached policies they guard. */
const LINK_TTL_MS = POLICY_TTL_MS * 6;

/**
 * Loaded policies, per repository. A push that changes a policy file invalidates them at
 * once; the time to live bounds staleness should such a push event be lost. Invalidation
 * of an owner (its `.github` repository, or a base policy its repositories extend, changed)
 * bumps a generation number, so every repository of that owner reloads without the store
 * listing keys.
 */
export class PolicyCache {
  constructor(
    private readonly store: Store,
    private readonly ttlMs = POLICY_TTL_MS,
    private readonly sourceFor: (octokit: Octokit) => PolicySource = githubPolicySource,
    private readonly rules: LoadRules = {},
  ) {}

  /**
   * Loads in flight in this process, by cache key: a burst of webhooks for a repository
   * whose policy is not cached yet reads it once, not once per webhook.
   */
  readonly #loading = new Map<string, Promise<LoadedPolicy>>();

  async load(
    octokit: Octokit,
    owner: string,
    repo: string,
    facts: OwnerFacts = {},
  ): Promise<LoadedPolicy> {
    const key = await this.#key(owner, repo);
    const cached = await this.store.get(key);
    if (cached) return JSON.parse(cached) as LoadedPolicy;
    let loading = this.#loading.get(key);
    if (!loading) {
      loading = this.#read(octokit, owner, repo, key, facts).finally(() =>
        this.#loading.delete(key),
      );
      this.#loading.set(key, loading);
    }
    return loading;
  }

  /**
   * The files policies are read from, with every owner's base policy (`<owner>/.github`)
   * kept per owner: each repository of an organization consults it (is it required?), and
   * it is read once for all of them until a push to it, or the time to live, drops it.
   */
  source(octokit: Octokit): PolicySource {
    const source = this.sourceFor(octokit);
    return {
      read: (owner, repo, path) =>
        isOrgBase({ owner, repo, path })
          ? this.#orgBase(source, owner, repo, path)
          : source.read(owner, repo, path),
    };
  }

  async #orgBase(
    source: PolicySource,
    owner: string,
    repo: string,
    path: string,
  ): Promise<PolicyFile | null> {
    const key = `policy-base:${owner.toLowerCase()}:${await this.#generation(owner)}`;
    const cached = await this.store.get(key);
    let file: PolicyFile | null;
    if (cached) file = (JSON.parse(cached) as { file: PolicyFile | null }).file;
    else {
      let reading = this.#readingBases.get(key);
      if (!reading) {
        reading = source
          .read(owner, repo, path)
          .then(async (read) => {
            await this.store.set(key, JSON.stringify({ file: read }), this.ttlMs);
            return read;
          })
          .finally(() => this.#readingBases.delete(key));
        this.#readingBases.set(key, reading);
      }
      file = await reading;
    }
    // Kept once for every spelling of the owner's name: each reader gets the location as it
    // asked for it, as a file read for it alone would have (see github-source.ts).
    return file && { ...file, location: `${owner}/${repo}:${path}` };
  }

  /** Base policies being read in this process, by cache key: a burst reads each once. */
  readonly #readingBases = new Map<string, Promise<PolicyFile | null>>();

  async #read(
    octokit: Octokit,
    owner: string,
    repo: string,
    key: string,
    facts: OwnerFacts,
  ): Promise<LoadedPolicy> {
    const loaded = await loadPolicy(this.source(octokit), owner, repo, facts, this.rules);
    await this.store.set(key, JSON.stringify(loaded), this.ttlMs);
    if (loaded.kind !== "none") await this.#rememberBases(owner, repo, loaded.files);
    return loaded;
  }

  async invalidateRepo(owner: string, repo: string): Promise<void> {
    await this.store.delete(await this.#key(owner, repo));
  }

  async invalidateOwner(owner: string): Promise<void> {
    const generation = Number((await this.store.get(this.#generationKey(owner))) ?? "0");
    await this.store.set(this.#generationKey(owner), String(generation + 1), LINK_TTL_MS);
  }

  /**
   * A push to owner/repo's default branch changed `paths`: every owner whose policies
   * were loaded from one of them reloads. Owners, not repositories, because the store
   * cannot list the repositories that extend a base; one store read per push.
   */
  async invalidateDependents(
    owner: string,
    repo: string,
    paths: ReadonlySet<string>,
  ): Promise<void> {
    const links = await this.store.members(this.#dependentsKey(owner, repo));
    const owners = new Set(
      links.flatMap((link) => {
        const [path = "", dependent = ""] = link.split("\n");
        return paths.has(path) ? [dependent] : [];
      }),
    );
    for (const dependent of owners) await this.invalidateOwner(dependent);
  }

  /** Notes each file read from another repository as a base of this owner's policies. */
  async #rememberBases(owner: string, repo: string, files: { location: string }[]): Promise<void> {
    const own = `${owner}/${repo}:`.toLowerCase();
    for (const { location } of files) {
      // Locations read "owner/repo:path" (src/policy/inherit.ts).
      const colon = location.indexOf(":");
      const [baseOwner = "", baseRepo = ""] = location.slice(0, colon).split("/");
      if (colon < 0 || location.slice(0, colon + 1).toLowerCase() === own) continue;
      const link = `${location.slice(colon + 1)}\n${owner.toLowerCase()}`;
      await this.store.addToSet(this.#dependentsKey(baseOwner, baseRepo), link, LINK_TTL_MS);
    }
  }

  async #key(owner: string, repo: string): Promise<string> {
    return `policy:${owner.toLowerCase()}:${await this.#generation(owner)}:${repo.toLowerCase()}`;
  }

  async #generation(owner: string): Promise<string> {
    return (await this.store.get(this.#generationKey(owner))) ?? "0";
  }

  #generationKey(owner: string): string {
    return `policy-generation:${owner.toLowerCase()}`;
  }

  #dependentsKey(owner: string, repo: string): string {
    return `policy-dependents:${owner.toLowerCase()}/${repo.toLowerCase()}`;
  }
}
