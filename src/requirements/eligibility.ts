// Who may act for a gate: approve for it, or tick one of its checklist items.
import type { PullRequestFacts } from "../facts/types.js";
import { orList } from "../model/words.js";
import { qualifyTeam, type Approvers } from "./principals.js";
import { sameName } from "../model/names.js";

type Permission = NonNullable<Approvers["permission"]>;

const permissionRank: Record<PullRequestFacts["permissions"][string], number> = {
  none: 0,
  read: 1,
  triage: 2,
  write: 3,
  maintain: 4,
  admin: 5,
};

/** What eligibility reads: the facts of a pull request, a deployment, or a checklist edit. */
export interface MembershipFacts {
  repo: { owner: string };
  /** Members of each team, by "org/slug"; a team left out is unknown, never empty. */
  teams: Record<string, string[]>;
  permissions?: PullRequestFacts["permissions"];
}

export type Eligibility =
  | { kind: "eligible"; via: string }
  | { kind: "ineligible" }
  /** Eligibility hinges on a fact the gatherer did not supply: never counted as eligible. */
  | { kind: "unknown"; missing: string[] };

/** A team's members from the facts, by "org/slug" (GitHub compares both case-insensitively). */
export function teamMembers(facts: MembershipFacts, team: string): string[] | undefined {
  const key = qualifyTeam(team, facts.repo.owner);
  const found = Object.entries(facts.teams).find(([k]) => sameName(k, key));
  return found?.[1];
}

function lookupPermission(
  facts: MembershipFacts,
  login: string,
): PullRequestFacts["permissions"][string] | undefined {
  return Object.entries(facts.permissions ?? {}).find(([k]) => sameName(k, login))?.[1];
}

/**
 * Whether `login` is a listed user, a member of a listed team, or (when `permission` is given)
 * holds at least that repository permission. Principals that name nobody make nobody eligible.
 * A listed team whose members are missing from the facts, or a permission that was not
 * fetched, makes the answer "unknown" unless another route already proves eligibility.
 */
export function isEligible(
  principals: Approvers,
  login: string,
  facts: MembershipFacts,
): Eligibility {
  if ((principals.users ?? []).some((u) => sameName(u, login)))
    return { kind: "eligible", via: "listed" };
  const missing: string[] = [];
  for (const team of principals.teams ?? []) {
    const members = teamMembers(facts, team);
    if (members === undefined)
      missing.push(`the members of team ${qualifyTeam(team, facts.repo.owner)}`);
    else if (members.some((m) => sameName(m, login)))
      return { kind: "eligible", via: `member of team ${team}` };
  }
  if (principals.permission !== undefined) {
    const held = lookupPermission(facts, login);
    if (held === undefined) missing.push(`the repository permission of @${login}`);
    else if (permissionRank[held] >= permissionRank[principals.permission]) {
      return { kind: "eligible", via: `has ${held} permission` };
    }
  }
  return missing.length > 0 ? { kind: "unknown", missing } : { kind: "ineligible" };
}

/** "team cab, @alice or anyone with write permission or more", for reasons and fixes. */
export function describePrincipals(principals: Approvers): string {
  const parts: string[] = [];
  const teams = principals.teams ?? [];
  if (teams.length > 0) parts.push(`${teams.length > 1 ? "teams" : "team"} ${teams.join(", ")}`);
  for (const u of principals.users ?? []) parts.push(`@${u}`);
  if (principals.permission) parts.push(`anyone with ${describePermission(principals.permission)}`);
  if (parts.length === 0) return "nobody (the policy names no user, team or permission)";
  return orList(parts);
}

function describePermission(p: Permission): string {
  return p === "admin" ? "admin permission" : `${p} permission or more`;
}
