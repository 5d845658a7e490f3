// deployment_status for the release desk: how each deployment went (shipped, failed), with
// who approved it through the app. Once per delivery; an owner without a desk costs one
// cached read of its base policy. And a repository made public or private: its rows appear on
// or leave the desk.
import type { Context } from "probot";
import type { Visibility } from "../facts/types.js";
import { readApprovals } from "../holds/approvals.js";
import { holdKey } from "../holds/registry.js";
import { oncePerDelivery, repoRefOf } from "./common.js";
import type { Deps } from "./deps.js";

export async function onDeskDeploymentStatus(
  deps: Deps,
  context: Context<"deployment_status">,
): Promise<void> {
  const desk = deps.desk;
  if (!desk) return;
  const { deployment_status: status, deployment, workflow_run: run } = context.payload;
  const repo = repoRefOf(context.payload.repository);
  await oncePerDelivery(
    deps,
    context,
    async () => {
      const environment = status.environment ?? deployment.environment;
      const approvals = run
        ? await readApprovals(deps.store, holdKey({ repo, runId: run.id, environment }))
        : [];
      const url = status.target_url || status.log_url || undefined;
      await desk.deploymentStatus(
        context.octokit,
        {
          repo,
          deploymentId: deployment.id,
          environment,
          sha: deployment.sha,
          state: status.state,
          at: status.created_at,
          ...(url ? { url } : {}),
          approvers: approvals.map((approval) => approval.user),
          ...(context.payload.installation
            ? { installationId: context.payload.installation.id }
            : {}),
        },
        context.log,
      );
    },
    "desk",
  );
}

/** The `repository` actions that change who can read a repository. */
export const VISIBILITY_ACTIONS = ["repository.publicized", "repository.privatized"] as const;

/**
 * A repository made public or private: the desk shows or hides its rows from its next edit.
 * The new visibility is GitHub's own, from the signed webhook; it costs no request.
 */
export async function onDeskVisibility(
  deps: Deps,
  context: Context<(typeof VISIBILITY_ACTIONS)[number]>,
): Promise<void> {
  const desk = deps.desk;
  if (!desk) return;
  const repo = repoRefOf(context.payload.repository);
  // The action says which way it went; a repository made internal is privatized too.
  const visibility: Visibility =
    context.payload.action === "publicized"
      ? "public"
      : repo.visibility === "internal"
        ? "internal"
        : "private";
  const installationId = context.payload.installation?.id;
  await oncePerDelivery(
    deps,
    context,
    () => desk.repositoryVisibility(context.octokit, repo, visibility, context.log, installationId),
    "desk",
  );
}
