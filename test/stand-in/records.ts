/**
 * The records the in-memory GitHub keeps. Timestamps are ISO strings, ids are numbers,
 * users are logins (their ids live in the user registry), commits are 40-hex shas.
 */

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
export type CheckStatus =
  "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
export type CheckConclusion =
  | "success"
  | "failure"
  | "neutral"
  | "cancelled"
  | "skipped"
  | "timed_out"
  | "action_required"
  | "stale";
export type StatusState = "error" | "failure" | "pending" | "success";
export type DeploymentState =
  "error" | "failure" | "inactive" | "pending" | "success" | "queued" | "in_progress";
export type FileStatus =
  "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";

export interface UserRecord {
  login: string;
  id: number;
  type: "User" | "Bot" | "Organization";
}

export interface AppRecord {
  id: number;
  slug: string;
  name: string;
  owner: string;
}

export interface InstallationRecord {
  id: number;
  account: string;
  appId: number;
  createdAt: string;
}

export interface FileRecord {
  text: string;
  sha: string;
}

export interface DiffFile {
  filename: string;
  status: FileStatus;
  additions: number;
  deletions: number;
  previousFilename?: string;
}

export interface CommitRecord {
  sha: string;
  message: string;
  author: string;
  committer: string;
  date: string;
  parents: string[];
  files: DiffFile[];
}

export interface LabelEventRecord {
  id: number;
  event: "labeled" | "unlabeled";
  label: string;
  actor: string;
  createdAt: string;
}

export interface IssueRecord {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | null;
  author: string;
  labels: string[];
  /** GitHub's `labeled` and `unlabeled` issue events, oldest first. */
  labelEvents: LabelEventRecord[];
  assignees: string[];
  isPullRequest: boolean;
  locked: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface PullRecord {
  number: number;
  id: number;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  commits: string[];
  files: DiffFile[];
  requestedReviewers: string[];
  requestedTeams: string[];
}

export interface ReviewRecord {
  id: number;
  pullNumber: number;
  user: string;
  state: ReviewState;
  body: string;
  commitId: string;
  submittedAt: string;
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  /** Every body an edit gave the comment, in order, and who saved it: what the page showed. */
  edits?: { by: string; body: string }[];
  /** Reactions to the comment, one per user and content, as GitHub keeps them. */
  reactions?: ReactionRecord[];
}

export interface ReactionRecord {
  id: number;
  user: string;
  content: string;
  createdAt: string;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface AnnotationRecord {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  startedAt: string;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: {
    title: string | null;
    summary: string | null;
    text: string | null;
    annotations: AnnotationRecord[];
  };
  actions: { label: string; description: string; identifier: string }[];
  appId: number;
  checkSuiteId: number;
}

export interface StatusRecord {
  id: number;
  sha: string;
  state: StatusState;
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
}

export interface TeamRecord {
  id: number;
  org: string;
  slug: string;
  name: string;
  members: string[];
  maintainers: string[];
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  payload: Record<string, unknown> | string;
  description: string | null;
  creator: string;
  productionEnvironment: boolean;
  transientEnvironment: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface DeploymentStatusRecord {
  id: number;
  deploymentId: number;
  state: DeploymentState;
  description: string;
  environment: string;
  logUrl: string;
  environmentUrl: string;
  creator: string;
  createdAt: string;
}

export interface WorkflowRunRecord {
  id: number;
  name: string;
  headSha: string;
  headBranch: string;
  event: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion: CheckConclusion | null;
  runNumber: number;
  actor: string;
  path: string;
  workflowId: number;
  createdAt: string;
  updatedAt: string;
}

/** One call of the deployment protection rule answer endpoint, as the app made it. */
export interface ProtectionAnswer {
  owner: string;
  repo: string;
  runId: number;
  environmentName: string;
  state: "approved" | "rejected" | null;
  comment: string | null;
  installationId: number;
  at: string;
}

export interface RunApprovalRecord {
  runId: number;
  environments: string[];
  state: "approved" | "rejected";
  user: string;
  comment: string;
}

export interface PendingDeploymentRecord {
  runId: number;
  environment: string;
  waitTimer: number;
  waitTimerStartedAt: string | null;
  reviewers: { type: "User" | "Team"; name: string }[];
}

export interface ReleaseRecord {
  id: number;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  author: string;
  createdAt: string;
  publishedAt: string | null;
}

export interface TagRecord {
  name: string;
  commitSha: string;
  annotated: { sha: string; message: string; tagger: string; date: string } | null;
}

/** Everything one repository holds. Issues and pull requests share the number sequence. */
export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  installationId: number;
  private: boolean;
  createdAt: string;
  branches: Map<string, string>;
  files: Map<string, Map<string, FileRecord>>;
  commits: Map<string, CommitRecord>;
  issues: Map<number, IssueRecord>;
  pulls: Map<number, PullRecord>;
  reviews: ReviewRecord[];
  comments: CommentRecord[];
  labels: Map<string, LabelRecord>;
  checkRuns: CheckRunRecord[];
  statuses: StatusRecord[];
  permissions: Map<string, Permission>;
  deployments: DeploymentRecord[];
  deploymentStatuses: DeploymentStatusRecord[];
  workflowRuns: Map<number, WorkflowRunRecord>;
  runApprovals: RunApprovalRecord[];
  pendingDeployments: PendingDeploymentRecord[];
  releases: ReleaseRecord[];
  tags: Map<string, TagRecord>;
}
