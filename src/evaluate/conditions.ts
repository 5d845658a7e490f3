// Whether a gate applies: its `when` must match and its `unless` must not. Within a
// condition every key given must match (and); within a key's list any entry may (or).
// One model for every stage: a deployment is judged by the labels and change type of the pull
// request that brought its commit, and the keys it cannot be judged by (base branches, paths,
// draft; the validator refuses them there) are left out of the decision.
import type { PullRequestFacts } from "../facts/types.js";
import { globsMatcher } from "../model/glob.js";
import { hasLabel } from "../model/labels.js";
import type { Condition, Gate } from "../policy/schema.js";

/** What conditions are judged on. */
export type ConditionSubject =
  | { of: "pull_request"; facts: PullRequestFacts; changeType: string | null }
  | { of: "deployment"; labels: readonly string[]; changeType: string | null };

/**
 * One key of a condition, judged: `rule` and `actual` read as "change types normal" / "this
 * change is standard". "ignored": the key cannot be judged for this subject.
 */
interface KeyCheck {
  matched: boolean | "unknown" | "ignored";
  rule: string;
  actual: string;
}

const IGNORED: KeyCheck = { matched: "ignored", rule: "", actual: "" };

export type Applicability =
  | { applies: true }
  | { applies: false; reason: string }
  /** A fact the condition needs is missing: the gate cannot be judged (fail closed). */
  | { applies: "unknown"; reason: string };

const quoteList = (xs: readonly string[]): string => xs.join(", ");

function checkLabels(labels: readonly string[], subject: ConditionSubject): KeyCheck {
  const pull = subject.of === "pull_request";
  const has = pull ? subject.facts.labels : subject.labels;
  const present = labels.filter((l) => hasLabel(has, l));
  const who = pull ? "this one" : "the pull request that brought this commit";
  return {
    matched: present.length > 0,
    rule: `${pull ? "pull requests" : "changes"} labelled ${quoteList(labels)}`,
    actual: present.length > 0 ? `${who} has ${quoteList(present)}` : `${who} has none of them`,
  };
}

function checkChangeTypes(types: readonly string[], changeType: string | null): KeyCheck {
  return {
    matched: changeType !== null && types.includes(changeType),
    rule: `change types ${quoteList(types)}`,
    actual: changeType === null ? "this change has no change type" : `this change is ${changeType}`,
  };
}

function checkBaseBranches(globs: readonly string[], facts: PullRequestFacts): KeyCheck {
  return {
    matched: globsMatcher(globs)(facts.baseRef),
    rule: `base branches ${quoteList(globs)}`,
    actual: `this one targets ${facts.baseRef}`,
  };
}

function checkPaths(globs: readonly string[], facts: PullRequestFacts): KeyCheck {
  const rule = `changes to ${quoteList(globs)}`;
  // Absent changed files mean the facts were gathered without them: fail closed.
  if (facts.changedFiles === undefined) {
    return { matched: "unknown", rule, actual: "the changed files are unknown" };
  }
  const hits = facts.changedFiles.filter(globsMatcher(globs));
  const shown = hits.slice(0, 3).join(", ") + (hits.length > 3 ? ", …" : "");
  return {
    matched: hits.length > 0,
    rule,
    actual: hits.length > 0 ? `this one changes ${shown}` : "this one changes none of them",
  };
}

function checkDraft(draft: boolean, facts: PullRequestFacts): KeyCheck {
  const state = (d: boolean): string =>
    d ? "draft pull requests" : "pull requests ready for review";
  return {
    matched: facts.draft === draft,
    rule: state(draft),
    actual: facts.draft ? "this one is a draft" : "this one is ready for review",
  };
}

/** Every key given, judged, in a fixed order so reasons read the same each time. */
function checkKeys(cond: Condition, subject: ConditionSubject): KeyCheck[] {
  const checks: KeyCheck[] = [];
  if (cond.labels) checks.push(checkLabels(cond.labels, subject));
  if (cond.change_types) checks.push(checkChangeTypes(cond.change_types, subject.changeType));
  const facts = subject.of === "pull_request" ? subject.facts : undefined;
  if (cond.base_branches)
    checks.push(facts ? checkBaseBranches(cond.base_branches, facts) : IGNORED);
  if (cond.paths) checks.push(facts ? checkPaths(cond.paths, facts) : IGNORED);
  if (cond.draft !== undefined) checks.push(facts ? checkDraft(cond.draft, facts) : IGNORED);
  return checks;
}

/**
 * Decides applicability. A key that cannot be judged matters only when the answer hinges on
 * it: a `when` already failed by a known key skips the gate whatever the unknown one says.
 *
 * An empty condition (`when: {}` or `unless: {}`) names nothing, so it neither restricts nor
 * exempts: read literally, an empty `unless` would switch the gate off for every change.
 */
export function applicability(gate: Gate, subject: ConditionSubject): Applicability {
  // A key that cannot be judged neither restricts a `when` nor triggers an `unless`.
  const when = gate.when
    ? checkKeys(gate.when, subject).filter((k) => k.matched !== "ignored")
    : [];
  const whenMiss = when.find((k) => k.matched === false);
  if (whenMiss) {
    return { applies: false, reason: `applies only to ${whenMiss.rule}; ${whenMiss.actual}` };
  }
  const whenUnknown = when.find((k) => k.matched === "unknown");
  if (whenUnknown) return unknown(whenUnknown);

  const unless = gate.unless ? checkKeys(gate.unless, subject) : [];
  const exempting = unless.some((k) => k.matched === false || k.matched === "ignored");
  if (unless.length === 0 || exempting) return { applies: true };
  const unlessUnknown = unless.find((k) => k.matched === "unknown");
  if (unlessUnknown) return unknown(unlessUnknown);
  const why = unless.map((k) => `${k.rule}; ${k.actual}`).join("; and to ");
  return { applies: false, reason: `does not apply to ${why}` };
}

function unknown(k: KeyCheck): Applicability {
  return {
    applies: "unknown",
    reason: `cannot tell whether the gate applies to ${k.rule}: ${k.actual}`,
  };
}
