// The deployment side: GitHub asks the protection rule about a waiting job; release managers
// approve through GitHub's deployment review; deployments report their status. Held
// deployments are re-checked when any of these arrive, when their timer fires, and on start-up.
import type { Context } from "probot";
import type { Deps } from "./deps.js";
import type { DeploymentRequest } from "../facts/deployment.js";
import { recordApproval, recordDeployers } from "../holds/approvals.js";
import { holdKey } from "../holds/registry.js";
import { commitScope, pullScope, runScope } from "../holds/triggers.js";
import { markStale } from "../holds/answer.js";
import { decideDeployment, type DeploymentDeps } from "../pipeline/deployment.js";
import { tellListeners } from "../pipeline/deployment-listeners.js";
import { openPostImplementationReviews } from "../pipeline/post-implementation-review.js";
import { oncePerDelivery, handleOnce, repoRefOf } from "./common.js";

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

export async function onRequested(
  deps: Deps,
  context: Context<"deployment_protection_rule.requested">,
): Promise<void> {
  const request = requestOf(context.payload);
  if (typeof request === "string") {
    // Without a run id there is no one to answer; GitHub times the job out after 30 days.
    context.log.error({ delivery: context.id }, `cannot answer the protection rule: ${request}`);
    return;
  }
  // Answered first: the decision's writes are throttled, and GitHub gives up after 10 s.
  await handleOnce(deps, context, () =>
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

/**
 * A release manager approved through GitHub's deployment review. The approval goes into the
 * ledger and is noted as a trigger before the hold is looked up: a decision in flight that
 * stores its hold after this lookup sees the trigger and decides again (holds/triggers.ts).
 */
export async function onApproved(
  deps: Deps,
  context: Context<"deployment_review.approved">,
): Promise<void> {
  const { payload } = context;
  const approver = payload.approver?.login;
  const runId = payload.workflow_run?.id;
  if (!approver || runId === undefined) return;
  await handleOnce(deps, context, async () => {
    const repo = repoRefOf(payload.repository);
    const deployers = deployersOf(payload.workflow_run);
    for (const environment of reviewedEnvironments(payload)) {
      const key = holdKey({ repo, runId, environment });
      await recordApproval(deps.store, key, {
        user: approver,
        at: deps.now().toISOString(),
        via: "review",
      });
      if (deployers) await recordDeployers(deps.store, key, deployers);
      await deps.triggers.note(runScope({ repo, runId, environment }));
      const hold = await deps.holds.get(key);
      if (!hold) continue;
      const trigger = { octokit: context.octokit, log: context.log };
      await decideDeployment(deps, trigger, hold.request, { reviewed: true });
    }
  });
}

/**
 * Who started and re-ran the run, from the review's payload (GitHub's own record of the
 * run); undefined when the payload does not say, and the run is read instead.
 */
function deployersOf(
  run: Context<"deployment_review.approved">["payload"]["workflow_run"],
): string[] | undefined {
  const loose = run as (typeof run & { triggering_actor?: { login?: string } | null }) | null;
  const actor = loose?.actor?.login;
  if (!actor) return undefined;
  const triggering = loose.triggering_actor?.login;
  return [...new Set(triggering ? [actor, triggering] : [actor])];
}

/** Re-checks the holds a relabelled, merged pull request names, reading it afresh. */
export async function onRelabelled(
  deps: Deps,
  context: Context<"pull_request.labeled"> | Context<"pull_request.unlabeled">,
): Promise<void> {
  const { pull_request: pr, repository } = context.payload;
  // Holds name merged pull requests only: an open one costs nothing, not even a store read.
  if (!pr.merged_at) return;
  const repo = repoRefOf(repository);
  await deps.triggers.note(pullScope(repo, pr.number));
  const holds = await deps.holds.forPull(repo, pr.number);
  if (holds.length === 0) return;
  await oncePerDelivery(
    deps,
    context,
    async () => {
      for (const hold of holds) {
        await markStale(deps.store, hold.key);
        const trigger = { octokit: context.octokit, log: context.log };
        await decideDeployment(deps, trigger, hold.request);
      }
    },
    "holds",
  );
}

/**
 * A reviewer rejected: GitHub fails the job itself, so the hold has nothing left to wait for.
 * A decision in flight learns it from the trigger: deciding again, it reads GitHub's record of
 * the run's reviews, finds the rejection and lets the hold go.
 */
export async function onRejected(
  deps: DeploymentDeps,
  context: Context<"deployment_review.rejected">,
): Promise<void> {
  const { payload } = context;
  const runId = payload.workflow_run?.id;
  if (runId === undefined) return;
  const repo = repoRefOf(payload.repository);
  for (const environment of reviewedEnvironments(payload)) {
    const key = holdKey({ repo, runId, environment });
    await deps.triggers.note(runScope({ repo, runId, environment }));
    const hold = await deps.holds.get(key);
    deps.timers.disarm(key);
    await deps.holds.remove(key);
    // GitHub failed the job on the reviewer's word: its listeners (notifications) hear it
    // once, from whoever removed the hold (a redelivery finds none).
    if (hold) {
      await tellListeners(
        deps.listeners,
        {
          request: hold.request,
          decision: "rejected",
          gates: [],
          at: deps.now().toISOString(),
          heldSince: hold.createdAt,
          rejectedBy: payload.sender?.login ?? "a reviewer",
        },
        context.log,
      );
    }
  }
}

/**
 * A deployment succeeded somewhere: held deployments of the same commit may now be promoted
 * (their `after` environment is satisfied), and the changes it brought may need their
 * post-implementation review.
 */
export async function onDeploymentSucceeded(
  deps: Deps,
  context: Context<"deployment_status">,
): Promise<void> {
  const { deployment_status: status, deployment, repository } = context.payload;
  if (status.state !== "success") return;
  const url = status.log_url || status.target_url;
  // Noted before the answer, like the claim: a store that cannot take it fails the delivery.
  await deps.triggers.note(commitScope(repoRefOf(repository), deployment.sha));
  await handleOnce(deps, context, async () => {
    await recheckSameCommit(deps, context);
    await openPostImplementationReviews(deps, context, {
      repo: repoRefOf(repository),
      environment: deployment.environment,
      deploymentId: deployment.id,
      sha: deployment.sha,
      ...(context.payload.workflow_run ? { runId: context.payload.workflow_run.id } : {}),
      ...(url ? { url } : {}),
    });
  });
}

async function recheckSameCommit(
  deps: DeploymentDeps,
  context: Context<"deployment_status">,
): Promise<void> {
  const { deployment, repository } = context.payload;
  const repo = repoRefOf(repository);
  const held = (await deps.holds.all()).filter(
    (hold) =>
      hold.request.sha === deployment.sha &&
      hold.request.repo.owner.toLowerCase() === repo.owner.toLowerCase() &&
      hold.request.repo.repo.toLowerCase() === repo.repo.toLowerCase(),
  );
  for (const hold of held) {
    const trigger = { octokit: context.octokit, log: context.log };
    await decideDeployment(deps, trigger, hold.request);
  }
}
