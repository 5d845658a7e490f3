// `/recheck` on a pull request: a person asks for a fresh look, as the check's Re-evaluate
// button does, from where the conversation is. It is the way to say "the change record is
// approved now" or "the team changed" without waiting for the hold's next re-check. The
// open pull request is evaluated with nothing kept (policy, facts, change records); each held deployment of
// a commit it brought is judged again from GitHub's record. It approves nothing by itself:
// whatever it re-checks is judged exactly as any other event would have it judged. Anyone
// who can comment may ask, so the fresh look is the pull request's own (only the change
// records it references, in its installation, are asked again) and is taken at most once
// per pull request per RECHECK_INTERVAL_MS; a further `/recheck` inside it is ignored.
import type { Context } from "probot";
import type { Deps } from "./deps.js";
import { dropHead, keepSnapshot } from "../facts/invalidation.js";
import { markStale } from "../holds/answer.js";
import { pullScope } from "../holds/triggers.js";
import { decideDeployment } from "../pipeline/deployment.js";
import { deploymentOf, pullOf } from "../facts/change-record-clients.js";
import { evaluate, handleOnce, repoRefOf, triggerOf } from "./common.js";

/** One fresh look per pull request per minute: enough for a person, too few to flood anyone. */
export const RECHECK_INTERVAL_MS = 60_000;

/** The whole comment, surrounding whitespace aside, is `/recheck`; quoting it does nothing. */
export function isRecheckCommand(body: string | null | undefined): boolean {
  return (body ?? "").trim() === "/recheck";
}

export async function onRecheckComment(
  deps: Deps,
  context: Context<"issue_comment.created">,
): Promise<void> {
  const { comment, issue, repository } = context.payload;
  // Any other comment costs nothing: no request, no store access.
  if (!issue.pull_request || comment.user?.type === "Bot" || !isRecheckCommand(comment.body)) {
    return;
  }
  await handleOnce(deps, context, async () => {
    const repo = repoRefOf(repository);
    const installation = context.payload.installation?.id;
    const pull = pullOf(repo, issue.number);
    if (!(await deps.store.claim(`recheck:${installation ?? "-"}:${pull}`, RECHECK_INTERVAL_MS))) {
      context.log.info({ event: "recheck", pull }, "/recheck ignored: asked within the minute");
      return;
    }
    const trigger = { octokit: context.octokit, log: context.log };
    await deps.triggers.note(pullScope(repo, issue.number));
    await deps.policies.invalidateRepo(repo.owner, repo.repo);
    // The change systems send no webhook: what they said a moment ago may be what changed.
    deps.changeRecords?.forget({ installation, subject: pull });
    if (issue.state === "open") {
      const { data } = await context.octokit.rest.pulls.get({
        owner: repo.owner,
        repo: repo.repo,
        pull_number: issue.number,
      });
      await dropHead(deps, repo, issue.number, data.head.sha);
      const snapshot = await keepSnapshot(deps, repo, data);
      await evaluate(deps, triggerOf(context, repo), issue.number, snapshot);
    }
    for (const hold of await deps.holds.forPull(repo, issue.number)) {
      await markStale(deps.store, hold.key);
      deps.changeRecords?.forget({ installation, subject: deploymentOf(hold.key) });
      await decideDeployment(deps, trigger, hold.request);
    }
    context.log.info(
      { event: "recheck", repo: `${repo.owner}/${repo.repo}`, pr: issue.number },
      "re-check asked for by comment",
    );
    // Only an acknowledgement, after the work: its failure is no reason to look again.
    // GitHub answers an existing reaction with 200: acknowledging twice shows it once.
    await context.octokit.rest.reactions
      .createForIssueComment({
        owner: repo.owner,
        repo: repo.repo,
        comment_id: comment.id,
        content: "eyes",
      })
      .catch((error: unknown) => {
        context.log.warn({ err: error }, "could not acknowledge /recheck with a reaction");
      });
  });
}
