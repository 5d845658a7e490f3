// What a release tag is on GitHub: the commit it names, whether it is annotated and signed,
// which branch holds that commit, and which earlier tag is the previous release.
//
// Cost, in requests: 1 (the ref) + 1 for an annotated tag (the tag object) + 1 per branch
// looked at (compare), + 1 to list branches when a rule names a glob, + 1 to list tags.
import semver from "semver";
import { isNotFound } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import { globsMatcher, isGlob } from "../model/glob.js";
import { compilePattern, testPattern } from "../model/regex.js";
import type { RepoRef } from "./types.js";

export interface TagFact {
  name: string;
  /** The commit the tag names; absent when the tag does not exist (not yet, or any more). */
  sha?: string;
  annotated: boolean;
  /** An annotated tag's signature as GitHub verified it. */
  verification?: { verified: boolean; reason: string };
}

/** Branches looked at for the branch rule: enough for main and a few release branches. */
export const MAX_BRANCHES_CHECKED = 10;
/** Tags listed when the previous release is looked for (GitHub's first page). */
export const MAX_TAGS_LISTED = 100;

/** Reads a tag: its ref, and for an annotated tag the tag object (signature, commit). */
export async function readTag(octokit: Octokit, repo: RepoRef, name: string): Promise<TagFact> {
  const at = { owner: repo.owner, repo: repo.repo };
  let ref;
  try {
    ref = (await octokit.rest.git.getRef({ ...at, ref: `tags/${name}` })).data;
  } catch (error) {
    if (isNotFound(error)) return { name, annotated: false };
    throw error;
  }
  if (ref.object.type !== "tag") return { name, sha: ref.object.sha, annotated: false };
  const { data } = await octokit.rest.git.getTag({ ...at, tag_sha: ref.object.sha });
  return {
    name,
    sha: data.object.sha,
    annotated: true,
    verification: {
      verified: data.verification?.verified === true,
      reason: data.verification?.reason ?? "unknown",
    },
  };
}

export interface BranchFact {
  /** The first branch found to hold the commit; absent when none of those looked at does. */
  branch?: string;
  /** Branches looked at, in order. */
  checked: string[];
  /** Branches matching the rule that were not looked at (over MAX_BRANCHES_CHECKED). */
  skipped: number;
}

/** Whether one of the branches the globs name holds the commit. */
export async function readBranch(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
  globs: readonly string[],
): Promise<BranchFact> {
  const candidates = await branchesMatching(octokit, repo, globs);
  const checked = candidates.slice(0, MAX_BRANCHES_CHECKED);
  const holds = await Promise.all(checked.map((branch) => contains(octokit, repo, branch, sha)));
  const found = checked.find((_, index) => holds[index]);
  return {
    ...(found !== undefined ? { branch: found } : {}),
    checked,
    skipped: candidates.length - checked.length,
  };
}

/** Literal names as written; globs expanded against the repository's branches (one page). */
async function branchesMatching(
  octokit: Octokit,
  repo: RepoRef,
  globs: readonly string[],
): Promise<string[]> {
  const literal = globs.filter((g) => !isGlob(g));
  const patterns = globs.filter(isGlob);
  if (patterns.length === 0) return [...new Set(literal)];
  const { data } = await octokit.rest.repos.listBranches({
    owner: repo.owner,
    repo: repo.repo,
    per_page: 100,
  });
  const match = globsMatcher(patterns);
  return [...new Set([...literal, ...data.map((b) => b.name).filter((name) => match(name))])];
}

/** A branch holds the commit when comparing the branch to it finds it behind or identical. */
async function contains(
  octokit: Octokit,
  repo: RepoRef,
  branch: string,
  sha: string,
): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: repo.owner,
      repo: repo.repo,
      basehead: `${branch}...${sha}`,
      per_page: 1,
    });
    return data.status === "behind" || data.status === "identical";
  } catch (error) {
    // A branch named in the policy that does not exist holds nothing.
    if (isNotFound(error)) return false;
    throw error;
  }
}

export interface PreviousTag {
  name: string;
  sha: string;
}

/**
 * The previous release: among the listed tags that match the pattern (every tag without one),
 * the greatest below this one in version order. A final release follows the previous final
 * release, skipping pre-releases; a pre-release follows whatever came before it.
 */
export async function readPreviousTag(
  octokit: Octokit,
  repo: RepoRef,
  name: string,
  pattern: string | undefined,
): Promise<PreviousTag | undefined> {
  const { data } = await octokit.rest.repos.listTags({
    owner: repo.owner,
    repo: repo.repo,
    per_page: MAX_TAGS_LISTED,
  });
  const tags = data.map((t) => ({ name: t.name, sha: t.commit.sha }));
  return previousOf(name, tags, pattern);
}

/** Pure part of readPreviousTag, for tests. */
export function previousOf(
  name: string,
  tags: readonly PreviousTag[],
  pattern: string | undefined,
): PreviousTag | undefined {
  const re = pattern === undefined ? undefined : compilePattern(pattern);
  const final = !isPrerelease(name);
  const earlier = tags.filter(
    (t) =>
      t.name !== name &&
      (re === undefined || testPattern(re, t.name)) &&
      compareVersions(t.name, name) < 0 &&
      (!final || !isPrerelease(t.name)),
  );
  return earlier.sort((a, b) => compareVersions(b.name, a.name))[0];
}

// Semantic versions (a leading "v" allowed), by the semver package's precedence; tags
// that are not versions compare naturally ("build-9" before "build-10").
const natural = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

export function isPrerelease(name: string): boolean {
  return (semver.parse(name)?.prerelease.length ?? 0) > 0;
}

/** Semantic-version order (precedence, build metadata ignored); natural order otherwise. */
export function compareVersions(a: string, b: string): number {
  const x = semver.parse(a);
  const y = semver.parse(b);
  return x && y ? semver.compare(x, y) : natural.compare(a, b);
}
