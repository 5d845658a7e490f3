/**
 * What a person does on GitHub, played against the stand-in: each method changes the
 * stand-in's state the way GitHub would and returns the webhook GitHub would then send,
 * built from the same records (so ids, shas and URLs in the payload match the API).
 */
import type { CommentRecord, IssueRecord, RepoRecord } from "../stand-in/records.js";
import type { StandIn } from "../stand-in/server.js";
import {
  comment,
  deployment,
  deploymentStatus,
  integration,
  issue,
  pullRequest,
  repository,
  review,
  Urls,
  user,
  workflowRun,
  type JsonObject,
  type ShapeContext,
} from "../stand-in/shapes.js";

export interface Webhook {
  event: string;
  payload: JsonObject;
}

export class GitHubEvents {
  private readonly ctx: ShapeContext;
  /** The deployment each requested run's job made, by run id. */
  private readonly deploymentOfRun = new Map<number, number>();

  constructor(
    private readonly gh: StandIn,
    readonly owner: string,
    readonly repo: string,
  ) {
    this.ctx = { state: gh.state, urls: new Urls(gh.url) };
  }

  /** `pull_request.opened` for a pull request seeded in the stand-in. */
  opened(number: number): Webhook {
    return this.pullRequestEvent("opened", number, this.issueRecord(number).author);
  }

  /** The author renames the pull request: `pull_request.edited` with the old title. */
  editTitle(number: number, title: string): Webhook {
    const record = this.issueRecord(number);
    const from = record.title;
    record.title = title;
    record.updatedAt = this.gh.state.now();
    return this.pullRequestEvent("edited", number, record.author, { title: { from } });
  }

  /** `reviewer` submits a review on the head commit: `pull_request_review.submitted`. */
  submitReview(number: number, reviewer: string, state: "APPROVED" | "CHANGES_REQUESTED"): Webhook {
    const record = this.gh.state.addReview(this.owner, this.repo, number, {
      user: reviewer,
      state,
    });
    const repo = this.repoRecord();
    const submitted = review(this.ctx, repo, record);
    return {
      event: "pull_request_review",
      payload: {
        action: "submitted",
        // Webhooks spell review states in lower case, the REST API in upper case.
        review: { ...submitted, state: state.toLowerCase() },
        pull_request: pullRequest(this.ctx, repo, this.pullRecord(number), false),
        ...this.envelope(reviewer),
      },
    };
  }

  /** `author` comments on issue or pull request `number`: `issue_comment.created`. */
  comment(number: number, body: string, author: string): Webhook {
    const repo = this.repoRecord();
    const record = this.gh.state.createComment(repo, number, author, body);
    return {
      event: "issue_comment",
      payload: {
        action: "created",
        issue: issue(this.ctx, repo, this.issueRecord(number)),
        comment: this.commentShape(repo, record),
        ...this.envelope(author),
      },
    };
  }

  /** `editor` saves a new body for a comment: `issue_comment.edited` with the old body. */
  editComment(commentId: number, body: string, editor: string): Webhook {
    const repo = this.repoRecord();
    const record = repo.comments.find((c) => c.id === commentId);
    if (!record) throw new Error(`no comment ${commentId} in ${this.owner}/${this.repo}`);
    const from = record.body;
    record.body = body;
    record.updatedAt = this.gh.state.now();
    (record.edits ??= []).push({ by: editor, body });
    return {
      event: "issue_comment",
      payload: {
        action: "edited",
        changes: { body: { from } },
        issue: issue(this.ctx, repo, this.issueRecord(record.issueNumber)),
        comment: this.commentShape(repo, record),
        ...this.envelope(editor),
      },
    };
  }

