import { describe, expect, it } from "@jest/globals";
import { firstParentChain } from "../../src/facts/deployed-range.js";

// main: base ← a ← M(a, f2) ← c ; the pull request's branch: base ← f1 ← f2 (merged by M).
const commits = [
  { sha: "a", parents: ["base"] },
  { sha: "f1", parents: ["base"] },
  { sha: "f2", parents: ["f1"] },
  { sha: "M", parents: ["a", "f2"] },
  { sha: "c", parents: ["M"] },
];

describe("firstParentChain", () => {
  it("walks first parents from the head to the range's base, skipping merged branch commits", () => {
    expect(firstParentChain("c", commits, 20)).toEqual({ shas: ["c", "M", "a"], complete: true });
  });

  it("starts wherever the head is", () => {
    expect(firstParentChain("f2", commits, 20)).toEqual({ shas: ["f2", "f1"], complete: true });
  });

  it("is empty when the head is not in the range (nothing new: a redeploy or a rollback)", () => {
    expect(firstParentChain("base", commits, 20)).toEqual({ shas: [], complete: true });
  });

  it("stops at the limit and says the chain is incomplete", () => {
    expect(firstParentChain("c", commits, 2)).toEqual({ shas: ["c", "M"], complete: false });
    expect(firstParentChain("c", commits, 3)).toEqual({ shas: ["c", "M", "a"], complete: true });
  });

  it("never loops on a malformed history", () => {
    const loop = [
      { sha: "x", parents: ["y"] },
      { sha: "y", parents: ["x"] },
    ];
    expect(firstParentChain("x", loop, 20)).toEqual({ shas: ["x", "y"], complete: true });
  });
});
