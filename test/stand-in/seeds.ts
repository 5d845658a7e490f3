/** What tests hand the in-memory GitHub: the seeds, with defaults filled in by the state. */
import type {
  AppRecord,
  CheckConclusion,
  CheckStatus,
  DeploymentState,
  DiffFile,
  ReviewState,
  WorkflowRunRecord,
} from "./records.js";

export type Time = string | Date;

export interface RepoSeed {
  owner: string;
  repo: string;
  defaultBranch?: string;
  installationId?: number;
  private?: boolean;
}

export interface CommitSeed {
  sha?: string;
  message?: string;
  author?: string;
  committer?: string;
  date?: Time;
  files?: DiffFileSeed[];
}

export interface DiffFileSeed {
  filename: string;
  status?: DiffFile["status"];
  additions?: number;
  deletions?: number;
  previousFilename?: string;
}

export interface PullRequestSeed {
  number?: number;
  title: string;
  body?: string | null;
  author?: string;
  headRef?: string;
  baseRef?: string;
  /** Commits on the head branch, oldest first; one is made up when omitted. */
  commits?: CommitSeed[];
  /** Files the PR changes; defaults to the union of its commits' files. */
  files?: DiffFileSeed[];
  labels?: string[];
  state?: "open" | "closed";
  draft?: boolean;
  merged?: boolean;
  mergedAt?: Time;
  mergedBy?: string;
  requestedReviewers?: string[];
  requestedTeams?: string[];
  createdAt?: Time;
}

export interface IssueSeed {
  title: string;
  body?: string | null;
  author?: string;
  labels?: string[];
  assignees?: string[];
  state?: "open" | "closed";
  createdAt?: Time;
}

export interface ReviewSeed {
  user: string;
  state: ReviewState;
  body?: string;
  /** Defaults to the PR's current head sha. */
  commitId?: string;
  submittedAt?: Time;
}

export interface CheckRunSeed {
  name: string;
  headSha: string;
  status?: CheckStatus;
  conclusion?: CheckConclusion | null;
  /** The app that owns the run; defaults to a CI app, not the app under test. */
  app?: { id: number; slug: string; name?: string };
  startedAt?: Time;
  completedAt?: Time;
  summary?: string;
}

export interface DeploymentSeed {
  ref: string;
  sha?: string;
  environment: string;
  task?: string;
  creator?: string;
  createdAt?: Time;
  statuses?: { state: DeploymentState; createdAt?: Time; description?: string }[];
}

export interface WorkflowRunSeed {
  id?: number;
  name?: string;
  headSha: string;
  headBranch?: string;
  event?: string;
  status?: WorkflowRunRecord["status"];
  conclusion?: CheckConclusion | null;
  actor?: string;
  createdAt?: Time;
}

export interface ReleaseSeed {
  tagName: string;
  targetCommitish?: string;
  name?: string | null;
  body?: string | null;
  draft?: boolean;
  prerelease?: boolean;
  author?: string;
  createdAt?: Time;
  publishedAt?: Time | null;
}

/** What `addRepo` hands back: enough to build webhook payloads that match the state. */
export interface RepoSummary {
  id: number;
  owner: string;
  repo: string;
  defaultBranch: string;
  installationId: number;
  /** The default branch's head (its initial commit). */
  headSha: string;
}

export interface StateOptions {
  clock?: () => Date;
  app?: Partial<AppRecord>;
}

export function iso(time: Time | undefined): string | undefined {
  if (time === undefined) return undefined;
  return typeof time === "string" ? new Date(time).toISOString() : time.toISOString();
}

export function toDiffFile(seed: DiffFileSeed): DiffFile {
  return {
    filename: seed.filename,
    status: seed.status ?? "modified",
    additions: seed.additions ?? 1,
    deletions: seed.deletions ?? 0,
    ...(seed.previousFilename ? { previousFilename: seed.previousFilename } : {}),
  };
}
