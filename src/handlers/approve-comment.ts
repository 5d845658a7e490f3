// Sign-off by comment: `/approve <environment>` on a pull request that brought a held
// deployment's commit records a sign-off for each such deployment to that environment, then
// re-checks it. Whether the sign-off counts (eligibility, segregation of duties) is the
// evaluator's to say, in the deployment's status comment; the comment gets a 👀 reaction
// once recorded. Edits and deletions change nothing: a sign-off is the act of posting, as a
// deployment review is, and a withdrawn approval is a rejection in GitHub's own review.
import type { Context } from "probot";
import type { AppDeps } from "./deps.js";
import type { RepoRef } from "../facts/types.js";
import type { Octokit } from "../github/types.js";
import { parseApproveCommand } from "../holds/approve-command.js";
import { recordApproval } from "../holds/approvals.js";
import { HOLD_TTL_MS } from "../holds/registry.js";
import { decideDeployment, decisionsSettled, type DeploymentDeps } from "../pipeline/deployment.js";
import { pullScope } from "../holds/triggers.js";
import { handleOnce, repoRefOf } from "./common.js";
import { sameName } from "../model/names.js";

export async function onApproveComment(
  deps: AppDeps & DeploymentDeps,
  context: Context<"issue_comment.created">,
): Promise<void> {
  const { comment, issue } = context.payload;
  // Any other comment costs nothing: no request, no store access.
  if (!issue.pull_request || comment.user?.type === "Bot") return;
  const environment = parseApproveCommand(comment.body);
  const login = comment.user?.login;
  if (environment === null || !login) return;
  await handleOnce(deps, context, () => signOff(deps, context, environment, login));
}

async function signOff(
  deps: AppDeps & DeploymentDeps,
  context: Context<"issue_comment.created">,
  environment: string,
  login: string,
): Promise<void> {
  const { comment, issue, repository } = context.payload;
  const repo = repoRefOf(repository);
  await deps.triggers.note(pullScope(repo, issue.number));
  const held = async () =>
    (await deps.holds.forPull(repo, issue.number)).filter((hold) =>
      sameName(hold.request.environment, environment),
    );
  let holds = await held();
  if (holds.length === 0) {
    // A deployment's first decision may be running: its hold is stored only as it ends.
    await decisionsSettled(deps, repo, environment);
    holds = await held();
  }
  if (holds.length === 0) {
    await replyNothingHeld(deps, context.octokit, repo, issue.number, comment.id, environment);
    return;
  }
  const at = deps.now().toISOString();
  for (const hold of holds) {
    await recordApproval(deps.store, hold.key, {
      user: login,
      at,
      via: "comment",
      url: comment.html_url,
    });
  }
  // GitHub answers an existing reaction with 200: acknowledging twice shows it once.
  await context.octokit.rest.reactions.createForIssueComment({
    owner: repo.owner,
    repo: repo.repo,
    comment_id: comment.id,
    content: "eyes",
  });
  context.log.info(
    {
      event: "deployment-sign-off",
      repo: `${repo.owner}/${repo.repo}`,
      pr: issue.number,
      by: login,
      environment,
      holds: holds.map((hold) => hold.key),
    },
    "sign-off by comment recorded",
  );
  for (const hold of holds) {
    const trigger = { octokit: context.octokit, log: context.log };
    await decideDeployment(deps, trigger, hold.request);
  }
}

/**
 * Nothing of this pull request waits for the environment: say so once per comment, since a
 * silent command leaves its author guessing. The claim outlives any hold.
 */
async function replyNothingHeld(
  deps: AppDeps,
  octokit: Octokit,
  repo: RepoRef,
  number: number,
  commentId: number,
  environment: string,
): Promise<void> {
  const key = `approve-reply:${repo.owner}/${repo.repo}:${commentId}`.toLowerCase();
  if (!(await deps.store.claim(key, HOLD_TTL_MS))) return;
  try {
    await octokit.rest.issues.createComment({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: number,
      body: nothingHeldReply(environment, commentId),
    });
  } catch (error) {
    await deps.store.delete(key);
    throw error;
  }
}

export function nothingHeldReply(environment: string, commentId: number): string {
  return [
    `<!-- release-policy:approve-reply:${commentId} -->`,
    `No deployment of a commit this pull request brought is waiting for Release Policy in \`${environment}\`, so nothing was signed off.`,
    `Comment \`/approve ${environment}\` again once the deployment job waits for approval.`,
  ].join("\n");
}
