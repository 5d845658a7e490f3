import { isNotFound } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import type { PolicyFile, PolicySource } from "./types.js";

/**
 * Reads policy files from a repository's default branch: no `ref` is passed, so a pull
 * request can never supply the policy it is judged by.
 */
export function githubPolicySource(octokit: Octokit): PolicySource {
  return { read: (owner, repo, path) => readRepoFile(octokit, { owner, repo, path }) };
}

/**
 * Reads one file; with `ref`, at that commit (how a pull request's edit of the policy is
 * validated). Null when it does not exist; any other failure throws, so callers fail closed.
 */
export async function readRepoFile(
  octokit: Octokit,
  at: { owner: string; repo: string; path: string; ref?: string },
): Promise<PolicyFile | null> {
  try {
    const { owner, repo, path, ref } = at; // exactly these: anything else would become a query
    const { data } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path,
      ...(ref ? { ref } : {}),
    });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null;
    const suffix = at.ref ? `@${at.ref.slice(0, 7)}` : "";
    return {
      location: `${at.owner}/${at.repo}:${at.path}${suffix}`,
      text: Buffer.from(data.content, "base64").toString("utf8"),
      sha: data.sha,
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