  /**
   * A workflow job targets a protected environment: GitHub creates the deployment, holds
   * the job and asks the app (`deployment_protection_rule.requested`).
   */
  deploymentRequested(seed: { sha: string; environment: string; actor: string }): Webhook & {
    runId: number;
  } {
    const { state } = this.gh;
    const run = state.addWorkflowRun(this.owner, this.repo, {
      headSha: seed.sha,
      actor: seed.actor,
      status: "waiting",
    });
    const record = state.addDeployment(this.owner, this.repo, {
      ref: this.repoRecord().defaultBranch,
      sha: seed.sha,
      environment: seed.environment,
      creator: "github-actions[bot]",
    });
    const repo = this.repoRecord();
    this.deploymentOfRun.set(run.id, record.id);
    return {
      runId: run.id,
      event: "deployment_protection_rule",
      payload: {
        action: "requested",
        environment: seed.environment,
        event: "push",
        sha: seed.sha,
        ref: `refs/heads/${repo.defaultBranch}`,
        deployment_callback_url: `${this.ctx.urls.repoApi(repo)}/actions/runs/${run.id}/deployment_protection_rule`,
        deployment: deployment(this.ctx, repo, record),
        pull_requests: [],
        ...this.envelope("github-actions[bot]"),
      },
    };
  }

  /** `pusher` pushes a new lightweight tag on `sha`: the `push` event of a tag. */
  tagPushed(tag: string, sha: string, pusher: string): Webhook {
    this.gh.state.addTag(this.owner, this.repo, tag, sha);
    return {
      event: "push",
      payload: {
        ref: `refs/tags/${tag}`,
        before: "0".repeat(40),
        after: sha,
        created: true,
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `${this.gh.url}/${this.owner}/${this.repo}/compare/${tag}`,
        commits: [],
        head_commit: null,
        pusher: { name: pusher, email: null },
        ...this.envelope(pusher),
      },
    };
  }

  /**
   * The job of run `runId` finished its deployment: GitHub records the status and sends
   * `deployment_status`, with the deployment and its workflow run.
   */
  deploymentFinished(runId: number, state: "success" | "failure" | "error"): Webhook {
    const repo = this.repoRecord();
    const run = repo.workflowRuns.get(runId);
    const made = repo.deployments.find((d) => d.id === this.deploymentOfRun.get(runId));
    if (!run || !made) throw new Error(`no deployment of workflow run ${runId}`);
    const status = this.gh.state.addDeploymentStatus(this.owner, this.repo, made.id, { state });
    return {
      event: "deployment_status",
      payload: {
        action: "created",
        deployment_status: deploymentStatus(this.ctx, repo, status),
        deployment: deployment(this.ctx, repo, made),
        workflow_run: workflowRun(this.ctx, repo, run),
        ...this.envelope("github-actions[bot]"),
      },
    };
  }

  /** A required reviewer approves the held job in GitHub's deployment review. */
  deploymentApproved(runId: number, environment: string, approver: string): Webhook {
    const repo = this.repoRecord();
    const run = repo.workflowRuns.get(runId);
    if (!run) throw new Error(`no workflow run ${runId}`);
    this.gh.state.addRunApproval(this.owner, this.repo, runId, {
      environments: [environment],
      state: "approved",
      user: approver,
    });
    const at = this.gh.state.now();
    return {
      event: "deployment_review",
      payload: {
        action: "approved",
        approver: user(this.ctx, approver),
        comment: "Approved for production",
        since: at,
        workflow_job_runs: [
          {
            id: runId * 10,
            name: "deploy",
            environment,
            status: "waiting",
            conclusion: null,
            created_at: run.createdAt,
            updated_at: at,
            html_url: `${this.ctx.urls.repoWeb(repo)}/actions/runs/${runId}/job/${runId * 10}`,
          },
        ],
        workflow_run: workflowRun(this.ctx, repo, run),
        ...this.envelope(approver),
      },
    };
  }

