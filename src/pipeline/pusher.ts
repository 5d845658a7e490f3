import type { RepoRef } from "../facts/types.js";

/** Where the login that pushed a head commit is kept (from the synchronize event). */
export function pusherKey(repo: RepoRef, sha: string): string {
  return `pusher:${repo.owner}/${repo.repo}@${sha}`.toLowerCase();
}
