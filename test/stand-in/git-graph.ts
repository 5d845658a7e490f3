/** Refs and commit ancestry inside one repository record: what compare and contents need. */
import type { CommitRecord, FileRecord, RepoRecord } from "./records.js";

const FULL_SHA = /^[0-9a-f]{40}$/;
const SHORT_SHA = /^[0-9a-f]{7,39}$/;

function stripPrefix(ref: string, prefixes: string[]): string | undefined {
  for (const prefix of prefixes) if (ref.startsWith(prefix)) return ref.slice(prefix.length);
  return undefined;
}

/** A branch, tag (`refs/tags/x`, `tags/x`, `x`), full or abbreviated sha → commit sha. */
export function resolveRef(repo: RepoRecord, ref: string): string | undefined {
  if (FULL_SHA.test(ref) && repo.commits.has(ref)) return ref;
  const branch = stripPrefix(ref, ["refs/heads/", "heads/"]) ?? ref;
  const head = repo.branches.get(branch);
  if (head) return head;
  const tag = repo.tags.get(stripPrefix(ref, ["refs/tags/", "tags/"]) ?? ref);
  if (tag) return tag.commitSha;
  if (SHORT_SHA.test(ref)) {
    const found = [...repo.commits.keys()].filter((sha) => sha.startsWith(ref));
    if (found.length === 1) return found[0];
  }
  return undefined;
}

/** The files visible at a ref: a branch's files, or those of a branch whose head it is. */
export function filesAt(
  repo: RepoRecord,
  ref: string | undefined,
): Map<string, FileRecord> | undefined {
  const name = ref ?? repo.defaultBranch;
  const branch = stripPrefix(name, ["refs/heads/", "heads/"]) ?? name;
  const direct = repo.files.get(branch) ?? repo.files.get(name);
  if (direct) return direct;
  const sha = resolveRef(repo, name);
  if (!sha) return undefined;
  const bySha = repo.files.get(sha);
  if (bySha) return bySha;
  for (const [candidate, head] of repo.branches) {
    const files = repo.files.get(candidate);
    if (head === sha && files) return files;
  }
  return new Map();
}

/** Commits reachable from `sha` (itself included), newest first, parents in order. */
export function history(repo: RepoRecord, sha: string): CommitRecord[] {
  const seen = new Set<string>();
  const out: CommitRecord[] = [];
  const queue = [sha];
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined || seen.has(next)) continue;
    seen.add(next);
    const commit = repo.commits.get(next);
    if (!commit) continue;
    out.push(commit);
    queue.push(...commit.parents);
  }
  return out;
}

export interface Comparison {
  status: "diverged" | "ahead" | "behind" | "identical";
  aheadBy: number;
  behindBy: number;
  mergeBase: string;
  /** Commits in head but not in base, oldest first (GitHub's order). */
  commits: CommitRecord[];
}

export function compare(repo: RepoRecord, baseSha: string, headSha: string): Comparison {
  const base = history(repo, baseSha);
  const head = history(repo, headSha);
  const inBase = new Set(base.map((c) => c.sha));
  const inHead = new Set(head.map((c) => c.sha));
  const ahead = head.filter((c) => !inBase.has(c.sha));
  const behind = base.filter((c) => !inHead.has(c.sha));
  const mergeBase = head.find((c) => inBase.has(c.sha))?.sha ?? baseSha;
  const status =
    baseSha === headSha
      ? "identical"
      : ahead.length > 0 && behind.length > 0
        ? "diverged"
        : ahead.length > 0
          ? "ahead"
          : behind.length > 0
            ? "behind"
            : "identical";
  const byDate = (a: CommitRecord, b: CommitRecord) => a.date.localeCompare(b.date);
  return {
    status,
    aheadBy: ahead.length,
    behindBy: behind.length,
    mergeBase,
    commits: ahead.reverse().sort(byDate),
  };
}
