// checks: check runs (by name) and commit statuses (by context) that must have succeeded on
// the head commit: the change's test evidence.
import type { CheckFact, CheckState, PullRequestFacts } from "../facts/types.js";
import { z } from "zod";
import { worstStatus, type JudgedStatus, type Outcome } from "../model/outcome.js";
import { name } from "../model/principals.js";
import { andList, orList } from "../model/words.js";
import { defineKind, wrongStage } from "./kind.js";

const checkOutcome = z.enum(["pass", "fail"]);

/** An app's slug as GitHub spells it in its URL (github.com/apps/<slug>). */
const appSlug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,99}$/i,
    "an app's slug: letters, digits and hyphens, the last part of its address github.com/apps/…",
  )
  .describe(
    "The slug of the app whose check run alone counts: the last part of its address github.com/apps/…; GitHub Actions is github-actions. A commit status never satisfies it.",
  );

const sourcedCheck = z
  .strictObject({
    name: name.describe("Check run name."),
    app: appSlug,
  })
  .describe("A check run that counts only when this app reported it.");

const checkEntry = z.union([name, sourcedCheck]);
const checkList = z.array(checkEntry).max(100);

export const checksSchema = z
  .union([
    checkList.min(1),
    z.strictObject({
      names: checkList
        .min(1)
        .describe(
          "Check run names or commit status contexts, each a name or { name, app } to count only that app's check run.",
        ),
      neutral: checkOutcome.optional().describe("How a neutral conclusion counts. Default: pass."),
      skipped: checkOutcome.optional().describe("How a skipped conclusion counts. Default: pass."),
    }),
  ])
  .describe(
    "Check runs (by name) or commit statuses (by context) that must have succeeded on the head commit. Where two sources report one name and the policy names none, the gate fails.",
  );

type ChecksRequirement = z.infer<typeof checksSchema>;
type CheckEntry = z.infer<typeof checkEntry>;

/** One required check: its name, and the app whose report alone counts when one is named. */
interface Wanted {
  name: string;
  app?: string;
}

function wantedOf(checks: ChecksRequirement): Wanted[] {
  const entries: CheckEntry[] = Array.isArray(checks) ? checks : checks.names;
  const wanted = new Map<string, Wanted>();
  for (const e of entries) {
    const w = typeof e === "string" ? { name: e } : { name: e.name, app: e.app.toLowerCase() };
    wanted.set(`${w.name}\n${w.app ?? ""}`, w);
  }
  return [...wanted.values()];
}

export function checkNamesOf(checks: ChecksRequirement): string[] {
  return [...new Set(wantedOf(checks).map((w) => w.name))];
}
type Counting = { neutral: "pass" | "fail"; skipped: "pass" | "fail" };

interface NameResult {
  name: string;
  status: JudgedStatus;
  details: string[];
  /** Sources that report the name when the policy names none: nothing can be trusted. */
  conflict?: string[];
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

/** Who reported a check: a commit status, or the app that wrote the check run. */
function sourceOf(c: CheckFact): string {
  if (c.source === "status") return "a commit status";
  return c.app ? `app \`${c.app}\`` : "an unknown app";
}

/**
 * The facts come newest first, as GitHub lists them, and the gatherer keeps one per name and
 * source; should duplicates still arrive, the first per source (the latest) is the one that
 * counts. Each app is its own source, and commit statuses are one more.
 */
function latestPerSource(checks: readonly CheckFact[], name: string): CheckFact[] {
  const bySource = new Map<string, CheckFact>();
  for (const c of checks) {
    const source = sourceOf(c).toLowerCase();
    if (c.name === name && !bySource.has(source)) bySource.set(source, c);
  }
  return [...bySource.values()];
}

function stateLine(label: string, c: CheckFact, status: JudgedStatus): string {
  const counted = status === "fail" && (c.state === "neutral" || c.state === "skipped");
  return `${label}: ${c.state}${counted ? " (counted as a failure)" : ""}`;
}

/** Only the named app's check run counts; what other sources say of the name is shown, unused. */
function judgeFromApp(w: Required<Wanted>, found: CheckFact[], counting: Counting): NameResult {
  const label = `\`${w.name}\` from app \`${w.app}\``;
  const own = found.find((c) => c.source === "check_run" && c.app?.toLowerCase() === w.app);
  const others = found.filter((c) => c !== own).map(sourceOf);
  const ignored =
    others.length > 0
      ? [`\`${w.name}\` from ${orList(others)}: not counted, the policy names app \`${w.app}\``]
      : [];
  if (!own) {
    return { name: w.name, status: "pending", details: [`${label}: not reported yet`, ...ignored] };
  }
  const status = judgeState(own.state, counting);
  return { name: w.name, status, details: [stateLine(label, own, status), ...ignored] };
}

function judgeName(w: Wanted, facts: PullRequestFacts, counting: Counting): NameResult {
  const found = latestPerSource(facts.checks, w.name);
  if (w.app !== undefined) return judgeFromApp({ name: w.name, app: w.app }, found, counting);
  if (found.length === 0) {
    return { name: w.name, status: "pending", details: [`\`${w.name}\`: not reported yet`] };
  }
  if (found.length > 1) {
    // Anyone who can run a workflow can report any name: which report is the evidence is
    // the policy's to say, never the latest writer's.
    const sources = found.map(sourceOf);
    return {
      name: w.name,
      status: "fail",
      conflict: sources,
      details: found.map((c) => `\`${w.name}\` from ${sourceOf(c)}: ${c.state}`),
    };
  }
  const [only] = found as [CheckFact];
  const status = judgeState(only.state, counting);
  return { name: w.name, status, details: [stateLine(`\`${w.name}\``, only, status)] };
}

const names = (rs: readonly NameResult[]): string => {
  const distinct = [...new Set(rs.map((r) => r.name))];
  return `check${distinct.length > 1 ? "s" : ""} ${distinct.map((n) => `\`${n}\``).join(", ")}`;
};

/** Two sources report a name the policy does not tie to one: say which, and how to choose. */
function conflictOutcome(conflicts: readonly NameResult[], details: string[]): Outcome {
  const lines = conflicts.map((r) => `\`${r.name}\` by ${andList(r.conflict ?? [])}`);
  const [first] = conflicts as [NameResult];
  return {
    status: "fail",
    reason: `${names(conflicts)} reported by more than one source: ${lines.join("; ")}`,
    fix: `Name the source that counts in .github/release-policy.yml, under this gate's require.checks: \`{ name: ${first.name}, app: <slug> }\` (GitHub Actions is github-actions), or stop the other source reporting that name`,
    details,
  };
}

export function evaluateChecks(req: ChecksRequirement, facts: PullRequestFacts): Outcome {
  const counting: Counting = Array.isArray(req)
    ? { neutral: "pass", skipped: "pass" }
    : { neutral: req.neutral ?? "pass", skipped: req.skipped ?? "pass" };
  const results = wantedOf(req).map((w) => judgeName(w, facts, counting));
  const status = worstStatus(results.map((r) => r.status));
  const details = results.flatMap((r) => r.details);
  const conflicts = results.filter((r) => r.conflict !== undefined);
  if (conflicts.length > 0) return conflictOutcome(conflicts, details);
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
