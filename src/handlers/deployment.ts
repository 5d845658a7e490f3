// The deployment side: GitHub asks the protection rule about a waiting job; release managers
// approve through GitHub's deployment review; deployments report their status. Held
// deployments are re-checked when any of these arrive, when their timer fires, and on start-up.
import type { Context, Probot } from "probot";
import type { AppDeps, AppOptions } from "../app-deps.js";
import type { DeploymentRequest } from "../facts/deployment.js";
import type { Octokit } from "../github/types.js";
import { recordApproval } from "../holds/approvals.js";
import { HoldRegistry, holdKey, type Hold } from "../holds/registry.js";
import { timerScheduler } from "../holds/scheduler.js";
import { HoldTimers } from "../holds/timers.js";
import { decideDeployment, type DeploymentDeps } from "../pipeline/deployment.js";
import { oncePerDelivery, repoRefOf } from "./common.js";

const RUN_ID = /\/actions\/runs\/(\d+)\/deployment_protection_rule\/?$/;

/** The run id GitHub expects the answer for, from the payload's callback URL. */
export function runIdOf(callbackUrl: string | undefined): number | null {
  const match = callbackUrl ? RUN_ID.exec(callbackUrl) : null;
  return match ? Number(match[1]) : null;
}

type RequestedPayload = Context<"deployment_protection_rule.requested">["payload"];

/**
 * The deployment asked about. GitHub's payload carries sha and ref at the top level only
 * sometimes; the deployment object always has them.
 */
export function requestOf(payload: RequestedPayload): DeploymentRequest | string {
  const loose = payload as RequestedPayload & { sha?: unknown; ref?: unknown };
  const runId = runIdOf(payload.deployment_callback_url);
  const environment = payload.environment ?? payload.deployment?.environment;
  const sha = typeof loose.sha === "string" ? loose.sha : payload.deployment?.sha;
  const ref = typeof loose.ref === "string" ? loose.ref : payload.deployment?.ref;
  if (runId === null) return "the payload has no deployment_callback_url with a run id";
  if (!environment) return "the payload names no environment";
  if (!sha || !payload.deployment || !payload.installation) {
    return "the payload has no deployment, commit or installation";
  }
  return {
    repo: repoRefOf(payload.repository),
    installationId: payload.installation.id,
    runId,
    environment,
    deploymentId: payload.deployment.id,
    sha,
    ref: ref ?? sha,
  };
}

type Deps = AppDeps & DeploymentDeps;

export function registerDeploymentHandlers(app: Probot, base: AppDeps, options: AppOptions): Deps {
  const scheduler = options.scheduler ?? timerScheduler(base.now);
  const holds = new HoldRegistry(base.store);
  const recheck = async (hold: Hold): Promise<void> => {
    const octokit = (await app.auth(hold.request.installationId)) as Octokit;
    await decideDeployment(deps, { octokit, log: app.log }, hold.request);
  };
  const timers = new HoldTimers(scheduler, (hold) =>
    recheck(hold).catch((error: unknown) => {
      app.log.warn({ err: error, hold: hold.key }, "re-check of a held deployment failed");
      // Keep it alive: try again later rather than lose the hold.
      timers.arm({ ...hold, recheckAt: new Date(base.now().getTime() + 60_000).toISOString() });
    }),
  );
  const deps: Deps = { ...base, holds, timers };

  app.on("deployment_protection_rule.requested", (context) => onRequested(deps, context));
  app.on("deployment_review.approved", (context) => onApproved(deps, context));
  app.on("deployment_review.rejected", (context) => onRejected(deps, context));
  app.on("deployment_status", (context) => onDeploymentStatus(deps, context));
  // Holds outlive the process: pick them up once the app is running.
  scheduler.at(base.now(), async () => {
    const count = await timers.recover(holds, base.now());
    if (count > 0) app.log.info({ holds: count }, "recovered held deployments");
  });
  return deps;
}

async function onRequested(
  deps: Deps,
  context: Context<"deployment_protection_rule.requested">,
): Promise<void> {
  const request = requestOf(context.payload);
  if (typeof request === "string") {
    // Without a run id there is no one to answer; GitHub times the job out after 30 days.
    context.log.error({ delivery: context.id }, `cannot answer the protection rule: ${request}`);
    return;
  }
  await oncePerDelivery(deps, context, () =>
    decideDeployment(deps, { octokit: context.octokit, log: context.log }, request),
  );
}

type ReviewContext = Context<"deployment_review.approved"> | Context<"deployment_review.rejected">;

/** The environments a deployment review covers (one review may cover several jobs). */
function reviewedEnvironments(payload: ReviewContext["payload"]): string[] {
  const runs = [
    ...(payload.workflow_job_runs ?? []),
    ...(payload.workflow_job_run ? [payload.workflow_job_run] : []),
  ];
  return [...new Set(runs.flatMap((run) => (run.environment ? [run.environment] : [])))];
}

async function onApproved(
  deps: Deps,
  context: Context<"deployment_review.approved">,
): Promise<void> {
  const { payload } = context;
  const approver = payload.approver?.login;
  const runId = payload.workflow_run?.id;
  if (!approver || runId === undefined) return;
  await oncePerDelivery(deps, context, async () => {
    const repo = repoRefOf(payload.repository);
    for (const environment of reviewedEnvironments(payload)) {
      const key = holdKey({ repo, runId, environment });
      await recordApproval(deps.store, key, { user: approver, at: deps.now().toISOString() });
      const hold = await deps.holds.get(key);
      if (hold)
        await decideDeployment(deps, { octokit: context.octokit, log: context.log }, hold.request);
    }
  });
}

/** A reviewer rejected: GitHub fails the job itself, so the hold has nothing left to wait for. */
async function onRejected(
  deps: DeploymentDeps,
  context: Context<"deployment_review.rejected">,
): Promise<void> {
  const { payload } = context;
  const runId = payload.workflow_run?.id;
  if (runId === undefined) return;
  const repo = repoRefOf(payload.repository);
  for (const environment of reviewedEnvironments(payload)) {
    const key = holdKey({ repo, runId, environment });
    deps.timers.disarm(key);
    await deps.holds.remove(key);
  }
}

/**
 * A deployment succeeded somewhere: held deployments of the same commit may now be promoted
 * (their `after` environment is satisfied).
 */
async function onDeploymentStatus(
  deps: DeploymentDeps,
  context: Context<"deployment_status">,
): Promise<void> {
  const { deployment_status: status, deployment, repository } = context.payload;
  if (status.state !== "success") return;
  const repo = repoRefOf(repository);
  const held = (await deps.holds.all()).filter(
    (hold) =>
      hold.request.sha === deployment.sha &&
      hold.request.repo.owner.toLowerCase() === repo.owner.toLowerCase() &&
      hold.request.repo.repo.toLowerCase() === repo.repo.toLowerCase(),
  );
  for (const hold of held) {
    await decideDeployment(deps, { octokit: context.octokit, log: context.log }, hold.request);
  }
}
