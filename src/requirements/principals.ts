// Who may act for a requirement, as the policy writes it, and the checks every kind naming
// people shares: logins and team slugs that GitHub would accept, and a count the listed
// users can reach.
import { z } from "zod";
import { principalsSchema, type Principals } from "../model/principals.js";
import type { PathSegment, SemanticContext } from "./kind.js";

export const approversSchema = principalsSchema
  .extend({
    permission: z
      .enum(["read", "triage", "write", "maintain", "admin"])
      .optional()
      .describe("Anyone whose repository permission is at least this."),
  })
  .describe(
    "Whose approval counts: a listed user, a member of a listed team, or anyone with at least the given repository permission. Omitted: anyone with write permission.",
  );

export type Approvers = z.infer<typeof approversSchema>;

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const TEAM = /^(?:[A-Za-z0-9][A-Za-z0-9-]*\/)?[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Every listed login and team slug is one GitHub would accept, and someone is named. */
export function checkPrincipals(
  at: SemanticContext,
  path: PathSegment[],
  who: Principals,
  hasOthers = false,
): void {
  const users = who.users ?? [];
  const teams = who.teams ?? [];
  if (users.length === 0 && teams.length === 0 && !hasOthers) {
    at.report(path, "names nobody: give users or teams (or, for approvals, a permission)");
  }
  users.forEach((user, index) => {
    if (LOGIN.test(user)) return;
    const hint = user.startsWith("@") ? `: write it without "@"` : "";
    at.report([...path, "users", index], `"${user}" is not a GitHub login${hint}`);
  });
  teams.forEach((team, index) => {
    if (TEAM.test(team)) return;
    const hint = team.startsWith("@")
      ? `: write it without "@"`
      : ': use the team\'s slug ("release-managers"), not its display name';
    at.report([...path, "teams", index], `"${team}" is not a team slug${hint}`);
  });
}

/** A count only listed users can satisfy must not exceed how many users are listed. */
export function checkReachableCount(
  at: SemanticContext,
  path: PathSegment[],
  count: number,
  who: Principals,
  noun: string,
): void {
  const distinct = new Set((who.users ?? []).map((u) => u.toLowerCase())).size;
  if ((who.teams ?? []).length > 0 || distinct === 0 || count <= distinct) return;
  at.report(
    [...path, "count"],
    `${count} ${noun} are required but only ${distinct} ${distinct === 1 ? "user is" : "users are"} listed in from.users, so the gate can never hold`,
  );
}

/**
 * N sign-offs by listed people, some of whom never count: the shape deployment approvals and
 * release sign-offs share. Only the words and the exclusions differ.
 */
export function peopleCountSchema<E extends z.ZodType>(spec: {
  max: number;
  count: string;
  from: string;
  exclude: E;
  excludeText: string;
  text: string;
}) {
  return z
    .strictObject({
      count: z.int().min(1).max(spec.max).describe(spec.count),
      from: principalsSchema.describe(spec.from),
      exclude: z.array(spec.exclude).optional().describe(spec.excludeText),
    })
    .describe(spec.text);
}

/** "org/slug" for a team as written in the policy: a bare slug belongs to the repository's owner. */
export function qualifyTeam(slug: string, owner: string): string {
  return slug.includes("/") ? slug : `${owner}/${slug}`;
}
