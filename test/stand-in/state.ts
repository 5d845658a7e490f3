/**
 * The in-memory GitHub behind the stand-in: seeded by tests, changed by the API routes,
 * and read back by tests to assert outcomes. Getters return copies, so a test cannot
 * change the stand-in by accident.
 */
import { createHash, randomBytes } from "node:crypto";
import { filesAt, resolveRef } from "./git-graph.js";
import { HookDeliveries } from "./webhooks.js";
import {
  iso,
  toDiffFile,
  type CheckRunSeed,
  type CommitSeed,
  type DeploymentSeed,
  type IssueSeed,
  type PullRequestSeed,
  type ReleaseSeed,
  type RepoSeed,
  type RepoSummary,
  type ReviewSeed,
  type StateOptions,
  type Time,
  type WorkflowRunSeed,
} from "./seeds.js";
import type {
  AppRecord,
  CheckRunRecord,
  CommentRecord,
  CommitRecord,
  DeploymentRecord,
  DeploymentState,
  DeploymentStatusRecord,
  FileRecord,
  InstallationRecord,
  IssueRecord,
  LabelEventRecord,
  LabelRecord,
  PendingDeploymentRecord,
  Permission,
  ProtectionAnswer,
  PullRecord,
  ReleaseRecord,
  RepoRecord,
  ReviewRecord,
  RunApprovalRecord,
  StatusRecord,
  StatusState,
  TagRecord,
  TeamRecord,
  UserRecord,
  WorkflowRunRecord,
} from "./records.js";

/** A check-run app that stands for CI, so seeded checks are not the app's own. */
export const CI_APP: AppRecord = {
  id: 15368,
  slug: "github-actions",
  name: "GitHub Actions",
  owner: "github",
};
const TOKEN_LIFETIME_MS = 60 * 60 * 1000;
const key = (...parts: string[]) => parts.map((p) => p.toLowerCase()).join("/");
const copy = <T>(value: T): T => structuredClone(value);

export class StandInState {
  readonly app: AppRecord;
  readonly users = new Map<string, UserRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly teams = new Map<string, TeamRecord>();
  readonly answers: ProtectionAnswer[] = [];
  readonly apps = new Map<number, AppRecord>();
  /** The app's webhook deliveries and where they go (its webhook URL). */
  readonly hooks = new HookDeliveries(() => this.clock());
  private readonly tokens = new Map<string, { installationId: number; expiresAt: string }>();
  private readonly clock: () => Date;
  private sequence = 1000;

  constructor(options: StateOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.app = {
      id: 1,
      slug: "release-policy",
      name: "Release Policy",
      owner: "release-policy-dev",
      ...options.app,
    };
    this.apps.set(this.app.id, this.app);
    this.apps.set(CI_APP.id, CI_APP);
    this.user(this.botLogin(), "Bot");
  }

  now(): string {
    return this.clock().toISOString();
  }

  nextId(): number {
    return ++this.sequence;
  }

  /** A fresh, realistic-looking 40-hex sha. */
  newSha(seed: string): string {
    return createHash("sha1").update(`${seed}:${this.nextId()}`).digest("hex");
  }

  botLogin(): string {
    return `${this.app.slug}[bot]`;
  }

  /** The user with this login, registered on first mention. */
  user(login: string, type: UserRecord["type"] = "User"): UserRecord {
    const found = this.users.get(login.toLowerCase());
    if (found) return found;
    const created: UserRecord = {
      login,
      id: this.nextId(),
      type: login.endsWith("[bot]") ? "Bot" : type,
    };
    this.users.set(login.toLowerCase(), created);
    return created;
  }

  findUser(login: string): UserRecord | undefined {
    return this.users.get(login.toLowerCase());
  }

  // ---- installations and tokens -------------------------------------------------

