/**
 * Records → the JSON GitHub answers with. Each builder fills the fields GitHub's schema
 * requires (checked by the stand-in's own tests with response validation on), with
 * numeric ids, ISO timestamps and URLs that point back at the stand-in.
 */
import type { StandInState } from "./state.js";
import type {
  AppRecord,
  CheckRunRecord,
  CommentRecord,
  CommitRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  DiffFile,
  InstallationRecord,
  IssueRecord,
  LabelRecord,
  PullRecord,
  ReleaseRecord,
  RepoRecord,
  ReviewRecord,
  StatusRecord,
  TagRecord,
  WorkflowRunRecord,
} from "./records.js";

export type JsonObject = { [key: string]: unknown };

/** Where the stand-in lives: the API under `/api/v3`, "web" pages at the root. */
export class Urls {
  readonly api: string;
  constructor(readonly web: string) {
    this.api = `${web}/api/v3`;
  }
  repoApi(repo: RepoRecord): string {
    return `${this.api}/repos/${repo.owner}/${repo.name}`;
  }
  repoWeb(repo: RepoRecord): string {
    return `${this.web}/${repo.owner}/${repo.name}`;
  }
}

export interface ShapeContext {
  state: StandInState;
  urls: Urls;
}

const nodeId = (kind: string, id: number | string) =>
  Buffer.from(`${kind}:${id}`).toString("base64");

export function user({ state, urls }: ShapeContext, login: string): JsonObject {
  const record = state.user(login);
  const api = `${urls.api}/users/${encodeURIComponent(record.login)}`;
  return {
    login: record.login,
    id: record.id,
    node_id: nodeId("User", record.id),
    avatar_url: `${urls.web}/avatars/u/${record.id}`,
    gravatar_id: "",
    url: api,
    html_url: `${urls.web}/${encodeURIComponent(record.login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: record.type,
    site_admin: false,
  };
}

export function integration(ctx: ShapeContext, app: AppRecord): JsonObject {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("Integration", app.id),
    owner: user(ctx, app.owner),
    name: app.name,
    description: "",
    external_url: `${ctx.urls.web}/apps/${app.slug}`,
    html_url: `${ctx.urls.web}/apps/${app.slug}`,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    permissions: {
      checks: "write",
      contents: "read",
      issues: "write",
      pull_requests: "read",
      deployments: "write",
    },
    events: [
      "check_run",
      "deployment_protection_rule",
      "deployment_review",
      "pull_request",
      "pull_request_review",
      "release",
    ],
  };
}

export function installation(ctx: ShapeContext, record: InstallationRecord): JsonObject {
  const account = ctx.state.user(record.account, "Organization");
  const app = ctx.state.apps.get(record.appId) ?? ctx.state.app;
  // The published list schema asks the account to be a user and an enterprise at once
  // (allOf); the enterprise's extra fields keep our answer valid against it.
  const accountShape = {
    ...user(ctx, account.login),
    name: account.login,
    slug: account.login,
    created_at: record.createdAt,
    updated_at: record.createdAt,
  };
  return {
    id: record.id,
    account: accountShape,
    app_id: app.id,
    app_slug: app.slug,
    target_id: account.id,
    target_type: account.type === "Organization" ? "Organization" : "User",
    repository_selection: "selected",
    access_tokens_url: `${ctx.urls.api}/app/installations/${record.id}/access_tokens`,
    repositories_url: `${ctx.urls.api}/installation/repositories`,
    html_url: `${ctx.urls.web}/organizations/${account.login}/settings/installations/${record.id}`,
    events: ["check_run", "deployment_protection_rule", "pull_request"],
    permissions: {
      checks: "write",
      contents: "read",
      issues: "write",
      pull_requests: "read",
      deployments: "write",
    },
    created_at: record.createdAt,
    updated_at: record.createdAt,
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  };
}

/** A superset of `repository`, `full-repository` and `minimal-repository`. */
export function repository(ctx: ShapeContext, repo: RepoRecord): JsonObject {
  const api = ctx.urls.repoApi(repo);
  const web = ctx.urls.repoWeb(repo);
  const openIssues = [...repo.issues.values()].filter((i) => i.state === "open").length;
  return {
    id: repo.id,
    node_id: nodeId("Repository", repo.id),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: user(ctx, repo.owner),
    private: repo.private,
    visibility: repo.private ? "private" : "public",
    html_url: web,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${new URL(ctx.urls.web).host}/${repo.owner}/${repo.name}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${new URL(ctx.urls.web).hostname}:${repo.owner}/${repo.name}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${web}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: web,
    homepage: null,
    language: "TypeScript",
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 100,
    default_branch: repo.defaultBranch,
    open_issues: openIssues,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    network_count: 0,
    subscribers_count: 0,
    allow_forking: true,
    web_commit_signoff_required: false,
  };
}

export function label(ctx: ShapeContext, repo: RepoRecord, name: string): JsonObject {
  const record: LabelRecord = ctx.state.ensureLabel(repo, name);
  return {
    id: record.id,
    node_id: nodeId("Label", record.id),
    url: `${ctx.urls.repoApi(repo)}/labels/${encodeURIComponent(record.name)}`,
    name: record.name,
    description: record.description,
    color: record.color,
    default: false,
  };
}

export function issue(ctx: ShapeContext, repo: RepoRecord, record: IssueRecord): JsonObject {
  const api = `${ctx.urls.repoApi(repo)}/issues/${record.number}`;
  const kind = record.isPullRequest ? "pull" : "issues";
  const shape: JsonObject = {
    id: record.id,
    node_id: nodeId("Issue", record.id),
    url: api,
    repository_url: ctx.urls.repoApi(repo),
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${ctx.urls.repoWeb(repo)}/${kind}/${record.number}`,
    number: record.number,
    state: record.state,
    state_reason: record.stateReason,
    title: record.title,
    body: record.body,
    user: user(ctx, record.author),
    labels: record.labels.map((name) => label(ctx, repo, name)),
    assignee: record.assignees[0] ? user(ctx, record.assignees[0]) : null,
    assignees: record.assignees.map((login) => user(ctx, login)),
    milestone: null,
    locked: record.locked,
    active_lock_reason: null,
    comments: repo.comments.filter((c) => c.issueNumber === record.number).length,
    closed_at: record.closedAt,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    closed_by: null,
    author_association: "MEMBER",
  };
  if (record.isPullRequest) {
    const pull = repo.pulls.get(record.number);
    shape.pull_request = {
      url: `${ctx.urls.repoApi(repo)}/pulls/${record.number}`,
      html_url: `${ctx.urls.repoWeb(repo)}/pull/${record.number}`,
      diff_url: `${ctx.urls.repoWeb(repo)}/pull/${record.number}.diff`,
      patch_url: `${ctx.urls.repoWeb(repo)}/pull/${record.number}.patch`,
      merged_at: pull?.mergedAt ?? null,
    };
  }
  return shape;
}

