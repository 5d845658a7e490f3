// What the facts gatherer must fetch for a policy's pull-request gates, so that it makes no
// request a gate does not need (requests, not our logic, are the cost of a webhook).
import type { Approvers, ChecklistItemSpec, Gate, Policy, Principals } from "../policy/schema.js";

export interface FactsNeeded {
  /** Some condition has `paths`. */
  changedFiles: boolean;
  /** Teams as written in the policy: "org/slug" or a bare slug (qualify with {@link qualifyTeam}). */
  teams: string[];
  /** Some approvals requirement decides eligibility by repository permission. */
  permissions: boolean;
  /** Some approvals requirement excludes whoever pushed the head commit. */
  pusher: boolean;
  /** Every checklist item, once per text. */
  checklistItems: { text: string; by?: Principals }[];
  checkNames: string[];
}

/** "org/slug" for a team as written in the policy: a bare slug belongs to the repository's owner. */
export function qualifyTeam(slug: string, owner: string): string {
  return slug.includes("/") ? slug : `${owner}/${slug}`;
}

export function pullRequestGates(policy: Policy): [string, Gate][] {
  return Object.entries(policy.gates ?? {}).filter(([, g]) => g.stage === "pull_request");
}

export function normalizeChecklistItem(item: ChecklistItemSpec): { text: string; by?: Principals } {
  return typeof item === "string" ? { text: item } : item;
}

export function checkNamesOf(checks: NonNullable<Gate["require"]["checks"]>): string[] {
  return Array.isArray(checks) ? checks : checks.names;
}

/** Omitted `from` means anyone with write permission or more. */
export function approversOf(from: Approvers | undefined): Approvers {
  return from ?? { permission: "write" };
}

export function factsNeeded(policy: Policy): FactsNeeded {
  const gates = pullRequestGates(policy).map(([, g]) => g);
  const approvals = gates.flatMap((g) => (g.require.approvals ? [g.require.approvals] : []));
  const approvers = approvals.map((a) => approversOf(a.from));
  const checklist = mergeChecklistItems(
    gates.flatMap((g) => (g.require.checklist ?? []).map(normalizeChecklistItem)),
  );
  const defaultExclude = policy.defaults?.approvals?.exclude;
  return {
    changedFiles: gates.some((g) => g.when?.paths !== undefined || g.unless?.paths !== undefined),
    teams: unique(
      [...approvers, ...checklist.flatMap((i) => (i.by ? [i.by] : []))].flatMap(
        (p) => p.teams ?? [],
      ),
    ),
    permissions: approvers.some((a) => a.permission !== undefined),
    pusher: approvals.some((a) => (a.exclude ?? defaultExclude ?? []).includes("pusher")),
    checklistItems: checklist,
    checkNames: unique(
      gates.flatMap((g) => (g.require.checks ? checkNamesOf(g.require.checks) : [])),
    ),
  };
}

/**
 * One entry per item text, as the checklist comment shows one box per text. When gates list
 * the same text with different `by`, the gatherer accepts a tick from anyone any of them
 * allows (the union; no `by` anywhere means anyone), and each gate re-checks its own `by`.
 */
function mergeChecklistItems(
  items: { text: string; by?: Principals }[],
): FactsNeeded["checklistItems"] {
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
