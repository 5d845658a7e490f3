import type { Octokit } from "../github/types.js";
import type { PullRequestFacts, RepoRef } from "./types.js";

type Permission = PullRequestFacts["permissions"][string];
const ROLES: Permission[] = ["none", "read", "triage", "write", "maintain", "admin"];

/** Repository permission of each user: one request per user, only when a gate needs it. */
export async function readPermissions(
  octokit: Octokit,
  repo: RepoRef,
  users: string[],
): Promise<Record<string, Permission>> {
  const entries = await Promise.all(
    users.map(async (username) => {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
        owner: repo.owner,
        repo: repo.repo,
        username,
      });
      // role_name carries maintain and triage, which the legacy `permission` field folds away.
      const role =
        ROLES.find((r) => r === data.role_name) ?? ROLES.find((r) => r === data.permission);
      return [username, role ?? "none"] as const;
    }),
  );
  return Object.fromEntries(entries);
}