function branchEnd(ctx: ShapeContext, repo: RepoRecord, ref: string, sha: string): JsonObject {
  return {
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: user(ctx, repo.owner),
    repo: repository(ctx, repo),
  };
}

/** `pull-request-simple` (lists); `full` adds the fields only `GET` of one PR has. */
export function pullRequest(
  ctx: ShapeContext,
  repo: RepoRecord,
  pull: PullRecord,
  full: boolean,
): JsonObject {
  const record = repo.issues.get(pull.number);
  if (!record) throw new Error(`stand-in: PR #${pull.number} has no issue record`);
  const api = `${ctx.urls.repoApi(repo)}/pulls/${pull.number}`;
  const web = `${ctx.urls.repoWeb(repo)}/pull/${pull.number}`;
  const issueApi = `${ctx.urls.repoApi(repo)}/issues/${pull.number}`;
  const statuses = `${ctx.urls.repoApi(repo)}/statuses/${pull.headSha}`;
  const shape: JsonObject = {
    url: api,
    id: pull.id,
    node_id: nodeId("PullRequest", pull.id),
    html_url: web,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    issue_url: issueApi,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${ctx.urls.repoApi(repo)}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: statuses,
    number: pull.number,
    state: record.state,
    locked: record.locked,
    title: record.title,
    user: user(ctx, record.author),
    body: record.body,
    labels: record.labels.map((name) => ({
      ...label(ctx, repo, name),
      description: full ? null : "",
    })),
    milestone: null,
    active_lock_reason: null,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    closed_at: record.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: record.assignees[0] ? user(ctx, record.assignees[0]) : null,
    assignees: record.assignees.map((login) => user(ctx, login)),
    requested_reviewers: pull.requestedReviewers.map((login) => user(ctx, login)),
    requested_teams: [],
    head: branchEnd(ctx, repo, pull.headRef, pull.headSha),
    base: branchEnd(ctx, repo, pull.baseRef, pull.baseSha),
    _links: {
      self: { href: api },
      html: { href: web },
      issue: { href: issueApi },
      comments: { href: `${issueApi}/comments` },
      review_comments: { href: `${api}/comments` },
      review_comment: { href: `${ctx.urls.repoApi(repo)}/pulls/comments{/number}` },
      commits: { href: `${api}/commits` },
      statuses: { href: statuses },
    },
    author_association: "MEMBER",
    auto_merge: null,
    draft: pull.draft,
  };
  if (!full) return shape;
  const additions = pull.files.reduce((n, f) => n + f.additions, 0);
  const deletions = pull.files.reduce((n, f) => n + f.deletions, 0);
  return {
    ...shape,
    merged: pull.merged,
    mergeable: record.state === "open" ? true : null,
    rebaseable: record.state === "open" ? true : null,
    mergeable_state: record.state === "open" ? "clean" : "unknown",
    merged_by: pull.mergedBy ? user(ctx, pull.mergedBy) : null,
    comments: repo.comments.filter((c) => c.issueNumber === pull.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pull.commits.length,
    additions,
    deletions,
    changed_files: pull.files.length,
  };
}

export function pullRequestMinimal(
  ctx: ShapeContext,
  repo: RepoRecord,
  pull: PullRecord,
): JsonObject {
  const repoRef = { id: repo.id, url: ctx.urls.repoApi(repo), name: repo.name };
  return {
    id: pull.id,
    number: pull.number,
    url: `${ctx.urls.repoApi(repo)}/pulls/${pull.number}`,
    head: { ref: pull.headRef, sha: pull.headSha, repo: repoRef },
    base: { ref: pull.baseRef, sha: pull.baseSha, repo: repoRef },
  };
}

export function review(ctx: ShapeContext, repo: RepoRecord, record: ReviewRecord): JsonObject {
  const pullApi = `${ctx.urls.repoApi(repo)}/pulls/${record.pullNumber}`;
  const html = `${ctx.urls.repoWeb(repo)}/pull/${record.pullNumber}#pullrequestreview-${record.id}`;
  return {
    id: record.id,
    node_id: nodeId("PullRequestReview", record.id),
    user: user(ctx, record.user),
    body: record.body,
    state: record.state,
    html_url: html,
    pull_request_url: pullApi,
    _links: { html: { href: html }, pull_request: { href: pullApi } },
    submitted_at: record.submittedAt,
    commit_id: record.commitId,
    author_association: "MEMBER",
  };
}

export function comment(ctx: ShapeContext, repo: RepoRecord, record: CommentRecord): JsonObject {
  const kind = repo.issues.get(record.issueNumber)?.isPullRequest ? "pull" : "issues";
  return {
    id: record.id,
    node_id: nodeId("IssueComment", record.id),
    url: `${ctx.urls.repoApi(repo)}/issues/comments/${record.id}`,
    html_url: `${ctx.urls.repoWeb(repo)}/${kind}/${record.issueNumber}#issuecomment-${record.id}`,
    issue_url: `${ctx.urls.repoApi(repo)}/issues/${record.issueNumber}`,
    body: record.body,
    user: user(ctx, record.user),
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    author_association: "MEMBER",
    // GitHub names the app behind a comment an app wrote: the app recognises its own by it.
    ...(record.user === `${ctx.state.app.slug}[bot]`
      ? { performed_via_github_app: integration(ctx, ctx.state.app) }
      : {}),
  };
}

export function checkRun(ctx: ShapeContext, repo: RepoRecord, run: CheckRunRecord): JsonObject {
  const api = `${ctx.urls.repoApi(repo)}/check-runs/${run.id}`;
  const app = ctx.state.apps.get(run.appId) ?? ctx.state.app;
  const pulls = [...repo.pulls.values()].filter(
    (p) => p.headSha === run.headSha && repo.issues.get(p.number)?.state === "open",
  );
  return {
    id: run.id,
    node_id: nodeId("CheckRun", run.id),
    head_sha: run.headSha,
    external_id: run.externalId ?? "",
    url: api,
    html_url: `${ctx.urls.repoWeb(repo)}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${ctx.urls.repoWeb(repo)}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotations.length,
      annotations_url: `${api}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.checkSuiteId },
    app: integration(ctx, app),
    pull_requests: pulls.map((p) => pullRequestMinimal(ctx, repo, p)),
  };
}