  /**
   * GitHub names the app that wrote a comment with an installation token; the stand-in's
   * comment shape leaves that field out, so the webhook adds it here.
   */
  private commentShape(repo: RepoRecord, record: CommentRecord): JsonObject {
    const shape = comment(this.ctx, repo, record);
    const byApp = record.user.toLowerCase() === this.gh.state.botLogin().toLowerCase();
    return byApp
      ? { ...shape, performed_via_github_app: integration(this.ctx, this.gh.state.app) }
      : { ...shape, performed_via_github_app: null };
  }

  private pullRequestEvent(
    action: string,
    number: number,
    sender: string,
    changes?: JsonObject,
  ): Webhook {
    const pull = pullRequest(this.ctx, this.repoRecord(), this.pullRecord(number), true);
    return {
      event: "pull_request",
      payload: {
        action,
        number,
        ...(changes ? { changes } : {}),
        pull_request: pull,
        ...this.envelope(sender),
      },
    };
  }

  /** The fields every webhook of a repository carries. */
  /**
   * Pull request `number` joins the merge queue: GitHub builds its merge group, a commit on
   * a queue branch stacked on `stackedOn` (the entry ahead's head; by default the base
   * branch's tip), and asks for its checks (`merge_group.checks_requested`).
   */
  queued(number: number, stackedOn?: string): Webhook & { headSha: string } {
    const { state } = this.gh;
    const pull = this.pullRecord(number);
    const base = stackedOn ?? this.repoRecord().branches.get(pull.baseRef) ?? pull.baseSha;
    const branch = `gh-readonly-queue/${pull.baseRef}/pr-${number}-${base}`;
    state.setBranch(this.owner, this.repo, branch, base);
    const headSha = state.addCommit(this.owner, this.repo, {
      branch,
      message: `Merge pull request #${number}`,
    });
    return {
      event: "merge_group",
      headSha,
      payload: {
        action: "checks_requested",
        merge_group: {
          head_sha: headSha,
          head_ref: `refs/heads/${branch}`,
          base_sha: base,
          base_ref: `refs/heads/${pull.baseRef}`,
          head_commit: {
            id: headSha,
            tree_id: headSha,
            message: `Merge pull request #${number}`,
            timestamp: state.now(),
            author: { name: "GitHub", email: "noreply@github.com" },
            committer: { name: "GitHub", email: "noreply@github.com" },
          },
        },
        ...this.envelope("github-merge-queue[bot]"),
      },
    };
  }

  private envelope(sender: string): JsonObject {
    const repo = this.repoRecord();
    return {
      repository: repository(this.ctx, repo),
      installation: {
        id: repo.installationId,
        node_id: Buffer.from(`Installation:${repo.installationId}`).toString("base64"),
      },
      sender: user(this.ctx, sender),
    };
  }

  private repoRecord(): RepoRecord {
    return this.gh.state.requireRepo(this.owner, this.repo);
  }

  private issueRecord(number: number): IssueRecord {
    const found = this.repoRecord().issues.get(number);
    if (!found) throw new Error(`no issue or pull request #${number}`);
    return found;
  }

  private pullRecord(number: number) {
    const found = this.repoRecord().pulls.get(number);
    if (!found) throw new Error(`no pull request #${number}`);
    return found;
  }
}

/** The comment body with the box of `item` ticked, as a person ticking it in GitHub's UI. */
export function tickBox(body: string, item: string): string {
  return setBox(body, item, true);
}

/** The comment body with the box of `item` cleared. */
export function untickBox(body: string, item: string): string {
  return setBox(body, item, false);
}

function setBox(body: string, item: string, checked: boolean): string {
  let found = false;
  const lines = body.split("\n").map((line) => {
    const match = /^(\s*- )\[[ xX]\]( .*)$/.exec(line);
    if (!match || !match[2]?.startsWith(` ${item}`)) return line;
    found = true;
    return `${match[1]}[${checked ? "x" : " "}]${match[2]}`;
  });
  if (!found) throw new Error(`no box for "${item}" in the comment`);
  return lines.join("\n");
}