  addInstallation(seed: { id?: number; account: string }): InstallationRecord {
    const id = seed.id ?? this.nextId();
    const existing = this.installations.get(id);
    if (existing) return existing;
    this.user(seed.account, "Organization");
    const created: InstallationRecord = {
      id,
      account: seed.account,
      appId: this.app.id,
      createdAt: this.now(),
    };
    this.installations.set(id, created);
    return created;
  }

  installationFor(account: string): InstallationRecord | undefined {
    return [...this.installations.values()].find(
      (i) => i.account.toLowerCase() === account.toLowerCase(),
    );
  }

  /** Mints an installation token, as `POST /app/installations/{id}/access_tokens` does. */
  issueToken(installationId: number): { token: string; expiresAt: string } {
    const token = `ghs_${randomBytes(27).toString("base64url").replace(/[-_]/g, "x").slice(0, 36)}`;
    const expiresAt = new Date(this.clock().getTime() + TOKEN_LIFETIME_MS).toISOString();
    this.tokens.set(token, { installationId, expiresAt });
    return { token, expiresAt };
  }

  /** The installation a token belongs to, unless it is unknown or expired. */
  tokenInstallation(token: string): number | undefined {
    const found = this.tokens.get(token);
    if (!found || found.expiresAt <= this.now()) return undefined;
    return found.installationId;
  }

  // ---- repositories, branches, commits, files ------------------------------------

  addRepo(seed: RepoSeed): RepoSummary {
    const installation =
      seed.installationId !== undefined
        ? this.addInstallation({ id: seed.installationId, account: seed.owner })
        : (this.installationFor(seed.owner) ?? this.addInstallation({ account: seed.owner }));
    const defaultBranch = seed.defaultBranch ?? "main";
    const repo: RepoRecord = {
      id: this.nextId(),
      owner: seed.owner,
      name: seed.repo,
      defaultBranch,
      installationId: installation.id,
      private: seed.private ?? false,
      createdAt: this.now(),
      branches: new Map(),
      files: new Map([[defaultBranch, new Map()]]),
      commits: new Map(),
      issues: new Map(),
      pulls: new Map(),
      reviews: [],
      comments: [],
      labels: new Map(),
      checkRuns: [],
      statuses: [],
      permissions: new Map(),
      deployments: [],
      deploymentStatuses: [],
      workflowRuns: new Map(),
      runApprovals: [],
      pendingDeployments: [],
      releases: [],
      tags: new Map(),
    };
    this.repos.set(key(seed.owner, seed.repo), repo);
    const root = this.makeCommit(repo, { message: "Initial commit" }, []);
    repo.branches.set(defaultBranch, root.sha);
    return {
      id: repo.id,
      owner: repo.owner,
      repo: repo.name,
      defaultBranch,
      installationId: installation.id,
      headSha: root.sha,
    };
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(key(owner, name));
  }

  /** For seeding: a missing repository is a mistake in the test, so say so loudly. */
  requireRepo(owner: string, name: string): RepoRecord {
    const found = this.repo(owner, name);
    if (!found)
      throw new Error(`stand-in: repository ${owner}/${name} was not seeded (call addRepo first)`);
    return found;
  }

