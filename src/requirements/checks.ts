// checks: check runs (by name) and commit statuses (by context) that must have succeeded on
// the head commit: the change's test evidence.
import type { CheckFact, CheckState, PullRequestFacts } from "../facts/types.js";
import { z } from "zod";
import { worstStatus, type JudgedStatus, type Outcome } from "../model/outcome.js";
import { nameList } from "../model/principals.js";
import { defineKind, wrongStage } from "./kind.js";

const checkOutcome = z.enum(["pass", "fail"]);
export const checksSchema = z
  .union([
    nameList.min(1),
    z.strictObject({
      names: nameList.min(1).describe("Check run names or commit status contexts."),
      neutral: checkOutcome.optional().describe("How a neutral conclusion counts. Default: pass."),
      skipped: checkOutcome.optional().describe("How a skipped conclusion counts. Default: pass."),
    }),
  ])
  .describe(
    "Check runs (by name) or commit statuses (by context) that must have succeeded on the head commit.",
  );

type ChecksRequirement = z.infer<typeof checksSchema>;

export function checkNamesOf(checks: ChecksRequirement): string[] {
  return Array.isArray(checks) ? checks : checks.names;
}
type Counting = { neutral: "pass" | "fail"; skipped: "pass" | "fail" };

interface NameResult {
  name: string;
  status: JudgedStatus;
  details: string[];
}

const failing: ReadonlySet<CheckState> = new Set([
  "failure",
  "cancelled",
  "timed_out",
  "action_required",
  "stale",
  "error",
]);

function judgeState(state: CheckState, counting: Counting): JudgedStatus {
  if (state === "success") return "pass";
  if (state === "neutral" || state === "skipped") return counting[state];
  if (failing.has(state)) return "fail";
  return "pending";
}

/**
 * The facts come newest first, as GitHub lists them, and the gatherer keeps one per name and
 * source; should duplicates still arrive, the first per source (the latest) is the one that
 * counts. A check run and a status with the same name are different evidence: both must pass.
 */
function latestPerSource(checks: readonly CheckFact[], name: string): CheckFact[] {
  const bySource = new Map<CheckFact["source"], CheckFact>();
  for (const c of checks) if (c.name === name && !bySource.has(c.source)) bySource.set(c.source, c);
  return [...bySource.values()];
}

function judgeName(name: string, facts: PullRequestFacts, counting: Counting): NameResult {
  const found = latestPerSource(facts.checks, name);
  if (found.length === 0) {
    return { name, status: "pending", details: [`\`${name}\`: not reported yet`] };
  }
  const judged = found.map((c) => ({ c, status: judgeState(c.state, counting) }));
  const source = (c: CheckFact): string =>
    found.length > 1 ? ` (${c.source.replace("_", " ")})` : "";
  return {
    name,
    status: worstStatus(judged.map((j) => j.status)),
    details: judged.map(({ c, status }) => {
      const counted = status === "fail" && (c.state === "neutral" || c.state === "skipped");
      return `\`${name}\`${source(c)}: ${c.state}${counted ? " (counted as a failure)" : ""}`;
    }),
  };
}

const names = (rs: readonly NameResult[]): string =>
  `check${rs.length > 1 ? "s" : ""} ${rs.map((r) => `\`${r.name}\``).join(", ")}`;

export function evaluateChecks(req: ChecksRequirement, facts: PullRequestFacts): Outcome {
  const counting: Counting = Array.isArray(req)
    ? { neutral: "pass", skipped: "pass" }
    : { neutral: req.neutral ?? "pass", skipped: req.skipped ?? "pass" };
  const results = [...new Set(checkNamesOf(req))].map((n) => judgeName(n, facts, counting));
  const status = worstStatus(results.map((r) => r.status));
  const details = results.flatMap((r) => r.details);
  const failed = results.filter((r) => r.status === "fail");
  const waiting = results.filter((r) => r.status === "pending");
  if (failed.length > 0) {
    return {
      status,
      reason: `${names(failed)} failed`,
      fix: `Fix what makes ${names(failed)} fail and re-run ${failed.length > 1 ? "them" : "it"}`,
      details,
    };
  }
  if (waiting.length > 0) {
    return {
      status,
      reason: `waiting for ${names(waiting)} to report`,
      fix: `Wait for ${names(waiting)} to finish; if ${waiting.length > 1 ? "they never start" : "it never starts"}, make sure ${waiting.length > 1 ? "they run" : "it runs"} on this pull request's head commit`,
      details,
    };
  }
  return { status, reason: `${names(results)} passed`, details };
}

export const checks = defineKind({
  key: "checks",
  stages: ["pull_request"],
  schema: checksSchema,
  events: ["check_run.completed", "status", "pull_request.synchronize"],
  needs: (spec) => ({ checkNames: checkNamesOf(spec) }),
  evaluate: (spec, subject) =>
    subject.stage === "pull_request"
      ? evaluateChecks(spec, subject.facts)
      : wrongStage("checks", subject),
});
