import type { Context } from "probot";
import type { AppDeps } from "./deps.js";
import { runMergeGroupPipeline } from "../pipeline/merge-group.js";
import { handleOnce, repoRefOf } from "./common.js";

/**
 * A merge queue built a merge group and waits for its required checks: report
 * `release-policy` on the group's head commit, or a queue that requires it stalls until it
 * times out.
 */
export async function onMergeGroupChecksRequested(
  deps: AppDeps,
  context: Context<"merge_group.checks_requested">,
): Promise<void> {
  const { merge_group: group, repository } = context.payload;
  if (!repository) return; // GitHub always sends it for a repository's queue
  const repo = repoRefOf(repository);
  const request = {
    repo,
    headSha: group.head_sha,
    headRef: group.head_ref,
    baseRef: group.base_ref,
  };
  const key = `${repo.owner}/${repo.repo}@${group.head_sha}`.toLowerCase();
  await handleOnce(deps, context, () =>
    deps.queue.run(
      key,
      async () => {
        const result = await runMergeGroupPipeline(deps, {
          octokit: context.octokit,
          log: context.log,
          request,
        });
        // The check says why it failed; failing the delivery as well releases its claim,
        // so a redelivery judges the group again.
        if (result.failure !== undefined) throw result.failure;
      },
      { limited: true },
    ),
  );
}