  addFile(owner: string, repo: string, ref: string, path: string, text: string): FileRecord {
    const record = this.requireRepo(owner, repo);
    const branch = ref.replace(/^refs\/heads\//, "");
    const files = record.files.get(branch) ?? new Map<string, FileRecord>();
    const size = Buffer.byteLength(text);
    const sha = createHash("sha1").update(`blob ${size}\0${text}`).digest("hex");
    const file = { text, sha };
    files.set(path.replace(/^\//, ""), file);
    record.files.set(branch, files);
    return copy(file);
  }

  /** Adds a commit; with `branch`, it is made on top of that branch and moves it. */
  addCommit(
    owner: string,
    repo: string,
    seed: CommitSeed & { branch?: string; parents?: string[] },
  ): string {
    const record = this.requireRepo(owner, repo);
    const branchHead = seed.branch ? record.branches.get(seed.branch) : undefined;
    const parents = seed.parents ?? (branchHead ? [branchHead] : []);
    const commit = this.makeCommit(record, seed, parents);
    if (seed.branch) record.branches.set(seed.branch, commit.sha);
    return commit.sha;
  }

  setBranch(owner: string, repo: string, branch: string, sha: string): void {
    this.requireRepo(owner, repo).branches.set(branch, sha);
  }

  addTag(
    owner: string,
    repo: string,
    name: string,
    sha: string,
    annotated?: { message: string; tagger?: string },
  ): TagRecord {
    const record = this.requireRepo(owner, repo);
    const tag: TagRecord = {
      name,
      commitSha: resolveRef(record, sha) ?? sha,
      annotated: annotated
        ? {
            sha: this.newSha(`tag ${name}`),
            message: annotated.message,
            tagger: annotated.tagger ?? "octocat",
            date: this.now(),
          }
        : null,
    };
    record.tags.set(name, tag);
    return copy(tag);
  }

  private makeCommit(repo: RepoRecord, seed: CommitSeed, parents: string[]): CommitRecord {
    const author = seed.author ?? "octocat";
    this.user(author);
    const commit: CommitRecord = {
      sha: seed.sha ?? this.newSha(`${repo.owner}/${repo.name}:${seed.message ?? ""}`),
      message: seed.message ?? "Update",
      author,
      committer: seed.committer ?? author,
      date: iso(seed.date) ?? this.now(),
      parents,
      files: (seed.files ?? []).map(toDiffFile),
    };
    repo.commits.set(commit.sha, commit);
    return commit;
  }

  // ---- issues, pull requests, reviews, comments, labels --------------------------

  private nextNumber(repo: RepoRecord): number {
    return Math.max(0, ...repo.issues.keys()) + 1;
  }

  createIssueRecord(
    repo: RepoRecord,
    seed: IssueSeed & { number?: number; isPullRequest?: boolean },
  ): IssueRecord {
    const at = iso(seed.createdAt) ?? this.now();
    const author = seed.author ?? "octocat";
    this.user(author);
    const issue: IssueRecord = {
      number: seed.number ?? this.nextNumber(repo),
      id: this.nextId(),
      title: seed.title,
      body: seed.body ?? null,
      state: seed.state ?? "open",
      stateReason: seed.state === "closed" ? "completed" : null,
      author,
      labels: [],
      labelEvents: [],
      assignees: seed.assignees ?? [],
      isPullRequest: seed.isPullRequest ?? false,
      locked: false,
      createdAt: at,
      updatedAt: at,
      closedAt: seed.state === "closed" ? at : null,
    };
    repo.issues.set(issue.number, issue);
    for (const label of seed.labels ?? []) this.attachLabel(repo, issue, label, at);
    return issue;
  }

  addIssue(owner: string, repo: string, seed: IssueSeed): IssueRecord {
    return copy(this.createIssueRecord(this.requireRepo(owner, repo), seed));
  }

  addPullRequest(owner: string, repo: string, seed: PullRequestSeed): PullRecord & IssueRecord {
    const record = this.requireRepo(owner, repo);
    const number = seed.number ?? this.nextNumber(record);
    const baseRef = seed.baseRef ?? record.defaultBranch;
    const headRef = seed.headRef ?? `change-${number}`;
    const baseSha =
      record.branches.get(baseRef) ??
      this.addCommit(owner, repo, { branch: baseRef, message: "Base" });
    const commitSeeds = seed.commits ?? [
      { message: seed.title, author: seed.author, files: seed.files },
    ];
    let parent = baseSha;
    const commits = commitSeeds.map((commitSeed) => {
      parent = this.makeCommit(record, { author: seed.author, ...commitSeed }, [parent]).sha;
      return parent;
    });
    record.branches.set(headRef, parent);
    const merged = seed.merged ?? false;
    const mergedAt = merged ? (iso(seed.mergedAt) ?? this.now()) : null;
    const issue = this.createIssueRecord(record, {
      ...seed,
      number,
      isPullRequest: true,
      state: merged ? "closed" : (seed.state ?? "open"),
    });
    if (mergedAt) issue.closedAt = mergedAt;
    const files = seed.files ?? commits.flatMap((sha) => record.commits.get(sha)?.files ?? []);
    const pull: PullRecord = {
      number,
      id: this.nextId(),
      headRef,
      headSha: parent,
      baseRef,
      baseSha,
      draft: seed.draft ?? false,
      merged,
      mergedAt,
      mergedBy: merged ? (seed.mergedBy ?? "octocat") : null,
      mergeCommitSha: null,
      commits,
      files: (files.length > 0 ? files : [{ filename: "README.md" }]).map(toDiffFile),
      requestedReviewers: seed.requestedReviewers ?? [],
      requestedTeams: seed.requestedTeams ?? [],
    };
    if (merged) {
      const merge = this.makeCommit(
        record,
        {
          message: `Merge pull request #${number} from ${headRef}`,
          author: pull.mergedBy ?? "octocat",
          date: mergedAt ?? undefined,
        },
        [record.branches.get(baseRef) ?? baseSha, parent],
      );
      record.branches.set(baseRef, merge.sha);
      pull.mergeCommitSha = merge.sha;
    }
    record.pulls.set(number, pull);
    return copy({ ...issue, ...pull });
  }

  addReview(owner: string, repo: string, pullNumber: number, seed: ReviewSeed): ReviewRecord {
    const record = this.requireRepo(owner, repo);
    const pull = record.pulls.get(pullNumber);
    if (!pull)
      throw new Error(`stand-in: ${owner}/${repo}#${pullNumber} is not a seeded pull request`);
    this.user(seed.user);
    const review: ReviewRecord = {
      id: this.nextId(),
      pullNumber,
      user: seed.user,
      state: seed.state,
      body: seed.body ?? "",
      commitId: seed.commitId ?? pull.headSha,
      submittedAt: iso(seed.submittedAt) ?? this.now(),
    };
    record.reviews.push(review);
    return copy(review);
  }

  addComment(
    owner: string,
    repo: string,
    issueNumber: number,
    seed: { user: string; body: string; createdAt?: Time },
  ): CommentRecord {
    const record = this.requireRepo(owner, repo);
    return copy(this.createComment(record, issueNumber, seed.user, seed.body, iso(seed.createdAt)));
  }

  createComment(
    repo: RepoRecord,
    issueNumber: number,
    user: string,
    body: string,
    at?: string,
  ): CommentRecord {
    this.user(user);
    const when = at ?? this.now();
    const comment: CommentRecord = {
      id: this.nextId(),
      issueNumber,
      user,
      body,
      createdAt: when,
      updatedAt: when,
    };
    repo.comments.push(comment);
    return comment;
  }

  addLabels(owner: string, repo: string, issueNumber: number, names: string[]): void {
    const record = this.requireRepo(owner, repo);
    const issue = record.issues.get(issueNumber);
    if (!issue) throw new Error(`stand-in: ${owner}/${repo}#${issueNumber} was not seeded`);
    for (const name of names) this.attachLabel(record, issue, name);
  }

  /** GitHub creates a label on first use; so does the stand-in. */
  ensureLabel(repo: RepoRecord, name: string): LabelRecord {
    const found = repo.labels.get(name.toLowerCase());
    if (found) return found;
    const created: LabelRecord = { id: this.nextId(), name, color: "ededed", description: null };
    repo.labels.set(name.toLowerCase(), created);
    return created;
  }

  attachLabel(repo: RepoRecord, issue: IssueRecord, name: string, at = this.now()): void {
    const label = this.ensureLabel(repo, name);
    if (issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) return;
    issue.labels.push(label.name);
    issue.labelEvents.push(this.labelEvent("labeled", label.name, issue.author, at));
  }

  detachLabel(issue: IssueRecord, name: string, at = this.now()): void {
    const found = issue.labels.find((l) => l.toLowerCase() === name.toLowerCase());
    if (found === undefined) return;
    issue.labels = issue.labels.filter((l) => l !== found);
    issue.labelEvents.push(this.labelEvent("unlabeled", found, issue.author, at));
  }

  private labelEvent(
    event: LabelEventRecord["event"],
    label: string,
    actor: string,
    createdAt: string,
  ): LabelEventRecord {
    // A counter of their own: the ids of everything else stay as the docs' examples show them.
    this.labelEventIds += 1;
    return { id: this.labelEventIds, event, label, actor, createdAt };
  }

  private labelEventIds = 0;

  // ---- people: teams and permissions -------------------------------------------

  addTeam(
    org: string,
    slug: string,
    members: string[],
    options: { maintainers?: string[]; name?: string } = {},
  ): TeamRecord {
    [...members, ...(options.maintainers ?? [])].forEach((login) => this.user(login));
    const team: TeamRecord = {
      id: this.nextId(),
      org,
      slug,
      name: options.name ?? slug,
      members: [...members],
      maintainers: [...(options.maintainers ?? [])],
    };
    this.teams.set(key(org, slug), team);
    return copy(team);
  }

  team(org: string, slug: string): TeamRecord | undefined {
    return this.teams.get(key(org, slug));
  }

  setPermission(owner: string, repo: string, login: string, permission: Permission): void {
    this.user(login);
    this.requireRepo(owner, repo).permissions.set(login.toLowerCase(), permission);
  }

  // ---- checks and statuses -----------------------------------------------------

  addCheckRun(owner: string, repo: string, seed: CheckRunSeed): CheckRunRecord {
    const record = this.requireRepo(owner, repo);
    const app = seed.app ? { name: seed.app.slug, owner: "github", ...seed.app } : CI_APP;
    this.apps.set(app.id, app);
    const status = seed.status ?? (seed.conclusion ? "completed" : "queued");
    const startedAt = iso(seed.startedAt) ?? this.now();
    const run: CheckRunRecord = {
      id: this.nextId(),
      name: seed.name,
      headSha: seed.headSha,
      status,
      conclusion: seed.conclusion ?? null,
      startedAt,
      completedAt: status === "completed" ? (iso(seed.completedAt) ?? startedAt) : null,
      externalId: null,
      detailsUrl: null,
      output: { title: null, summary: seed.summary ?? null, text: null, annotations: [] },
      actions: [],
      appId: app.id,
      checkSuiteId: this.nextId(),
    };
    record.checkRuns.push(run);
    return copy(run);
  }

  addStatus(
    owner: string,
    repo: string,
    sha: string,
    seed: {
      state: StatusState;
      context?: string;
      description?: string;
      targetUrl?: string;
      creator?: string;
      createdAt?: Time;
    },
  ): StatusRecord {
    const record = this.requireRepo(owner, repo);
    const creator = seed.creator ?? "ci-bot";
    this.user(creator);
    const status: StatusRecord = {
      id: this.nextId(),
      sha: resolveRef(record, sha) ?? sha,
      state: seed.state,
      context: seed.context ?? "default",
      description: seed.description ?? null,
      targetUrl: seed.targetUrl ?? null,
      creator,
      createdAt: iso(seed.createdAt) ?? this.now(),
    };
    record.statuses.push(status);
    return copy(status);
  }

  // ---- deployments and workflow runs --------------------------------------------

  addDeployment(owner: string, repo: string, seed: DeploymentSeed): DeploymentRecord {
    const record = this.requireRepo(owner, repo);
    const sha = seed.sha ?? resolveRef(record, seed.ref);
    if (!sha) throw new Error(`stand-in: ref ${seed.ref} does not exist in ${owner}/${repo}`);
    const at = iso(seed.createdAt) ?? this.now();
    const creator = seed.creator ?? "octocat";
    this.user(creator);
    const deployment: DeploymentRecord = {
      id: this.nextId(),
      sha,
      ref: seed.ref,
      task: seed.task ?? "deploy",
      environment: seed.environment,
      payload: {},
      description: null,
      creator,
      productionEnvironment: seed.environment === "production",
      transientEnvironment: false,
      createdAt: at,
      updatedAt: at,
    };
    record.deployments.push(deployment);
    for (const status of seed.statuses ?? [])
      this.addDeploymentStatus(owner, repo, deployment.id, status);
    return copy(deployment);
  }

  addDeploymentStatus(
    owner: string,
    repo: string,
    deploymentId: number,
    seed: { state: DeploymentState; createdAt?: Time; description?: string; creator?: string },
  ): DeploymentStatusRecord {
    const record = this.requireRepo(owner, repo);
    const deployment = record.deployments.find((d) => d.id === deploymentId);
    if (!deployment) throw new Error(`stand-in: deployment ${deploymentId} was not seeded`);
    const status: DeploymentStatusRecord = {
      id: this.nextId(),
      deploymentId,
      state: seed.state,
      description: seed.description ?? "",
      environment: deployment.environment,
      logUrl: "",
      environmentUrl: "",
      creator: seed.creator ?? deployment.creator,
      createdAt: iso(seed.createdAt) ?? this.now(),
    };
    record.deploymentStatuses.push(status);
    deployment.updatedAt = status.createdAt;
    return copy(status);
  }

  addWorkflowRun(owner: string, repo: string, seed: WorkflowRunSeed): WorkflowRunRecord {
    const record = this.requireRepo(owner, repo);
    const at = iso(seed.createdAt) ?? this.now();
    const actor = seed.actor ?? "octocat";
    this.user(actor);
    const run: WorkflowRunRecord = {
      id: seed.id ?? this.nextId(),
      name: seed.name ?? "Deploy",
      headSha: seed.headSha,
      headBranch: seed.headBranch ?? record.defaultBranch,
      event: seed.event ?? "push",
      status: seed.status ?? "waiting",
      conclusion: seed.conclusion ?? null,
      runNumber: record.workflowRuns.size + 1,
      actor,
      path: ".github/workflows/deploy.yml",
      workflowId: 161335,
      createdAt: at,
      updatedAt: at,
    };
    record.workflowRuns.set(run.id, run);
    return copy(run);
  }

  /** A native deployment review (what `GET .../actions/runs/{id}/approvals` lists). */
  addRunApproval(
    owner: string,
    repo: string,
    runId: number,
    seed: Omit<RunApprovalRecord, "runId" | "comment"> & { comment?: string },
  ): void {
    this.user(seed.user);
    this.requireRepo(owner, repo).runApprovals.push({ runId, comment: "", ...seed });
  }

  addPendingDeployment(
    owner: string,
    repo: string,
    runId: number,
    seed: { environment: string; reviewers?: PendingDeploymentRecord["reviewers"] },
  ): void {
    this.requireRepo(owner, repo).pendingDeployments.push({
      runId,
      environment: seed.environment,
      waitTimer: 0,
      waitTimerStartedAt: null,
      reviewers: seed.reviewers ?? [],
    });
  }

  // ---- releases -----------------------------------------------------------------

  addRelease(owner: string, repo: string, seed: ReleaseSeed): ReleaseRecord {
    return copy(this.createRelease(this.requireRepo(owner, repo), seed));
  }

  createRelease(repo: RepoRecord, seed: ReleaseSeed): ReleaseRecord {
    const at = iso(seed.createdAt) ?? this.now();
    const author = seed.author ?? "octocat";
    this.user(author);
    const draft = seed.draft ?? false;
    const target = seed.targetCommitish ?? repo.defaultBranch;
    // Publishing a release for a tag that does not exist yet creates the tag.
    if (!draft && !repo.tags.has(seed.tagName)) {
      const sha = resolveRef(repo, target);
      if (sha) repo.tags.set(seed.tagName, { name: seed.tagName, commitSha: sha, annotated: null });
    }
    const release: ReleaseRecord = {
      id: this.nextId(),
      tagName: seed.tagName,
      targetCommitish: target,
      name: seed.name ?? null,
      body: seed.body ?? null,
      draft,
      prerelease: seed.prerelease ?? false,
      author,
      createdAt: at,
      publishedAt: draft ? null : seed.publishedAt === null ? null : (iso(seed.publishedAt) ?? at),
    };
    repo.releases.push(release);
    return release;
  }

  // ---- getters for assertions -----------------------------------------------------

  branchHead(owner: string, repo: string, branch: string): string | undefined {
    return this.requireRepo(owner, repo).branches.get(branch);
  }

  fileText(owner: string, repo: string, ref: string, path: string): string | undefined {
    return filesAt(this.requireRepo(owner, repo), ref)?.get(path)?.text;
  }

  checkRuns(
    owner: string,
    repo: string,
    filter: { headSha?: string; name?: string; appId?: number } = {},
  ): CheckRunRecord[] {
    return copy(
      this.requireRepo(owner, repo).checkRuns.filter(
        (run) =>
          (filter.headSha === undefined || run.headSha === filter.headSha) &&
          (filter.name === undefined || run.name === filter.name) &&
          (filter.appId === undefined || run.appId === filter.appId),
      ),
    );
  }

  /** Check runs the app under test created. */
  ownCheckRuns(owner: string, repo: string, headSha?: string): CheckRunRecord[] {
    return this.checkRuns(owner, repo, { headSha, appId: this.app.id });
  }

  statuses(owner: string, repo: string, sha?: string): StatusRecord[] {
    return copy(
      this.requireRepo(owner, repo).statuses.filter((s) => sha === undefined || s.sha === sha),
    );
  }

  comments(owner: string, repo: string, issueNumber: number): CommentRecord[] {
    return copy(
      this.requireRepo(owner, repo).comments.filter((c) => c.issueNumber === issueNumber),
    );
  }

  issues(owner: string, repo: string): IssueRecord[] {
    return copy([...this.requireRepo(owner, repo).issues.values()].filter((i) => !i.isPullRequest));
  }

  issue(owner: string, repo: string, number: number): IssueRecord | undefined {
    return copy(this.requireRepo(owner, repo).issues.get(number));
  }

  labelsOn(owner: string, repo: string, number: number): string[] {
    return copy(this.requireRepo(owner, repo).issues.get(number)?.labels ?? []);
  }

  pullRequest(owner: string, repo: string, number: number): (PullRecord & IssueRecord) | undefined {
    const record = this.requireRepo(owner, repo);
    const pull = record.pulls.get(number);
    const issue = record.issues.get(number);
    return pull && issue ? copy({ ...issue, ...pull }) : undefined;
  }

  reviews(owner: string, repo: string, pullNumber: number): ReviewRecord[] {
    return copy(this.requireRepo(owner, repo).reviews.filter((r) => r.pullNumber === pullNumber));
  }

  deployments(owner: string, repo: string): DeploymentRecord[] {
    return copy(this.requireRepo(owner, repo).deployments);
  }

  deploymentStatuses(owner: string, repo: string, deploymentId: number): DeploymentStatusRecord[] {
    return copy(
      this.requireRepo(owner, repo).deploymentStatuses.filter(
        (s) => s.deploymentId === deploymentId,
      ),
    );
  }

  releases(owner: string, repo: string): ReleaseRecord[] {
    return copy(this.requireRepo(owner, repo).releases);
  }

  /** Every answer the app gave to a deployment protection rule, oldest first. */
  protectionRuleAnswers(
    filter: { owner?: string; repo?: string; runId?: number } = {},
  ): ProtectionAnswer[] {
    return copy(
      this.answers.filter(
        (a) =>
          (filter.owner === undefined || a.owner.toLowerCase() === filter.owner.toLowerCase()) &&
          (filter.repo === undefined || a.repo.toLowerCase() === filter.repo.toLowerCase()) &&
          (filter.runId === undefined || a.runId === filter.runId),
      ),
    );
  }
}
