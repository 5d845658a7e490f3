import type { Octokit } from "../../src/github/types.js";
import { PolicyCache } from "../../src/policy/cache.js";
import type { PolicyFile, PolicySource } from "../../src/policy/types.js";
import { MemoryStore } from "../../src/store/memory.js";

const BASE = "gates:\n  tests:\n    stage: pull_request\n    require: { checks: [test] }\n";
const EXTENDING = "_extends: acme/policies:release/base.yml\n";

/** A source over a map of "owner/repo:path" → text, counting reads. */
function source(files: Record<string, string>): PolicySource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read(owner, repo, path) {
      const location = `${owner}/${repo}:${path}`;
      reads.push(location);
      const text = files[location];
      return Promise.resolve(text === undefined ? null : ({ location, text } as PolicyFile));
    },
  };
}

const octokit = {} as Octokit;

function cacheOver(files: Record<string, string>) {
  const src = source(files);
  const cache = new PolicyCache(new MemoryStore(() => new Date()), undefined, () => src);
  return { cache, reads: src.reads };
}

describe("PolicyCache", () => {
  const files = {
    "acme/shop:.github/release-policy.yml": EXTENDING,
    "acme/policies:release/base.yml": BASE,
  };

  it("reads a policy and its base once, then serves it from the store", async () => {
    const { cache, reads } = cacheOver(files);
    expect((await cache.load(octokit, "acme", "shop")).kind).toBe("valid");
    expect((await cache.load(octokit, "acme", "shop")).kind).toBe("valid");
    expect(reads).toEqual([
      "acme/shop:.github/release-policy.yml",
      "acme/policies:release/base.yml",
    ]);
  });

  it("reloads the policies that extend a base when a push changes the base file", async () => {
    const { cache, reads } = cacheOver(files);
    await cache.load(octokit, "acme", "shop");
    await cache.invalidateDependents("ACME", "Policies", new Set(["release/base.yml"]));
    await cache.load(octokit, "acme", "shop");
    expect(reads).toHaveLength(4);
  });

  it("keeps them when the push changed other files of the base repository, or another repository", async () => {
    const { cache, reads } = cacheOver(files);
    await cache.load(octokit, "acme", "shop");
    await cache.invalidateDependents("acme", "policies", new Set(["README.md"]));
    await cache.invalidateDependents("acme", "other", new Set(["release/base.yml"]));
    await cache.load(octokit, "acme", "shop");
    expect(reads).toHaveLength(2);
  });

  it("does not treat a repository's own file as a base (a push to it invalidates just that repository)", async () => {
    const { cache, reads } = cacheOver({
      "acme/shop:.github/release-policy.yml": BASE,
      "acme/web:.github/release-policy.yml": BASE,
    });
    await cache.load(octokit, "acme", "shop");
    await cache.load(octokit, "acme", "web");
    await cache.invalidateDependents("acme", "shop", new Set([".github/release-policy.yml"]));
    await cache.load(octokit, "acme", "web");
    expect(reads).toEqual([
      "acme/shop:.github/release-policy.yml",
      "acme/web:.github/release-policy.yml",
    ]);
  });
});
