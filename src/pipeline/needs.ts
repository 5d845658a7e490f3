import type { ChecklistItem } from "../checklist/state.js";
import { checklistItemsOf, pullRequestNeeds } from "../evaluate/needs.js";
import type { Evaluation } from "../model/result.js";
import type { Policy } from "../policy/schema.js";
import type { Needs } from "../facts/needs.js";

/** The requests one evaluation of this policy needs: what the gates read, nothing more. */
export function needsFor(policy: Policy, owner: string): Needs & { checklist: boolean } {
  const needs = pullRequestNeeds(policy, owner);
  return { ...needs, checklist: needs.checklistItems.length > 0 };
}

/** Checklist items of the gates that apply to this pull request, in policy order. */
export function checklistItemsFor(policy: Policy, evaluation: Evaluation): ChecklistItem[] {
  const applying = new Set(
    evaluation.gates.filter((gate) => gate.status !== "skipped").map((gate) => gate.id),
  );
  return checklistItemsOf(policy, "pull_request", (id) => applying.has(id));
}
