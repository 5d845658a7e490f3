import type { Condition } from "../../src/policy/schema.js";
import { judgeGate, pullRequestFacts } from "./builders.js";
import type { PullRequestFacts } from "../../src/facts/types.js";

const passing = { labels: { none_of: ["blocked"] } };
const types = {
  change_types: { standard: { labels: ["change: standard"] }, normal: { default: true } },
};

describe("when", () => {
  it.each<{
    name: string;
    when: Condition;
    facts: Partial<PullRequestFacts>;
    status: string;
    reason?: string;
  }>([
    {
      name: "change type mismatch",
      when: { change_types: ["normal"] },
      facts: { labels: ["change: standard"] },
      status: "skipped",
      reason: "applies only to change types normal; this change is standard",
    },
    { name: "change type match", when: { change_types: ["normal"] }, facts: {}, status: "pass" },
    {
      name: "any label of the list",
      when: { labels: ["risk: high", "risk: medium"] },
      facts: { labels: ["risk: medium"] },
      status: "pass",
    },
    {
      name: "no label of the list",
      when: { labels: ["risk: high"] },
      facts: { labels: ["risk: low"] },
      status: "skipped",
      reason: "applies only to pull requests labelled risk: high; this one has none of them",
    },
    {
      name: "base branch glob",
      when: { base_branches: ["release/*"] },
      facts: { baseRef: "release/1.2" },
      status: "pass",
    },
    {
      name: "base branch glob miss",
      when: { base_branches: ["release/*"] },
      facts: { baseRef: "main" },
      status: "skipped",
      reason: "applies only to base branches release/*; this one targets main",
    },
    {
      name: "single star stays in one segment",
      when: { base_branches: ["release/*"] },
      facts: { baseRef: "release/a/b" },
      status: "skipped",
    },
    {
      name: "paths: any changed file",
      when: { paths: ["src/**"] },
      facts: { changedFiles: ["README.md", "src/a/b.ts"] },
      status: "pass",
    },
    {
      name: "paths: dotfiles count",
      when: { paths: ["**/*.yml"] },
      facts: { changedFiles: [".github/workflows/ci.yml"] },
      status: "pass",
    },
    {
      name: "paths: none",
      when: { paths: ["src/**"] },
      facts: { changedFiles: ["docs/x.md"] },
      status: "skipped",
      reason: "applies only to changes to src/**; this one changes none of them",
    },
    { name: "draft true", when: { draft: true }, facts: { draft: true }, status: "pass" },
    {
      name: "draft mismatch",
      when: { draft: false },
      facts: { draft: true },
      status: "skipped",
      reason: "applies only to pull requests ready for review; this one is a draft",
    },
    {
      name: "and: one key fails",
      when: { labels: ["risk: high"], change_types: ["normal"] },
      facts: { labels: ["risk: high", "change: standard"] },
      status: "skipped",
      reason: "applies only to change types normal; this change is standard",
    },
    {
      name: "and: all keys match",
      when: { labels: ["risk: high"], change_types: ["normal"] },
      facts: { labels: ["risk: high"] },
      status: "pass",
    },
    { name: "empty condition matches", when: {}, facts: {}, status: "pass" },
    {
      name: "paths unknown: error (fail closed)",
      when: { paths: ["src/**"] },
      facts: { changedFiles: undefined },
      status: "error",
    },
    {
      name: "paths unknown, but another key already fails: skipped",
      when: { paths: ["src/**"], draft: true },
      facts: { changedFiles: undefined },
      status: "skipped",
    },
  ])("$name", ({ when, facts, status, reason }) => {
    const result = judgeGate({ when, require: passing }, pullRequestFacts(facts), types);
    expect(result.status).toBe(status);
    if (reason) expect(result.reason).toBe(reason);
  });
});

describe("unless", () => {
  it.each<{
    name: string;
    unless: Condition;
    facts: Partial<PullRequestFacts>;
    status: string;
    reason?: string;
  }>([
    {
      name: "match skips the gate",
      unless: { change_types: ["standard"] },
      facts: { labels: ["change: standard"] },
      status: "skipped",
      reason: "does not apply to change types standard; this change is standard",
    },
    {
      name: "no match keeps the gate",
      unless: { change_types: ["standard"] },
      facts: {},
      status: "pass",
    },
    {
      name: "and: a key that does not match keeps the gate",
      unless: { change_types: ["normal"], draft: true },
      facts: {},
      status: "pass",
    },
    { name: "an empty unless exempts nothing", unless: {}, facts: {}, status: "pass" },
    {
      name: "paths unknown: error",
      unless: { paths: ["docs/**"] },
      facts: { changedFiles: undefined },
      status: "error",
    },
    {
      name: "paths unknown but another key misses: applies",
      unless: { paths: ["docs/**"], draft: true },
      facts: { changedFiles: undefined },
      status: "pass",
    },
  ])("$name", ({ unless, facts, status, reason }) => {
    const result = judgeGate({ unless, require: passing }, pullRequestFacts(facts), types);
    expect(result.status).toBe(status);
    if (reason) expect(result.reason).toBe(reason);
  });

  it("when and unless together: when must match and unless must not", () => {
    const gate = { when: { labels: ["risk: high"] }, unless: { draft: true }, require: passing };
    expect(judgeGate(gate, pullRequestFacts({ labels: ["risk: high"] })).status).toBe("pass");
    expect(judgeGate(gate, pullRequestFacts({ labels: ["risk: high"], draft: true })).status).toBe(
      "skipped",
    );
    expect(judgeGate(gate, pullRequestFacts({ labels: [] })).status).toBe("skipped");
  });

  it("a change with no change type does not match change_types", () => {
    const result = judgeGate(
      { when: { change_types: ["normal"] }, require: passing },
      pullRequestFacts(),
    );
    expect(result).toMatchObject({
      status: "skipped",
      reason: "applies only to change types normal; this change has no change type",
    });
  });
});
