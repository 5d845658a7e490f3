// What the evaluator knows about the world. Gathered from GitHub once per event by
// src/facts/*, or read from a recorded file by the CLI. Plain data only: no clients, no
// promises, so the evaluator stays pure and the CLI can replay it.

import type { ChangeRecordFact } from "./change-records.js";

export interface RepoRef {
  owner: string;
  repo: string;
  defaultBranch: string;
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
