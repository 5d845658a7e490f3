// The repository most end-to-end tests start from: a policy on the default branch and one
// merged pull request whose merge commit gets deployed or tagged.
import type { PullRequestSeed } from "../stand-in/seeds.js";
import type { StandIn } from "../stand-in/server.js";
import { GitHubEvents } from "./github-events.js";

/** Production waits for one approval by a member of the release-managers team. */
export const RELEASE_MANAGER_POLICY = `environments:
  production: {}
gates:
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { teams: [release-managers] } } }
`;

export interface MergedChange {
  events: GitHubEvents;
  mergeSha: string;
}

export function seedMergedChange(
  gh: StandIn,
  seed: {
    owner: string;
    repo: string;
    installationId: number;
    policy: string;
    pull: Omit<PullRequestSeed, "merged">;
    teams?: Record<string, string[]>;
  },
): MergedChange {
  const { owner, repo } = seed;
  gh.state.addRepo({ owner, repo, installationId: seed.installationId });
  gh.state.addFile(owner, repo, "main", ".github/release-policy.yml", seed.policy);
  for (const [slug, members] of Object.entries(seed.teams ?? {})) {
    gh.state.addTeam(owner, slug, members);
  }
  const merged = gh.state.addPullRequest(owner, repo, { ...seed.pull, merged: true });
  if (!merged.mergeCommitSha) throw new Error("the seeded pull request was not merged");
  return { events: new GitHubEvents(gh, owner, repo), mergeSha: merged.mergeCommitSha };
}

/** After each test: every request the app made was one GitHub would take. */
export function expectOnlyValidRequests(gh: StandIn): void {
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
}
