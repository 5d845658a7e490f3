// Who may act, as a policy names them: users and teams. Several requirement kinds (approvals,
// checklist ticks, deployment approvals, sign-offs) and the checklist comment share it.
import { z } from "zod";
import { orList } from "./words.js";

export const name = z.string().min(1).max(200);
export const nameList = z.array(name).max(100);

export const principalsSchema = z
  .strictObject({
    users: nameList.optional().describe("GitHub logins."),
    teams: nameList
      .optional()
      .describe('Team slugs in the repository\'s organization ("cab"), or "org/slug".'),
  })
  .describe("Who may act: any listed user, or any member of a listed team.");

export type Principals = z.infer<typeof principalsSchema>;

/**
 * The handles a policy's principals are mentioned by: its users, and its teams written with
 * their organization (a bare slug is named, never mentioned: see `mentionPrincipals`).
 */
export function principalHandles(by: Principals): string[] {
  return [...(by.users ?? []), ...(by.teams ?? []).filter((team) => team.includes("/"))];
}

/**
 * Who the principals are, as plain text: "@alice, @bob or members of @org/service-desk".
 * A team written without its organization cannot be mentioned, so it is named instead.
 */
export function mentionPrincipals(by: Principals): string {
  const users = (by.users ?? []).map((u) => `@${u}`);
  const teams = (by.teams ?? []).map((t) => (t.includes("/") ? `@${t}` : `the ${t} team`));
  const parts = [...users];
  if (teams.length > 0) parts.push(`members of ${orList(teams)}`);
  return parts.length === 0 ? "nobody" : orList(parts);
}
