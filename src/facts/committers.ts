// Who wrote and committed a pull request's commits, and what that list cannot show: commits
// whose author or committer has no linked GitHub account, and commits past the 250 GitHub
// lists. Segregation of duties reads both, so that neither widens who may approve.
import type { Octokit } from "../github/types.js";
import type { CommitterFacts, UnlinkedCommitter } from "./types.js";

export type PullAt = { owner: string; repo: string; pull_number: number };

/** GitHub lists at most this many of a pull request's commits; the rest are never returned. */
export const LISTED_COMMITS_LIMIT = 250;

/** The git identity of an author or committer, as the commit records it. */
interface GitPerson {
  name?: string | null;
  email?: string | null;
}

interface ListedCommit {
  sha: string;
  /** Empty or null when the git identity is linked to no account. */
  author: { login?: string } | null;
  committer: { login?: string } | null;
  commit: { author: GitPerson | null; committer: GitPerson | null };
}

/** The commits' linked logins, their unlinked identities, and whether the list was cut. */
export async function readCommits(octokit: Octokit, at: PullAt): Promise<CommitterFacts> {
  const commits = await octokit.paginate(octokit.rest.pulls.listCommits, { ...at, per_page: 100 });
  return committerFactsOf(commits);
}

export function committerFactsOf(commits: readonly ListedCommit[]): CommitterFacts {
  const logins = new Set<string>();
  const unlinked = new Map<string, UnlinkedCommitter>();
  const note = (person: GitPerson | null, sha: string): void => {
    const identity = identityOf(person);
    const key = identity.toLowerCase();
    if (!unlinked.has(key)) unlinked.set(key, { identity, sha });
  };
  for (const c of commits) {
    if (c.author?.login) logins.add(c.author.login);
    else note(c.commit.author, c.sha);
    // web-flow is GitHub committing for whoever used its web interface: the author is that person.
    if (c.committer?.login) {
      if (c.committer.login !== "web-flow") logins.add(c.committer.login);
    } else note(c.commit.committer, c.sha);
  }
  return {
    logins: [...logins].sort(),
    unlinked: [...unlinked.values()],
    // Exactly 250 is indistinguishable from more: the list is taken as cut either way.
    truncated: commits.length >= LISTED_COMMITS_LIMIT,
  };
}

/** "Jane Doe <jane@example.com>", as git shows a person; whatever the commit leaves out is left out. */
function identityOf(person: GitPerson | null): string {
  const name = person?.name?.trim() ?? "";
  const email = person?.email?.trim() ?? "";
  if (name && email) return `${name} <${email}>`;
  return name || (email ? `<${email}>` : "an unnamed git identity");
}
