/** Workflow runs and the deployment protection rule answer the app gives for them. */
import {
  bodyObject,
  invalid,
  noContent,
  notFound,
  numberParam,
  ok,
  optionalString,
  repoOf,
  type HandlerContext,
  type HandlerTable,
} from "../handler.js";
import type { ProtectionAnswer, RepoRecord } from "../records.js";
import { user, workflowRun } from "../shapes.js";

const MAX_COMMENT = 1024;
const MAX_STATUS_COMMENTS = 10;

function environment(ctx: HandlerContext, repo: RepoRecord, name: string) {
  return {
    ...environmentSummary(ctx, repo, name),
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
  };
}

function environmentSummary(ctx: HandlerContext, repo: RepoRecord, name: string) {
  const id = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000, repo.id);
  return {
    id,
    node_id: Buffer.from(`Environment:${id}`).toString("base64"),
    name,
    url: `${ctx.urls.repoApi(repo)}/environments/${encodeURIComponent(name)}`,
    html_url: `${ctx.urls.repoWeb(repo)}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
  };
}

function teamReviewer(ctx: HandlerContext, repo: RepoRecord, slug: string) {
  const team = ctx.state.team(repo.owner, slug);
  const id = team?.id ?? 0;
  const api = `${ctx.urls.api}/organizations/${repo.owner}/team/${id}`;
  return {
    id,
    node_id: Buffer.from(`Team:${id}`).toString("base64"),
    url: api,
    members_url: `${api}/members{/member}`,
    name: team?.name ?? slug,
    slug,
    description: null,
    privacy: "closed",
    permission: "pull",
    html_url: `${ctx.urls.web}/orgs/${repo.owner}/teams/${slug}`,
    repositories_url: `${api}/repos`,
    parent: null,
    type: "organization",
  };
}

/**
 * Records every answer. GitHub rejects comments over 1024 characters, more than ten
 * status comments per deployment, and a decision on a gate that was already decided:
 * each is a bug in the caller, so each is a violation.
 */
function reviewCustomGates(ctx: HandlerContext) {
  const repo = repoOf(ctx);
  const runId = numberParam(ctx, "run_id");
  const body = bodyObject(ctx);
  const environmentName = String(body.environment_name);
  const comment = optionalString(body.comment) ?? null;
  const state = body.state === "approved" || body.state === "rejected" ? body.state : null;
  // The published schema lets an unknown `state` through beside a comment; GitHub does not.
  if (body.state !== undefined && state === null)
    throw invalid(`state must be "approved" or "rejected", got ${JSON.stringify(body.state)}`);
  if (comment !== null && comment.length > MAX_COMMENT) {
    throw invalid(
      `Validation Failed: comment is too long (${comment.length} > ${MAX_COMMENT} characters)`,
    );
  }
  const previous = ctx.state.answers.filter(
    (a) =>
      a.repo === repo.name &&
      a.owner === repo.owner &&
      a.runId === runId &&
      a.environmentName === environmentName,
  );
  if (state !== null && previous.some((a) => a.state !== null)) {
    throw invalid(`Run ${runId} already has a decision for environment "${environmentName}"`);
  }
  if (state === null && previous.filter((a) => a.state === null).length >= MAX_STATUS_COMMENTS) {
    throw invalid(`At most ${MAX_STATUS_COMMENTS} status comments per deployment`);
  }
  const answer: ProtectionAnswer = {
    owner: repo.owner,
    repo: repo.name,
    runId,
    environmentName,
    state,
    comment,
    installationId: ctx.caller.kind === "installation" ? ctx.caller.installationId : 0,
    at: ctx.state.now(),
  };
  ctx.state.answers.push(answer);
  return noContent();
}

export const actionRoutes: HandlerTable = {
  "actions/get-workflow-run": (ctx) => {
    const repo = repoOf(ctx);
    const run = repo.workflowRuns.get(numberParam(ctx, "run_id"));
    if (!run) throw notFound();
    return ok(workflowRun(ctx, repo, run));
  },

  "actions/review-custom-gates-for-run": reviewCustomGates,

  "actions/get-reviews-for-run": (ctx) => {
    const repo = repoOf(ctx);
    const runId = numberParam(ctx, "run_id");
    return ok(
      repo.runApprovals
        .filter((a) => a.runId === runId)
        .map((a) => ({
          environments: a.environments.map((name) => environment(ctx, repo, name)),
          state: a.state,
          user: user(ctx, a.user),
          comment: a.comment,
        })),
    );
  },

  "actions/get-pending-deployments-for-run": (ctx) => {
    const repo = repoOf(ctx);
    const runId = numberParam(ctx, "run_id");
    return ok(
      repo.pendingDeployments
        .filter((p) => p.runId === runId)
        .map((p) => {
          return {
            environment: environmentSummary(ctx, repo, p.environment),
            wait_timer: p.waitTimer,
            wait_timer_started_at: p.waitTimerStartedAt,
            current_user_can_approve: false,
            reviewers: p.reviewers.map((r) => ({
              type: r.type,
              reviewer: r.type === "User" ? user(ctx, r.name) : teamReviewer(ctx, repo, r.name),
            })),
          };
        }),
    );
  },
};
