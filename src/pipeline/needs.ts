import type { ChecklistItem } from "../checklist/state.js";
import type { FactNeeds } from "../facts/pull-request.js";
import {
  factsNeeded,
  normalizeChecklistItem,
  pullRequestGates,
  qualifyTeam,
} from "../evaluate/needs.js";
import type { Evaluation } from "../model/result.js";
import type { Policy } from "../policy/schema.js";

/** The requests one evaluation of this policy needs: what the gates read, nothing more. */
export function needsFor(
  policy: Policy,
  owner: string,
): FactNeeds & { checklist: boolean; pusher: boolean } {
  const needed = factsNeeded(policy);
  const gates = pullRequestGates(policy).map(([, gate]) => gate);
  const approvals = gates.flatMap((gate) =>
    gate.require.approvals ? [gate.require.approvals] : [],
  );
  const defaultExclude = policy.defaults?.approvals?.exclude ?? ["author", "committers"];
  return {
    reviews: approvals.length > 0,
    committers: approvals.some((a) => (a.exclude ?? defaultExclude).includes("committers")),
    changedFiles: needed.changedFiles,
    teams: needed.teams.map((team) => qualifyTeam(team, owner)),
    permissions: needed.permissions,
    checkNames: needed.checkNames,
    checklist: needed.checklistItems.length > 0,
    pusher: needed.pusher,
  };
}

/** Checklist items of the gates that apply to this pull request, in policy order. */
export function checklistItemsFor(policy: Policy, evaluation: Evaluation): ChecklistItem[] {
  const applying = new Set(
    evaluation.gates.filter((gate) => gate.status !== "skipped").map((gate) => gate.id),
  );
  return pullRequestGates(policy).flatMap(([id, gate]) =>
    applying.has(id)
      ? (gate.require.checklist ?? []).map((item) => ({
          ...normalizeChecklistItem(item),
          gate: id,
        }))
      : [],
  );
}