/** A status as the combined view lists it (no creator). */
export function simpleStatus(
  ctx: ShapeContext,
  repo: RepoRecord,
  record: StatusRecord,
): JsonObject {
  return {
    url: `${ctx.urls.repoApi(repo)}/statuses/${record.sha}`,
    avatar_url: null,
    id: record.id,
    node_id: nodeId("StatusContext", record.id),
    state: record.state,
    description: record.description,
    target_url: record.targetUrl,
    context: record.context,
    created_at: record.createdAt,
    updated_at: record.createdAt,
  };
}

export function status(ctx: ShapeContext, repo: RepoRecord, record: StatusRecord): JsonObject {
  return { ...simpleStatus(ctx, repo, record), creator: user(ctx, record.creator) };
}

export function deployment(
  ctx: ShapeContext,
  repo: RepoRecord,
  record: DeploymentRecord,
): JsonObject {
  const api = `${ctx.urls.repoApi(repo)}/deployments/${record.id}`;
  return {
    url: api,
    id: record.id,
    node_id: nodeId("Deployment", record.id),
    sha: record.sha,
    ref: record.ref,
    task: record.task,
    payload: record.payload,
    original_environment: record.environment,
    environment: record.environment,
    description: record.description,
    creator: user(ctx, record.creator),
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    statuses_url: `${api}/statuses`,
    repository_url: ctx.urls.repoApi(repo),
    transient_environment: record.transientEnvironment,
    production_environment: record.productionEnvironment,
  };
}

