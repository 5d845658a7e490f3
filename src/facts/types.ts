// What the evaluator knows about the world. Gathered from GitHub once per event by
// src/facts/*, or read from a recorded file by the CLI. Plain data only: no clients, no
// promises, so the evaluator stays pure and the CLI can replay it.

import type { ChangeRecordFact } from "./change-records.js";

export interface RepoRef {
  owner: string;
  repo: string;
  defaultBranch: string;
  /** GitHub's id of the repository, as the webhook said: unlike its name, it never changes. */
  id?: number;
  /**
   * Whether the owner is an organization, as the webhook said; absent when unknown. Only an
   * organization's base policy can be required of its repositories (src/policy/required-base.ts).
   */
  organization?: boolean;
  /**
   * Who can read the repository, as the webhook being handled said; absent when unknown. A
   * request kept in the store drops it (src/holds/registry.ts): it may have changed since.
   */
  visibility?: Visibility;
}

export type Visibility = "public" | "internal" | "private";

export interface ReviewFact {
  /** Reviewer login. */
  user: string;
  /** Whether GitHub says the reviewer is a bot account (an app or a machine user marked so). */
  bot?: boolean;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  /** The commit the review was given on. */
  commitId: string;
  /** ISO 8601. */
  submittedAt: string;
}

/** Every state a check can be in: a check run's conclusions, "error" (commit statuses), "pending". */
export const CHECK_STATES = [
  "success",
  "neutral",
  "skipped",
  "failure",
  "cancelled",
  "timed_out",
  "action_required",
  "stale",
  "error",
  "pending",
] as const;

export type CheckState = (typeof CHECK_STATES)[number];

export interface CheckFact {
  /** Check run name, or commit status context. */
  name: string;
  source: "check_run" | "status";
  /** The slug of the app that wrote a check run; GitHub gives commit statuses no app. */
  app?: string;
  /** Completed conclusion, or "pending" while queued / in progress. */
  state: CheckState;
  url?: string;
}

export interface ChecklistTick {
  checked: boolean;
  /** Who set the box's current state, and when (ISO 8601); absent if never touched. */
  by?: string;
  at?: string;
}

export interface ChecklistFacts {
  /** The app's checklist comment, if it exists yet. */
  commentId?: number;
  /** Ticks by item text (the policy's item text is the key). */
  ticks: Record<string, ChecklistTick>;
}

/** A commit author or committer with no linked GitHub account: only git's name and email. */
export interface UnlinkedCommitter {
  /** "Name <email>" as the commit records it: text anyone can write, shown, never trusted. */
  identity: string;
  /** One commit that carries it. */
  sha: string;
}

/** Who wrote and committed a pull request's commits, and what GitHub's list cannot show. */
export interface CommitterFacts {
  /** Linked GitHub logins of the commits' authors and committers. */
  logins: string[];
  /** Identities with no linked account: anyone may be behind one. */
  unlinked: UnlinkedCommitter[];
  /** Whether the pull request has more commits than GitHub lists (250): the rest are unread. */
  truncated: boolean;
}

export interface PullRequestFacts {
  repo: RepoRef;
  number: number;
  title: string;
  body: string;
  author: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
  baseRef: string;
  headRef: string;
  headSha: string;
  labels: string[];
  /** Paths of changed files; absent when no condition needs them (saves requests). */
  changedFiles?: string[];
  /** Logins of the authors and committers of the PR's commits. */
  committers: string[];
  /** What the committers cannot show; absent when no gate excludes committers. */
  committerGaps?: Omit<CommitterFacts, "logins">;
  /** Whoever pushed the head commit, when known. */
  pusher?: string;
  reviews: ReviewFact[];
  checks: CheckFact[];
  /** Members of each team a gate names, by "org/slug". */
  teams: Record<string, string[]>;
  /** Repository permission of users whose eligibility depends on it. */
  permissions: Record<string, "none" | "read" | "triage" | "write" | "maintain" | "admin">;
  checklist: ChecklistFacts;
  /** Change records the pull request references; absent when no gate asks for them. */
  changeRecords?: ChangeRecordFact[];
}
