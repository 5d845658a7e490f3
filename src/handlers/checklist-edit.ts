import type { Context } from "probot";
import type { AppDeps } from "./deps.js";
import { judgeToggles, RESET_NOTE, type JudgedToggles, type MayTick } from "../checklist/edit.js";
import { bodyDigest, type JudgedEdit } from "../checklist/ledger.js";
import { itemId, type ChecklistItem } from "../checklist/state.js";
import { stateReadBack } from "../checklist/written.js";
import { isEligible } from "../requirements/eligibility.js";
import { checklistItemsOf } from "../evaluate/needs.js";
import { qualifyTeam } from "../requirements/principals.js";
import { teamReader, type TeamReader } from "../facts/teams.js";
import type { RepoRef } from "../facts/types.js";
import type { Policy } from "../policy/schema.js";
import { evaluate, handleOnce, repoRefOf, triggerOf } from "./common.js";
import { keptOrFetched } from "../facts/invalidation.js";

/**
 * A person edited the app's checklist comment (ticked or unticked boxes). Each toggle is
 * judged against who may tick that item and kept as a pending edit; the pull request is
 * re-evaluated, which folds every pending edit in and rewrites the comment: refused ticks
 * are restored, with a note.
 */
export async function onChecklistEdit(
  deps: AppDeps,
  context: Context<"issue_comment.edited">,
): Promise<void> {
  const { comment, issue, sender } = context.payload;
  // Only people's edits of our own comment on a pull request matter; the app's own
  // rewrites echo back as edits by its bot account and cost nothing.
  if (!issue.pull_request || sender.type === "Bot" || !deps.comments.isOurs(comment)) return;
  await handleOnce(deps, context, () => judgeEdit(deps, context));
}

/** Judges the toggles, then re-evaluates the pull request, which rewrites the comment. */
async function judgeEdit(deps: AppDeps, context: Context<"issue_comment.edited">): Promise<void> {
  const { issue, repository, sender } = context.payload;
  const repo = repoRefOf(repository);
  const loaded = await deps.policies.load(context.octokit, repo.owner, repo.repo, repo);
  if (loaded.kind !== "valid") return;
  const result = await judgeChecklistEdit(deps, context, repo, policyItems(loaded.policy));
  context.log.info(
    {
      event: "checklist-edit",
      pr: issue.number,
      by: sender.login,
      notes: result.notes.map((note) => note.text),
    },
    "checklist edit judged",
  );
  // A tick changes no fact read from GitHub: the judged edit is pending in the store, and
  // the pull request is as the latest event showed it.
  await evaluate(
    deps,
    triggerOf(context, repo),
    issue.number,
    keptOrFetched(deps, context.octokit, repo, issue.number),
    { settle: true },
  );
}

/**
 * Judges one edit of an app-owned checklist comment (a pull request's or a release
 * record's) from what the event says changed: the boxes toggled between `changes.body.from`
 * and `comment.body`, each against who may tick that item. The judged toggles are kept as
 * one pending edit (checklist/ledger.ts) that the next rewrite folds onto the state the app
 * last wrote. No state is read, changed and written back here, so edits judged at the same
 * time (in one process or in several instances sharing the store) never undo each other:
 * the store's atomic set keeps every one, and the per-PR queue (or the write lease across
 * instances, effects/checklist-comment.ts) serialises the folding and the write.
 */
export async function judgeChecklistEdit(
  deps: Pick<AppDeps, "checklistKey" | "comments" | "now" | "store">,
  context: Context<"issue_comment.edited">,
  repo: RepoRef,
  items: ChecklistItem[],
): Promise<JudgedToggles> {
  const { comment, issue, sender, changes } = context.payload;
  const key = deps.checklistKey(repo, issue.number);
  // An edit that changed no body (GitHub reports none) toggled nothing.
  const from = changes.body?.from ?? comment.body;
  const known = await deps.comments.recall(repo, issue.number);
  const shown = shownIn(items, from);
  const judged = judgeToggles({
    previousBody: from,
    newBody: comment.body,
    sender: sender.login,
    now: deps.now(),
    items: shown,
    mayTick: await mayTickFor(teamReader(context.octokit, deps.store), repo, shown),
  });
  // Without a body of its own in memory (the memory expired), the app takes the signed
  // state of the body before this edit as GitHub reports it, and only when it is exactly
  // the one the app wrote last: a person may have put back an old state by an earlier save
  // the app never judged (one without the marker). Never the body after this edit.
  const remembered = known !== null && known.id === comment.id && known.found !== true;
  const base = remembered
    ? {}
    : {
        base: stateReadBack(
          from,
          key,
          comment.id,
          await deps.comments.lastWritten(repo, issue.number),
        ),
      };
  const notes =
    !remembered && base.base === null ? [{ text: RESET_NOTE }, ...judged.notes] : judged.notes;
  const edit: JudgedEdit = {
    delivery: context.id,
    comment: comment.id,
    body: bodyDigest(comment.body),
    edited: comment.updated_at,
    toggles: judged.toggles,
    notes,
    ...base,
  };
  await deps.comments.recordEdit(repo, issue.number, edit);
  return { toggles: judged.toggles, notes };
}

/** Every checklist item of the policy's pull-request gates, with the gate that asks. */
function policyItems(policy: Policy): ChecklistItem[] {
  return checklistItemsOf(policy, "pull_request");
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
