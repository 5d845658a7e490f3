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
      "acme/.github:.github/release-policy.yml", // none: nothing is required of acme's repositories
      "acme/policies:release/base.yml",
    ]);
  });

  it("reloads the policies that extend a base when a push changes the base file", async () => {
    const { cache, reads } = cacheOver(files);
    await cache.load(octokit, "acme", "shop");
    await cache.invalidateDependents("ACME", "Policies", new Set(["release/base.yml"]));
    await cache.load(octokit, "acme", "shop");
    expect(reads).toHaveLength(6);
  });

  it("keeps them when the push changed other files of the base repository, or another repository", async () => {
    const { cache, reads } = cacheOver(files);
    await cache.load(octokit, "acme", "shop");
    await cache.invalidateDependents("acme", "policies", new Set(["README.md"]));
    await cache.invalidateDependents("acme", "other", new Set(["release/base.yml"]));
    await cache.load(octokit, "acme", "shop");
    expect(reads).toHaveLength(3);
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
      "acme/.github:.github/release-policy.yml",
      "acme/web:.github/release-policy.yml",
    ]);
  });
});

describe("PolicyCache: the organization's base", () => {
  const ORG_BASE = "acme/.github:.github/release-policy.yml";
  const REQUIRED =
    "required: true\ngates:\n  cab:\n    stage: pull_request\n    require: { approvals: { count: 2 } }\n";
  const own = (repo: string) => `acme/${repo}:.github/release-policy.yml`;

  it("is read once for every repository of the organization, bound or not", async () => {
    const { cache, reads } = cacheOver({ [own("shop")]: BASE, [own("web")]: BASE });
    await cache.load(octokit, "acme", "shop", { organization: true });
    await cache.load(octokit, "acme", "web", { organization: true });
    await cache.load(octokit, "acme", "api", { organization: true }); // no file of its own
    expect(reads).toEqual([own("shop"), ORG_BASE, own("web"), own("api")]);
  });

  it("is not read for a personal account's repository that has a file of its own", async () => {
    const { cache, reads } = cacheOver({ [own("shop")]: BASE, [ORG_BASE]: REQUIRED });
    const loaded = await cache.load(octokit, "acme", "shop", { organization: false });
    expect(reads).toEqual([own("shop")]);
    expect(loaded.kind === "valid" && Object.keys(loaded.policy.gates ?? {})).toEqual(["tests"]);
  });

  it("binds every repository once required, and a push to it reloads them all", async () => {
    const files: Record<string, string> = { [own("shop")]: BASE, [ORG_BASE]: "gates: {}\n" };
    const { cache, reads } = cacheOver(files);
    const gates = async () => {
      const loaded = await cache.load(octokit, "acme", "shop", { organization: true });
      return loaded.kind === "valid" ? Object.keys(loaded.policy.gates ?? {}) : loaded.kind;
    };
    expect(await gates()).toEqual(["tests"]);
    files[ORG_BASE] = REQUIRED;
    expect(await gates()).toEqual(["tests"]); // kept until a push says it changed
    // What src/handlers/push.ts does for a push to acme/.github's policy file.
    await cache.invalidateDependents("acme", ".github", new Set([".github/release-policy.yml"]));
    await cache.invalidateOwner("acme");
    expect(await gates()).toEqual(["cab", "tests"]);
    expect(reads).toEqual([own("shop"), ORG_BASE, own("shop"), ORG_BASE]);
  });

  it("gives each reader the base's location in the spelling it asked for", async () => {
    const { cache, reads } = cacheOver({ [ORG_BASE]: REQUIRED });
    const source = cache.source(octokit);
    await source.read("acme", ".github", ".github/release-policy.yml");
    const again = await source.read("ACME", ".GitHub", ".github/release-policy.yml");
    expect(again?.location).toBe("ACME/.GitHub:.github/release-policy.yml");
    expect(reads).toEqual([ORG_BASE]);
  });
});
