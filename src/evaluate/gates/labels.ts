// labels: one_of / all_of / none_of on the pull request's labels. A miss is a fail, not a
// wait: the author (or a triager) has to change the labels, and the fix names them exactly.
import type { PullRequestFacts } from "../../facts/types.js";
import type { Requirement } from "../../policy/schema.js";
import { hasLabel } from "../change-type.js";
import { combineOutcomes, type Outcome } from "../../model/outcome.js";

type LabelsRequirement = NonNullable<Requirement["labels"]>;

const quote = (labels: readonly string[]): string => labels.map((l) => `\`${l}\``).join(", ");

function oneOf(wanted: readonly string[], labels: readonly string[]): Outcome {
  const present = wanted.filter((l) => hasLabel(labels, l));
  if (present.length > 0) {
    return { status: "pass", reason: `has the label ${quote(present)}`, details: [] };
  }
  return {
    status: "fail",
    reason: `needs one of the labels ${quote(wanted)}`,
    fix: `Add one of the labels ${quote(wanted)}`,
    details: [],
  };
}

function allOf(wanted: readonly string[], labels: readonly string[]): Outcome {
  const missing = wanted.filter((l) => !hasLabel(labels, l));
  if (missing.length === 0) {
    return { status: "pass", reason: `has the labels ${quote(wanted)}`, details: [] };
  }
  return {
    status: "fail",
    reason: `lacks the label${missing.length > 1 ? "s" : ""} ${quote(missing)}`,
    fix: `Add the label${missing.length > 1 ? "s" : ""} ${quote(missing)}`,
    details: [],
  };
}

function noneOf(banned: readonly string[], labels: readonly string[]): Outcome {
  const present = banned.filter((l) => hasLabel(labels, l));
  if (present.length === 0) {
    return { status: "pass", reason: `has none of the labels ${quote(banned)}`, details: [] };
  }
  return {
    status: "fail",
    reason: `has the label${present.length > 1 ? "s" : ""} ${quote(present)}, which must not be set`,
    fix: `Remove the label${present.length > 1 ? "s" : ""} ${quote(present)}`,
    details: [],
  };
}

/** An empty `labels: {}` names no rule: like a gate that requires nothing, it cannot pass on nothing (fail closed). */
export function evaluateLabels(req: LabelsRequirement, facts: PullRequestFacts): Outcome {
  const parts: Outcome[] = [];
  if (req.one_of) parts.push(oneOf(req.one_of, facts.labels));
  if (req.all_of) parts.push(allOf(req.all_of, facts.labels));
  if (req.none_of) parts.push(noneOf(req.none_of, facts.labels));
  if (parts.length === 0) {
    return {
      status: "error",
      reason: "the labels requirement names no rule",
      fix: "Give it one_of, all_of or none_of in the policy file",
      details: [],
    };
  }
  return combineOutcomes(parts);
}
