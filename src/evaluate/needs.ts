// What the facts gatherers must fetch to judge a stage's gates, so that they make no request a
// gate does not need (requests, not our logic, are the cost of a webhook). Each requirement
// kind says what it needs (src/requirements/*); this adds up the gates of one stage.
import type { ChecklistItem } from "../checklist/state.js";
import type { Gate, Policy } from "../policy/schema.js";
import { normalizeChecklistItem } from "../requirements/checklist.js";
import type { Needs } from "../facts/needs.js";
import type { Stage } from "../requirements/kind.js";
import { qualifyTeam } from "../requirements/principals.js";
import { needsOf } from "../requirements/registry.js";
import { deploymentGates, gatesOf } from "./stages.js";
import type { Principals } from "../model/principals.js";

/** What one stage's gates need, with teams qualified by the repository's owner. */
export function needsOfGates(
  gates: readonly Gate[],
  policy: Policy,
  owner: string,
): Needs & { checklistItems: { text: string; by?: Principals }[] } {
  const needs = needsOf(
    gates.map((g) => g.require),
    policy.defaults,
  );
  return {
    ...needs,
    // Conditions are judged on the changed paths too.
    changedFiles:
      needs.changedFiles ||
      gates.some((g) => g.when?.paths !== undefined || g.unless?.paths !== undefined),
    teams: [...new Set(needs.teams.map((team) => qualifyTeam(team, owner)))],
    checklistItems: mergeChecklistItems(needs.checklistItems),
  };
}

export function pullRequestNeeds(policy: Policy, owner: string): Needs {
  return needsOfGates(
    gatesOf(policy, "pull_request").map(([, g]) => g),
    policy,
    owner,
  );
}

export function releaseNeeds(policy: Policy, owner: string): Needs {
  return needsOfGates(
    gatesOf(policy, "release").map(([, g]) => g),
    policy,
    owner,
  );
}

export function deploymentNeeds(policy: Policy, environment: string, owner: string): Needs {
  return needsOfGates(
    deploymentGates(policy, environment).map(([, g]) => g),
    policy,
    owner,
  );
}

/** Every checklist item of a stage's gates, with the gate that asks, in policy order. */
export function checklistItemsOf(
  policy: Policy,
  stage: Stage,
  applying: (gateId: string) => boolean = () => true,
): ChecklistItem[] {
  return gatesOf(policy, stage).flatMap(([gate, spec]) =>
    applying(gate)
      ? (spec.require.checklist ?? []).map((item) => ({ ...normalizeChecklistItem(item), gate }))
      : [],
  );
}

/**
 * One entry per item text, as the checklist comment shows one box per text. When gates list
 * the same text with different `by`, the gatherer accepts a tick from anyone any of them
 * allows (the union; no `by` anywhere means anyone), and each gate re-checks its own `by`.
 */
function mergeChecklistItems(
  items: { text: string; by?: Principals }[],
): { text: string; by?: Principals }[] {
  const merged = new Map<string, { text: string; by?: Principals }>();
  for (const item of items) {
    const seen = merged.get(item.text);
    if (!seen) merged.set(item.text, item);
    else if (!seen.by || !item.by) merged.set(item.text, { text: item.text });
    else merged.set(item.text, { text: item.text, by: unionPrincipals(seen.by, item.by) });
  }
  return [...merged.values()];
}

function unionPrincipals(a: Principals, b: Principals): Principals {
  const users = unique([...(a.users ?? []), ...(b.users ?? [])]);
  const teams = unique([...(a.teams ?? []), ...(b.teams ?? [])]);
  return { ...(users.length ? { users } : {}), ...(teams.length ? { teams } : {}) };
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];
