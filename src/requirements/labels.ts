// labels: one_of / all_of / none_of on the pull request's labels. A miss is a fail, not a
// wait: the author (or a triager) has to change the labels, and the fix names them exactly.
import type { PullRequestFacts } from "../facts/types.js";
import { z } from "zod";
import { hasLabel } from "../model/labels.js";
import { combineOutcomes, type Outcome } from "../model/outcome.js";
import { nameList } from "../model/principals.js";
import { defineKind, wrongStage } from "./kind.js";

export const labelsSchema = z
  .strictObject({
    one_of: nameList.min(1).optional().describe("At least one of these labels."),
    all_of: nameList.min(1).optional().describe("Every one of these labels."),
    none_of: nameList.min(1).optional().describe("None of these labels."),
  })
  .describe("Label rules on the pull request.");

type LabelsRequirement = z.infer<typeof labelsSchema>;

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

export const labels = defineKind({
  key: "labels",
  stages: ["pull_request"],
  schema: labelsSchema,
  events: ["pull_request.labeled", "pull_request.unlabeled"],
  check(spec, path, at) {
    if (Object.keys(spec).length === 0) {
      at.report(path, "no label rule given: give one_of, all_of or none_of");
    }
    const wanted = [...(spec.one_of ?? []), ...(spec.all_of ?? [])].map((l) => l.toLowerCase());
    spec.none_of?.forEach((label, index) => {
      if (wanted.includes(label.toLowerCase())) {
        at.report(
          [...path, "none_of", index],
          `label "${label}" is both required and forbidden, so the gate can never hold`,
        );
      }
    });
  },
  evaluate: (spec, subject) =>
    subject.stage === "pull_request"
      ? evaluateLabels(spec, subject.facts)
      : wrongStage("labels", subject),
});
