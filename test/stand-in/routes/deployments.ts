/** Deployments and their statuses (history the soak and promotion gates read). */
import { resolveRef } from "../git-graph.js";
import {
  GitHubError,
  bodyObject,
  notFound,
  numberParam,
  ok,
  optionalString,
  paged,
  repoOf,
  type HandlerContext,
  type HandlerTable,
} from "../handler.js";
import type {
  DeploymentRecord,
  DeploymentState,
  DeploymentStatusRecord,
  RepoRecord,
} from "../records.js";
import { deployment, deploymentStatus } from "../shapes.js";

const newestFirst = (a: { createdAt: string; id: number }, b: { createdAt: string; id: number }) =>
  b.createdAt.localeCompare(a.createdAt) || b.id - a.id;

function deploymentOf(ctx: HandlerContext): { repo: RepoRecord; record: DeploymentRecord } {
  const repo = repoOf(ctx);
  const record = repo.deployments.find((d) => d.id === numberParam(ctx, "deployment_id"));
  if (!record) throw notFound();
  return { repo, record };
}

export const deploymentRoutes: HandlerTable = {
  "repos/create-deployment": (ctx) => {
    const repo = repoOf(ctx);
    const body = bodyObject(ctx);
    const ref = String(body.ref);
    const sha = resolveRef(repo, ref);
    if (!sha) throw new GitHubError(422, `No ref found for: ${ref}`);
    const environment = optionalString(body.environment) ?? "production";
    const at = ctx.state.now();
    const record: DeploymentRecord = {
      id: ctx.state.nextId(),
      sha,
      ref,
      task: optionalString(body.task) ?? "deploy",
      environment,
      payload: (body.payload as DeploymentRecord["payload"] | undefined) ?? {},
      description: optionalString(body.description) ?? null,
      creator: ctx.state.botLogin(),
      productionEnvironment:
        typeof body.production_environment === "boolean"
          ? body.production_environment
          : environment === "production",
      transientEnvironment: body.transient_environment === true,
      createdAt: at,
      updatedAt: at,
    };
    repo.deployments.push(record);
    return ok(deployment(ctx, repo, record), 201);
  },

  "repos/list-deployments": (ctx) => {
    const repo = repoOf(ctx);
    const q = (name: string) => ctx.query.get(name);
    const list = repo.deployments
      .filter(
        (d) =>
          (!q("sha") || d.sha === q("sha")) &&
          (!q("ref") || d.ref === q("ref")) &&
          (!q("task") || d.task === q("task")) &&
          (!q("environment") || d.environment === q("environment")),
      )
      .sort(newestFirst);
    return paged(ctx, list, (d) => deployment(ctx, repo, d));
  },

  "repos/get-deployment": (ctx) => {
    const { repo, record } = deploymentOf(ctx);
    return ok(deployment(ctx, repo, record));
  },

  "repos/create-deployment-status": (ctx) => {
    const { repo, record } = deploymentOf(ctx);
    const body = bodyObject(ctx);
    const status: DeploymentStatusRecord = {
      id: ctx.state.nextId(),
      deploymentId: record.id,
      state: body.state as DeploymentState,
      description: optionalString(body.description) ?? "",
      environment: optionalString(body.environment) ?? record.environment,
      logUrl: optionalString(body.log_url) ?? optionalString(body.target_url) ?? "",
      environmentUrl: optionalString(body.environment_url) ?? "",
      creator: ctx.state.botLogin(),
      createdAt: ctx.state.now(),
    };
    repo.deploymentStatuses.push(status);
    record.updatedAt = status.createdAt;
    return ok(deploymentStatus(ctx, repo, status), 201);
  },

  "repos/list-deployment-statuses": (ctx) => {
    const { repo, record } = deploymentOf(ctx);
    const list = repo.deploymentStatuses
      .filter((s) => s.deploymentId === record.id)
      .sort(newestFirst);
    return paged(ctx, list, (s) => deploymentStatus(ctx, repo, s));
  },
};
