// deployment_status for the release desk: how each deployment went (shipped, failed), with
// who approved it through the app. Once per delivery; an owner without a desk costs one
// cached read of its base policy.
import type { Context } from "probot";
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
