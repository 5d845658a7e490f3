import type { Context } from "probot";
import type { AppDeps } from "./deps.js";
import { POLICY_PATH } from "../policy/types.js";
import type { RepoRef } from "../facts/types.js";
import { evaluate, oncePerDelivery, repoRefOf, triggerOf } from "./common.js";
import { handle } from "./timing.js";

/**
 * A push to the default branch that changes a policy file: drop the cached policy and
 * re-evaluate every open pull request against the new one. A change to the organization's
 * `.github` policy, or to a base policy other repositories extend, invalidates every
 * repository of the owners that depend on it; their pull requests pick the new policy up
 * on their next event (re-evaluating a whole organization at once would spend its rate
 * limit in one burst).
 */
export async function onPush(deps: AppDeps, context: Context<"push">): Promise<void> {
  const { repository, ref, commits } = context.payload;
  if (ref !== `refs/heads/${repository.default_branch}`) return;
  const touched = new Set(
    commits.flatMap((commit) => [
      ...(commit.added ?? []),
      ...(commit.modified ?? []),
      ...(commit.removed ?? []),
    ]),
  );
  await oncePerDelivery(deps, context, async () => {
    const { owner } = repository;
    const repo = repoRefOf({
      ...repository,
      owner: { login: owner?.login ?? "", type: owner?.type },
    });
    await deps.policies.invalidateDependents(repo.owner, repo.repo, touched);
    if (!touched.has(POLICY_PATH)) return;
    if (repo.repo === ".github") await deps.policies.invalidateOwner(repo.owner);
    await deps.policies.invalidateRepo(repo.owner, repo.repo);
    // Hundreds of open pull requests take longer than GitHub waits for an answer: the
    // service answers first. Should this fail after the answer, the cached policy is gone
    // already, so each pull request's next event judges it by the new one.
    await handle(deps.timing, context, () => reevaluateOpen(deps, context, repo));
  });
}

/** One pull request at a time: GitHub's secondary limits, not our CPU, bound this. */
async function reevaluateOpen(
  deps: AppDeps,
  context: Context<"push">,
  repo: RepoRef,
): Promise<void> {
  const open = await context.octokit.paginate(context.octokit.rest.pulls.list, {
    owner: repo.owner,
    repo: repo.repo,
    state: "open",
    per_page: 100,
  });
  context.log.info({ repo, open: open.length }, "policy changed: re-evaluating open pull requests");
  for (const pr of open) {
    await evaluate(deps, triggerOf(context, repo), pr.number, pr);
  }
}