export function deploymentStatus(
  ctx: ShapeContext,
  repo: RepoRecord,
  record: DeploymentStatusRecord,
): JsonObject {
  const deploymentApi = `${ctx.urls.repoApi(repo)}/deployments/${record.deploymentId}`;
  return {
    url: `${deploymentApi}/statuses/${record.id}`,
    id: record.id,
    node_id: nodeId("DeploymentStatus", record.id),
    state: record.state,
    creator: user(ctx, record.creator),
    description: record.description,
    environment: record.environment,
    // GitHub sends "" when unset, but documents a URI; the deployments page keeps both true enough.
    target_url: record.logUrl || `${ctx.urls.repoWeb(repo)}/deployments`,
    log_url: record.logUrl || `${ctx.urls.repoWeb(repo)}/deployments`,
    environment_url: record.environmentUrl || `${ctx.urls.repoWeb(repo)}/deployments`,
    created_at: record.createdAt,
    updated_at: record.createdAt,
    deployment_url: deploymentApi,
    repository_url: ctx.urls.repoApi(repo),
  };
}

export function workflowRun(
  ctx: ShapeContext,
  repo: RepoRecord,
  run: WorkflowRunRecord,
): JsonObject {
  const api = `${ctx.urls.repoApi(repo)}/actions/runs/${run.id}`;
  const head = repo.commits.get(run.headSha);
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId("WorkflowRun", run.id),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.path,
    display_title: head?.message.split("\n")[0] ?? run.name,
    run_number: run.runNumber,
    run_attempt: 1,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    url: api,
    html_url: `${ctx.urls.repoWeb(repo)}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    run_started_at: run.createdAt,
    actor: user(ctx, run.actor),
    triggering_actor: user(ctx, run.actor),
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    check_suite_url: `${ctx.urls.repoApi(repo)}/check-suites/${run.id}`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    workflow_url: `${ctx.urls.repoApi(repo)}/actions/workflows/${run.workflowId}`,
    head_commit: head
      ? {
          id: head.sha,
          tree_id: treeSha(head),
          message: head.message,
          timestamp: head.date,
          author: gitUser(head.author, head.date),
          committer: gitUser(head.committer, head.date),
        }
      : null,
    repository: repository(ctx, repo),
    head_repository: repository(ctx, repo),
  };
}

export function release(ctx: ShapeContext, repo: RepoRecord, record: ReleaseRecord): JsonObject {
  const api = `${ctx.urls.repoApi(repo)}/releases/${record.id}`;
  const tagWeb = `${ctx.urls.repoWeb(repo)}/releases/tag/${encodeURIComponent(record.tagName)}`;
  return {
    url: api,
    html_url: record.draft ? `${ctx.urls.repoWeb(repo)}/releases/untagged-${record.id}` : tagWeb,
    assets_url: `${api}/assets`,
    upload_url: `${ctx.urls.web}/uploads/repos/${repo.owner}/${repo.name}/releases/${record.id}/assets{?name,label}`,
    tarball_url: `${ctx.urls.repoApi(repo)}/tarball/${encodeURIComponent(record.tagName)}`,
    zipball_url: `${ctx.urls.repoApi(repo)}/zipball/${encodeURIComponent(record.tagName)}`,
    id: record.id,
    node_id: nodeId("Release", record.id),
    tag_name: record.tagName,
    target_commitish: record.targetCommitish,
    name: record.name,
    body: record.body,
    draft: record.draft,
    prerelease: record.prerelease,
    immutable: false,
    created_at: record.createdAt,
    published_at: record.publishedAt,
    author: user(ctx, record.author),
    assets: [],
  };
}

export function tag(ctx: ShapeContext, repo: RepoRecord, record: TagRecord): JsonObject {
  const name = encodeURIComponent(record.name);
  return {
    name: record.name,
    commit: { sha: record.commitSha, url: `${ctx.urls.repoApi(repo)}/commits/${record.commitSha}` },
    zipball_url: `${ctx.urls.repoApi(repo)}/zipball/refs/tags/${name}`,
    tarball_url: `${ctx.urls.repoApi(repo)}/tarball/refs/tags/${name}`,
    node_id: nodeId("Ref", `${repo.id}:tags/${record.name}`),
  };
}

export function gitRef(
  ctx: ShapeContext,
  repo: RepoRecord,
  ref: string,
  sha: string,
  type: "commit" | "tag",
): JsonObject {
  const path = type === "tag" ? "git/tags" : "git/commits";
  return {
    ref,
    node_id: nodeId("Ref", `${repo.id}:${ref}`),
    url: `${ctx.urls.repoApi(repo)}/git/${ref}`,
    object: { type, sha, url: `${ctx.urls.repoApi(repo)}/${path}/${sha}` },
  };
}

export function gitTag(ctx: ShapeContext, repo: RepoRecord, record: TagRecord): JsonObject {
  const annotated = record.annotated;
  if (!annotated) throw new Error("stand-in: lightweight tags have no tag object");
  return {
    node_id: nodeId("Tag", annotated.sha),
    sha: annotated.sha,
    url: `${ctx.urls.repoApi(repo)}/git/tags/${annotated.sha}`,
    tag: record.name,
    message: annotated.message,
    tagger: gitUser(annotated.tagger, annotated.date),
    object: {
      type: "commit",
      sha: record.commitSha,
      url: `${ctx.urls.repoApi(repo)}/git/commits/${record.commitSha}`,
    },
    verification: {
      verified: false,
      reason: "unsigned",
      signature: null,
      payload: null,
      verified_at: null,
    },
  };
}

function gitUser(login: string, date: string): JsonObject {
  return { name: login, email: `${login.replace(/\[bot\]$/, "")}@users.noreply.example`, date };
}

function treeSha(commit: CommitRecord): string {
  return commit.sha.split("").reverse().join("");
}

export function diffEntry(
  ctx: ShapeContext,
  repo: RepoRecord,
  file: DiffFile,
  ref: string,
): JsonObject {
  const path = file.filename.split("/").map(encodeURIComponent).join("/");
  return {
    sha: Buffer.from(`${ref}:${file.filename}`).toString("hex").slice(0, 40).padEnd(40, "0"),
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: `${ctx.urls.repoWeb(repo)}/blob/${ref}/${path}`,
    raw_url: `${ctx.urls.repoWeb(repo)}/raw/${ref}/${path}`,
    contents_url: `${ctx.urls.repoApi(repo)}/contents/${path}?ref=${ref}`,
    ...(file.previousFilename ? { previous_filename: file.previousFilename } : {}),
  };
}

/** `commit`; with `detail`, also `stats` and `files` as `GET .../commits/{ref}` has them. */
export function commit(
  ctx: ShapeContext,
  repo: RepoRecord,
  record: CommitRecord,
  detail: boolean,
): JsonObject {
  const api = `${ctx.urls.repoApi(repo)}/commits/${record.sha}`;
  const shape: JsonObject = {
    url: api,
    sha: record.sha,
    node_id: nodeId("Commit", record.sha),
    html_url: `${ctx.urls.repoWeb(repo)}/commit/${record.sha}`,
    comments_url: `${api}/comments`,
    commit: {
      url: `${ctx.urls.repoApi(repo)}/git/commits/${record.sha}`,
      author: gitUser(record.author, record.date),
      committer: gitUser(record.committer, record.date),
      message: record.message,
      tree: { sha: treeSha(record), url: `${ctx.urls.repoApi(repo)}/git/trees/${treeSha(record)}` },
      comment_count: 0,
      verification: {
        verified: false,
        reason: "unsigned",
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    author: user(ctx, record.author),
    committer: user(ctx, record.committer),
    parents: record.parents.map((sha) => ({
      sha,
      url: `${ctx.urls.repoApi(repo)}/commits/${sha}`,
      html_url: `${ctx.urls.repoWeb(repo)}/commit/${sha}`,
    })),
  };
  if (!detail) return shape;
  const additions = record.files.reduce((n, f) => n + f.additions, 0);
  const deletions = record.files.reduce((n, f) => n + f.deletions, 0);
  return {
    ...shape,
    stats: { additions, deletions, total: additions + deletions },
    files: record.files.map((f) => diffEntry(ctx, repo, f, record.sha)),
  };
}
