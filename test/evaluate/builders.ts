// Small builders for pull-request facts, so each test states only what matters to it.
import type {
  CheckFact,
  CheckState,
  ChecklistTick,
  PullRequestFacts,
  ReviewFact,
} from "../../src/facts/types.js";
import { evaluatePullRequest } from "../../src/evaluate/pull-request.js";
import type { GateResult } from "../../src/model/result.js";
import { policySchema, type Policy } from "../../src/policy/schema.js";

export const HEAD_SHA = "headheadheadheadheadheadheadheadheadhead";
export const OLD_SHA = "0123456789abcdef0123456789abcdef01234567";
export const NOW = new Date("2026-03-10T12:00:00Z");

/** Facts for an open, non-draft pull request by @author with nothing else on it. */
export function pullRequestFacts(overrides: Partial<PullRequestFacts> = {}): PullRequestFacts {
  return {
    repo: { owner: "acme", repo: "shop", defaultBranch: "main" },
    number: 42,
    title: "Add checkout button",
    body: "",
    author: "author",
    draft: false,
    state: "open",
    merged: false,
    baseRef: "main",
    headRef: "feature/checkout",
    headSha: HEAD_SHA,
    labels: [],
    changedFiles: [],
    committers: ["author"],
    reviews: [],
    checks: [],
    teams: {},
    permissions: {},
    checklist: { ticks: {} },
    ...overrides,
  };
}

let minute = 0;
/** Review times increase with each call, so the order of calls is the order of reviews. */
function nextTime(): string {
  minute += 1;
  return new Date(Date.UTC(2026, 2, 10, 9, 0) + minute * 60_000).toISOString();
}

export function review(
  user: string,
  state: ReviewFact["state"],
  opts: { commitId?: string; submittedAt?: string } = {},
): ReviewFact {
  return {
    user,
    state,
    commitId: opts.commitId ?? HEAD_SHA,
    submittedAt: opts.submittedAt ?? nextTime(),
  };
}

export const approved = (user: string, opts: { commitId?: string; submittedAt?: string } = {}) =>
  review(user, "APPROVED", opts);

export function checkRun(name: string, state: CheckState, app?: string): CheckFact {
  return { name, source: "check_run", state, ...(app ? { app } : {}) };
}

export function commitStatus(name: string, state: CheckState): CheckFact {
  return { name, source: "status", state };
}

export function ticked(by: string, at = "2026-03-10T10:00:00Z"): ChecklistTick {
  return { checked: true, by, at };
}

export const unticked: ChecklistTick = { checked: false };

/** A policy from plain data, validated by the schema so a test cannot rely on an invalid one. */
export function policyOf(input: unknown): Policy {
  return policySchema.parse(input);
}

/**
 * Evaluates one pull-request gate `g` with the given requirement (and optional when/unless
 * and defaults) and returns its result.
 */
export function judgeGate(
  gate: { require: unknown; when?: unknown; unless?: unknown },
  facts: PullRequestFacts,
  extra: { defaults?: unknown; change_types?: unknown } = {},
): GateResult {
  const policy = policyOf({ ...extra, gates: { g: { stage: "pull_request", ...gate } } });
  const result = evaluatePullRequest(policy, facts, NOW).gates.find((g) => g.id === "g");
  if (!result) throw new Error("gate g was not evaluated");
  return result;
}
