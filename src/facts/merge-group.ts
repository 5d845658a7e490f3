// What judging a merge queue entry needs: which pull requests the merge group brings, and
// the verdict each was judged with (the app's own `release-policy` check on its head).
//
// Which pull requests: GitHub builds the queue as a stack, one branch per entry, named
// `gh-readonly-queue/<base branch>/pr-<number>-<sha>` where <sha> is the head of the entry
// ahead (or the base branch's tip for the first). A group's head commit holds every entry
// up to its own, and merging it merges them all; when the queue may merge a failing entry
// with a passing one behind it ("only merge non-failing pull requests" off), the group's
// check is the last word on each of them. So the group is read by following the names
// down the stack: its own branch names its pull request and the branch it is stacked on,
// whose name names the next, until a commit that is no queue branch (the base branch).
// One request lists the queue's branches, whatever the group's size and merge method.
// Not chosen: the commits between base_sha and head_sha with a lookup of each commit's
// pull requests: a request per commit, and the squash and rebase methods make new commits
// that GitHub associates with no pull request until they are merged. A head branch that
// does not read as a queue branch names no pull request, and the group fails (fail closed).
import type { Octokit } from "../github/types.js";
import { readPolicyCheck, type PolicyVerdict } from "./deployment.js";
import type { RepoRef } from "./types.js";

/** One merge queue entry, as `merge_group.checks_requested` asks about it. */
export interface MergeGroupRequest {
  repo: RepoRef;
  /** The commit the group's checks are reported on. */
  headSha: string;
  /** e.g. "refs/heads/gh-readonly-queue/main/pr-104-929f8209…". */
  headRef: string;
  /** The full ref of the branch the group merges into, e.g. "refs/heads/main". */
  baseRef: string;
}

/** A pull request in the group, as GitHub shows it now, with its verdict. */
export interface QueuedPull {
  number: number;
  url: string;
  state: "open" | "closed";
  /** The branch it targets (without refs/heads/). */
  baseBranch: string;
  headSha: string;
  /** The app's own release-policy check on `headSha`. */
  verdict: PolicyVerdict;
}

export interface MergeGroupFacts {
  /** The branch the group merges into (without refs/heads/). */
  baseBranch: string;
  headSha: string;
  /** The group's pull requests, its own first; [] when its branch's name could not be read. */
  pulls: QueuedPull[];
}

const BRANCHES = "refs/heads/";
const QUEUE_PREFIX = "gh-readonly-queue/";
const QUEUE_BRANCH = /^gh-readonly-queue\/(.+)\/pr-(\d+)-([0-9a-f]{40})$/;

/** What a queue branch's name says: its pull request and the commit it is stacked on. */
export interface QueueEntry {
  number: number;
  stackedOn: string;
}

/** A queue branch of `baseBranch`, read from its name; undefined when it is none. */
export function queueEntryOf(ref: string, baseBranch: string): QueueEntry | undefined {
  const match = QUEUE_BRANCH.exec(branchOf(ref));
  if (!match || match[1] !== baseBranch) return undefined;
  const number = Number(match[2]);
  if (!Number.isSafeInteger(number) || number <= 0) return undefined;
  return { number, stackedOn: match[3] ?? "" };
}

/**
 * The pull requests of a merge group, its own first, then each entry ahead of it down the
 * stack: `queue` maps each queue branch's head commit to its ref. [] when `headRef` is no
 * queue branch of `baseBranch`.
 */
export function pullsOfGroup(
  headRef: string,
  baseBranch: string,
  queue: ReadonlyMap<string, string>,
): number[] {
  const numbers: number[] = [];
  const seen = new Set<string>();
  for (
    let entry = queueEntryOf(headRef, baseBranch);
    entry && !numbers.includes(entry.number) && !seen.has(entry.stackedOn);
    entry = queueEntryOf(queue.get(entry.stackedOn) ?? "", baseBranch)
  ) {
    numbers.push(entry.number);
    seen.add(entry.stackedOn);
  }
  return numbers;
}

export function branchOf(ref: string): string {
  return ref.startsWith(BRANCHES) ? ref.slice(BRANCHES.length) : ref;
}

/** The merge queue's branches for `baseBranch`: each head commit, and its ref. */
async function readQueue(
  octokit: Octokit,
  repo: RepoRef,
  baseBranch: string,
): Promise<Map<string, string>> {
  const refs = await octokit.paginate(octokit.rest.git.listMatchingRefs, {
    owner: repo.owner,
    repo: repo.repo,
    ref: `heads/${QUEUE_PREFIX}${baseBranch}/`,
  });
  return new Map(refs.map((ref) => [ref.object.sha, ref.ref]));
}

/**
 * Reads the queue's branches (one request), then each pull request the group brings and its
 * verdict (two requests each). Any failed request rejects, and the caller fails the
 * group's check with the reason.
 */
export async function gatherMergeGroupFacts(input: {
  octokit: Octokit;
  appId: number;
  request: MergeGroupRequest;
}): Promise<MergeGroupFacts> {
  const { octokit, appId, request } = input;
  const { repo } = request;
  const baseBranch = branchOf(request.baseRef);
  const own = queueEntryOf(request.headRef, baseBranch);
  const queue = own ? await readQueue(octokit, repo, baseBranch) : new Map<string, string>();
  const numbers = pullsOfGroup(request.headRef, baseBranch, queue);
  const pulls = await Promise.all(
    numbers.map(async (number): Promise<QueuedPull> => {
      const { data } = await octokit.rest.pulls.get({
        owner: repo.owner,
        repo: repo.repo,
        pull_number: number,
      });
      return {
        number,
        url: data.html_url,
        state: data.state,
        baseBranch: data.base.ref,
        headSha: data.head.sha,
        verdict: await readPolicyCheck(octokit, appId, repo, data.head.sha, number),
      };
    }),
  );
  return { baseBranch, headSha: request.headSha, pulls };
}
