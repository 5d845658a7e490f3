import { describe, expect, it } from "@jest/globals";
import type { AssociatedPull } from "../../src/facts/deployed-range.js";
import { mergedCommittersReader } from "../../src/facts/merged-committers.js";
import type { Octokit } from "../../src/github/types.js";
import { MemoryStore } from "../../src/store/memory.js";

const repo = { owner: "acme", repo: "shop", defaultBranch: "main" };
const pull = (mergeCommitSha: string): AssociatedPull => ({
  number: 7,
  title: "Ship it",
  url: "https://github.com/acme/shop/pull/7",
  author: "carol",
  labels: [],
  mergedAt: "2026-03-09T10:00:00Z",
  mergeCommitSha,
  headSha: "feed",
});

/** An Octokit whose only use here, listing a pull request's commits, is counted. */
function countingOctokit(): { octokit: Octokit; reads: () => number } {
  let reads = 0;
  const listCommits = () => undefined;
  const octokit = {
    rest: { pulls: { listCommits } },
    paginate: async () => {
      reads += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return [{ author: { login: "carol" }, committer: { login: "web-flow" } }];
    },
  } as unknown as Octokit;
  return { octokit, reads: () => reads };
}

describe("committers of a merged pull request", () => {
  it("are read once for decisions at the same time and after, and kept in the store", async () => {
    const { octokit, reads } = countingOctokit();
    const store = new MemoryStore();
    const read = mergedCommittersReader(octokit, store);
    const together = await Promise.all(Array.from({ length: 5 }, () => read(repo, pull("m1"))));
    expect(together.every((c) => c.logins.includes("carol"))).toBe(true);
    expect((await mergedCommittersReader(octokit, store)(repo, pull("m1"))).logins).toContain(
      "carol",
    );
    expect(reads()).toBe(1);
  });

  it("are read again for another merge commit (a reopened pull request merged again)", async () => {
    const { octokit, reads } = countingOctokit();
    const read = mergedCommittersReader(octokit, new MemoryStore());
    await read(repo, pull("m1"));
    await read(repo, pull("m2"));
    expect(reads()).toBe(2);
  });
});
