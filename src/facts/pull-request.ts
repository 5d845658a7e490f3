import type { Octokit } from "../github/types.js";
import type { ChecklistFacts, PullRequestFacts, RepoRef, ReviewFact } from "./types.js";
import { readCommits, type PullAt } from "./committers.js";
import { readRuns, readStatuses, type CheckRunData, type ShownRun } from "./checks.js";
import { factKeys, type FactCache } from "./fact-cache.js";
import { readPermissions } from "./permissions.js";
import { TEAM_TTL_MS, type TeamReader } from "./teams.js";
import {
  createChangeRecordReader,
  gatherChangeRecords,
  type ChangeRecordLookup,
} from "./change-record-clients.js";
import type { ChangeRecordNeed } from "./change-records.js";

/** Which facts the policy's gates need: nothing else is requested. */
export interface FactNeeds {
  reviews: boolean;
  committers: boolean;
  changedFiles: boolean;
  /** Qualified "org/slug" team names. */
  teams: string[];
  /** Whether approver eligibility depends on repository permission. */
  permissions: boolean;
  /** Check and status names some gate requires; statuses are read only when non-empty. */
  checkNames: string[];
  /** Change records to look up (change_record gates); none when absent. */
  changeRecords?: ChangeRecordNeed[];
}

/** The fields of a pull request the app reads: webhook payloads and the REST API both fit. */
export interface PullRequestSnapshot {
  number: number;
  title: string;
  body: string | null;
  /** Null for a deleted account. */
  user: { login: string } | null;
  draft?: boolean;
  state: string;
  merged?: boolean | null;
  base: { ref: string };
  head: { ref: string; sha: string };
  labels: { name: string }[];
}

export interface GatheredPullRequest {
  facts: PullRequestFacts;
  /** The app's own check run on the head commit, if it has one. */
  ownRun: ShownRun | undefined;
}

/**
 * Gathers, in parallel, the facts the policy's pull-request gates need. Each source comes
 * from the cache unless an event dropped it (see src/facts/invalidation.ts for which event
 * drops what) or it expired; what is read is kept. Any request failure rejects: the caller
 * reports an error and approves nothing.
 */
export async function gatherPullRequestFacts(input: {
  octokit: Octokit;
  repo: RepoRef;
  pr: PullRequestSnapshot;
  needs: FactNeeds;
  teams: TeamReader;
  checklist: ChecklistFacts;
  pusher?: string;
  cache: FactCache;
  /** Whether a check run is the app's own: it is kept whole, for the write that follows. */
  isOwnRun: (run: CheckRunData) => boolean;
  /** Reads change records; without one, every lookup is an error naming what to configure. */
  changeRecords?: ChangeRecordLookup;
}): Promise<GatheredPullRequest> {
  const { octokit, repo, pr, needs, cache } = input;
  const sha = pr.head.sha;
  const at = { owner: repo.owner, repo: repo.repo, pull_number: pr.number };
  const pull = <T>(source: "reviews" | "commits" | "files", read: () => Promise<T>) =>
    cache.through(factKeys.pull(repo, pr.number, sha, source), read);
  const recordNeeds = needs.changeRecords ?? [];
  const [reviews, committers, changedFiles, runs, statuses, teams, changeRecords] =
    await Promise.all([
      needs.reviews ? pull("reviews", () => readReviews(octokit, at)) : Promise.resolve([]),
      needs.committers
        ? pull("commits", () => readCommits(octokit, at))
        : Promise.resolve(undefined),
      needs.changedFiles
        ? pull("files", () => readChangedFiles(octokit, at))
        : Promise.resolve(undefined),
      cache.through(factKeys.commit(repo, sha, "runs"), () =>
        readRuns(octokit, repo, sha, input.isOwnRun),
      ),
      needs.checkNames.length > 0
        ? cache.through(factKeys.commit(repo, sha, "statuses"), () =>
            readStatuses(octokit, repo, sha),
          )
        : Promise.resolve([]),
      input.teams.members(needs.teams),
      recordNeeds.length > 0
        ? gatherChangeRecords(input.changeRecords ?? createChangeRecordReader({}), recordNeeds, [
            {
              name: `#${pr.number}`,
              texts: {
                title: [pr.title],
                body: [pr.body ?? ""],
                branch: [pr.head.ref],
                labels: pr.labels.map((label) => label.name),
              },
            },
          ])
        : Promise.resolve(undefined),
    ]);
  const permissions = needs.permissions
    ? await permissionsOf(octokit, cache, repo, reviewersOf(reviews))
    : {};
  const facts: PullRequestFacts = {
    repo,
    number: pr.number,
    title: pr.title,
    body: pr.body ?? "",
    author: pr.user?.login ?? "ghost",
    draft: pr.draft ?? false,
    state: pr.state === "open" ? "open" : "closed",
    merged: pr.merged ?? false,
    baseRef: pr.base.ref,
    headRef: pr.head.ref,
    headSha: sha,
    labels: pr.labels.map((label) => label.name),
    ...(changedFiles ? { changedFiles } : {}),
    committers: committers?.logins ?? [],
    ...(committers
      ? { committerGaps: { unlinked: committers.unlinked, truncated: committers.truncated } }
      : {}),
    ...(input.pusher ? { pusher: input.pusher } : {}),
    reviews,
    checks: [...runs.facts, ...statuses],
    teams,
    permissions,
    checklist: input.checklist,
    ...(changeRecords ? { changeRecords } : {}),
  };
  return { facts, ownRun: runs.own };
}

/**
 * Repository permission per reviewer, kept per user as briefly as team membership: no
 * webhook the app receives announces a permission change, so only the short time to live
 * bounds how long a demoted reviewer still counts (a review event re-reads its reviewer's).
 */
async function permissionsOf(
  octokit: Octokit,
  cache: FactCache,
  repo: RepoRef,
  users: string[],
): Promise<PullRequestFacts["permissions"]> {
  const entries = await Promise.all(
    users.map(async (user) => {
      const read = await cache.through(
        factKeys.permission(repo, user),
        () => readPermissions(octokit, repo, [user]),
        TEAM_TTL_MS,
      );
      return [user, read[user] ?? "none"] as const;
    }),
  );
  return Object.fromEntries(entries);
}

async function readReviews(octokit: Octokit, at: PullAt): Promise<ReviewFact[]> {
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { ...at, per_page: 100 });
  return reviews.flatMap((review) =>
    review.user && review.commit_id
      ? [
          {
            user: review.user.login,
            ...(review.user.type === "Bot" ? { bot: true } : {}),
            state: review.state as ReviewFact["state"],
            commitId: review.commit_id,
            submittedAt: review.submitted_at ?? "",
          },
        ]
      : [],
  );
}

/** Paths a pull request changes, renamed files under both names. */
export async function readChangedFiles(octokit: Octokit, at: PullAt): Promise<string[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { ...at, per_page: 100 });
  return files.flatMap((file) =>
    file.previous_filename ? [file.filename, file.previous_filename] : [file.filename],
  );
}

function reviewersOf(reviews: ReviewFact[]): string[] {
  return [...new Set(reviews.map((review) => review.user))].sort();
}
