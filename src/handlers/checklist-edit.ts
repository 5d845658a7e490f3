import type { Context } from "probot";
import type { AppDeps } from "../app-deps.js";
import { applyEdit, type EditResult, type MayTick } from "../checklist/edit.js";
import { itemId, type ChecklistItem } from "../checklist/state.js";
import { isEligible } from "../evaluate/eligibility.js";
import { normalizeChecklistItem, pullRequestGates, qualifyTeam } from "../evaluate/needs.js";
import { teamReader, type TeamReader } from "../facts/teams.js";
import type { RepoRef } from "../facts/types.js";
import type { Policy } from "../policy/schema.js";
import { renderChecklistComment } from "../report/checklist-comment.js";
import { evaluate, oncePerDelivery, repoRefOf } from "./common.js";
import { keptOrFetched } from "./refresh.js";
import { handle } from "./timing.js";

/**
 * A person edited the app's checklist comment (ticked or unticked boxes). Each toggle is
 * judged against who may tick that item; the judged state is remembered and the pull
 * request re-evaluated, which rewrites the comment: refused ticks are restored, with a note.
 */
export async function onChecklistEdit(
  deps: AppDeps,
  context: Context<"issue_comment.edited">,
): Promise<void> {
  const { comment, issue, sender } = context.payload;
  // Only people's edits of our own comment on a pull request matter; the app's own
  // rewrites echo back as edits by its bot account and cost nothing.
  if (!issue.pull_request || sender.type === "Bot" || !deps.comments.isOurs(comment)) return;
  await handle(deps.timing, context, () => judgeEdit(deps, context));
}

/** Judges the toggles, then re-evaluates the pull request, which rewrites the comment. */
async function judgeEdit(deps: AppDeps, context: Context<"issue_comment.edited">): Promise<void> {
  const { issue, repository, sender } = context.payload;
  await oncePerDelivery(deps, context, async () => {
    const repo = repoRefOf(repository);
    const loaded = await deps.policies.load(context.octokit, repo.owner, repo.repo);
    if (loaded.kind !== "valid") return;
    const result = await judgeChecklistEdit(deps, context, repo, policyItems(loaded.policy));
    context.log.info(
      { event: "checklist-edit", pr: issue.number, by: sender.login, notes: result.notes },
      "checklist edit judged",
    );
    // A tick changes no fact read from GitHub: the judged state is in the comment memory,
    // and the pull request is as the latest event showed it.
    await evaluate(
      deps,
      { octokit: context.octokit, log: context.log, repo },
      issue.number,
      keptOrFetched(deps, context.octokit, repo, issue.number),
      { settle: true },
    );
  });
}

/**
 * Judges one edit of an app-owned checklist comment (a pull request's or a release
 * record's): each toggle against who may tick that item. The judged state is remembered
 * as the comment's trusted state, for the rewrite that follows.
 */
export async function judgeChecklistEdit(
  deps: Pick<AppDeps, "checklistKey" | "comments" | "now" | "store">,
  context: Context<"issue_comment.edited">,
  repo: RepoRef,
  items: ChecklistItem[],
): Promise<EditResult> {
  const { comment, issue, sender, changes } = context.payload;
  const key = deps.checklistKey(repo, issue.number);
  // Only the app's own memory can serve as "before": reading the comment now returns the
  // body after this very edit, which would hide every toggle in it.
  const known = await deps.comments.recall(repo, issue.number);
  // The trusted "before" is what the app last wrote (or judged): an old, validly signed
  // body pasted back in must not restore old ticks. Without that memory (a restart, or
  // the memory expired) the previous body GitHub reports in the webhook takes its place.
  const previousBody =
    known && known.id === comment.id
      ? known.state
        ? renderChecklistComment(shownIn(items, known.body), known.state, key)
        : known.body
      : (changes.body?.from ?? "");
  const shown = shownIn(items, previousBody);
  const result = applyEdit({
    previousBody,
    newBody: comment.body,
    sender: sender.login,
    now: deps.now(),
    items: shown,
    key,
    mayTick: await mayTickFor(teamReader(context.octokit, deps.store), repo, shown),
  });
  await deps.comments.remember(repo, issue.number, {
    id: comment.id,
    body: comment.body,
    state: result.state,
    notes: result.notes,
  });
  return result;
}

/** Every checklist item of the policy's pull-request gates, with the gate that asks. */
function policyItems(policy: Policy): ChecklistItem[] {
  return pullRequestGates(policy).flatMap(([gate, spec]) =>
    (spec.require.checklist ?? []).map((item) => ({ ...normalizeChecklistItem(item), gate })),
  );
}

/** The items whose box the comment shows: exactly the ones that applied when it was written. */
export function shownIn(items: ChecklistItem[], body: string): ChecklistItem[] {
  return items.filter((item) => body.includes(`<!-- item:${itemId(item.text)} -->`));
}

/** Reads the teams the items name once, then answers per login and item. */
export async function mayTickFor(
  teams: TeamReader,
  repo: RepoRef,
  items: ChecklistItem[],
): Promise<MayTick> {
  const named = [...new Set(items.flatMap((item) => item.by?.teams ?? []))];
  // Membership that cannot be read is left out: every tick it would decide is "unknown",
  // and refused as unverifiable.
  const members = await teams
    .members(named.map((team) => qualifyTeam(team, repo.owner)))
    .catch(() => ({}));
  const facts = { repo, teams: members };
  return (login, item) => {
    if (!item.by) return true;
    const eligibility = isEligible(item.by, login, facts);
    return eligibility.kind === "unknown" ? "unknown" : eligibility.kind === "eligible";
  };
}
