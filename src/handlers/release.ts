// The release side: tags pushed, created or deleted, GitHub releases published or edited,
// deployments of a release's commit reporting their status, and people acting on the release
// record (`/signoff` comments, ticks in its checklist comment). Each event brings the record
// up to date; when the record changed, deployments of its commit held by the protection rule
// are judged again, so a sign-off or a tick releases them.
import type { Context } from "probot";
import type { Deps } from "./deps.js";
import { recordedDecision, statusContextOf } from "../effects/deployment-answer.js";
import { governsReleases, releaseGateResult } from "../evaluate/release.js";
import type { GateResult } from "../model/result.js";
import { isSignoffCommand } from "../facts/release.js";
import type { RepoRef } from "../facts/types.js";
import type { Octokit } from "../github/types.js";
import { readApprovals } from "../holds/approvals.js";
import { commitScope } from "../holds/triggers.js";
import { holdKey } from "../holds/registry.js";
import { decideDeployment } from "../pipeline/deployment.js";
import {
  releaseChecklistItems,
  releaseTagOf,
  syncRelease,
  type StateChange,
  type SyncOptions,
} from "../pipeline/release.js";
import { parseRecordMarker, RECORD_LABEL } from "../report/release-record.js";
import {
  withDeployment,
  type ReleaseDeployment,
  type ReleaseDeploymentState,
  type ReleaseState,
} from "../facts/release-state.js";
import { judgeChecklistEdit } from "./checklist-edit.js";
import { oncePerDelivery, repoRefOf, type EventContext } from "./common.js";

const pushedBy =
  (login: string): StateChange =>
  (state) => {
    // A tag pushed again after its deletion is a live release once more.
    const next: ReleaseState = { ...state, pusher: login };
    delete next.deleted;
    return next;
  };

export async function onCreate(deps: Deps, context: Context<"create">): Promise<void> {
  const { payload } = context;
  if (payload.ref_type !== "tag") return;
  await sync(deps, context, repoRefOf(payload.repository), payload.ref, {
    create: true,
    change: pushedBy(payload.sender.login),
  });
}

export async function onTagPush(deps: Deps, context: Context<"push">): Promise<void> {
  const { payload } = context;
  if (!payload.ref.startsWith("refs/tags/")) return;
  const tag = payload.ref.slice("refs/tags/".length);
  const { owner } = payload.repository;
  const repo = repoRefOf({
    ...payload.repository,
    owner: { login: owner?.login ?? "", type: owner?.type },
  });
  const sender = payload.sender?.login ?? payload.pusher.name;
  if (payload.deleted) {
    const at = deps.now().toISOString();
    await sync(deps, context, repo, tag, {
      create: false,
      change: (state) => ({ ...state, deleted: { by: sender, at } }),
    });
    return;
  }
  await sync(deps, context, repo, tag, { create: true, change: pushedBy(sender) });
}

export async function onRelease(deps: Deps, context: Context<"release">): Promise<void> {
  const { payload } = context;
  // A draft is not released yet, and a deleted or unpublished release leaves only its tag:
  // those update a record that exists but never open one.
  const create =
    !payload.release.draft && payload.action !== "deleted" && payload.action !== "unpublished";
  await sync(deps, context, repoRefOf(payload.repository), payload.release.tag_name, { create });
}

export async function onReleaseDeploymentStatus(
  deps: Deps,
  context: Context<"deployment_status">,
): Promise<void> {
  const { payload } = context;
  const repo = repoRefOf(payload.repository);
  await oncePerDelivery(
    deps,
    context,
    async () => {
      const loaded = await deps.policies.load(context.octokit, repo.owner, repo.repo, repo);
      if (loaded.kind !== "valid" || !governsReleases(loaded.policy)) return;
      const { sha, ref } = payload.deployment;
      const tag = await releaseTagOf(deps, context.octokit, { repo, sha, ref });
      if (tag === null) return;
      const entry = await deploymentEntry(deps, context, repo);
      // A deployment may report before the tag's own events were handled: it opens the record.
      await syncNow(deps, context, repo, tag, {
        create: true,
        change: (s) => withDeployment(s, entry),
      });
    },
    "release",
  );
}

/** One deployment as the record lists it: the status, its approvers, the rule's decision. */
async function deploymentEntry(
  deps: Deps,
  context: Context<"deployment_status">,
  repo: RepoRef,
): Promise<ReleaseDeployment> {
  const { deployment_status: status, deployment, workflow_run: run } = context.payload;
  const environment = status.environment ?? deployment.environment;
  const approvals = run
    ? await readApprovals(deps.store, holdKey({ repo, runId: run.id, environment }))
    : [];
  const decision =
    (await recordedDecision(deps.store, repo, deployment.sha, environment)) ??
    (await protectionDecision(context.octokit, repo, deployment.sha, environment));
  const url = status.target_url || status.log_url || undefined;
  return {
    id: deployment.id,
    environment,
    state: status.state as ReleaseDeploymentState,
    at: status.created_at,
    ...(deployment.creator ? { creator: deployment.creator.login } : {}),
    approvedBy: approvals.map((a) => a.user),
    ...(decision ? { decision } : {}),
    ...(url ? { url } : {}),
  };
}

/**
 * The protection rule's decision for the environment, as its commit status says it: read from
 * GitHub only when the app's own ledger has none (a status written before the ledger kept it).
 */
async function protectionDecision(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
  environment: string,
): Promise<string | undefined> {
  const { data } = await octokit.rest.repos.listCommitStatusesForRef({
    owner: repo.owner,
    repo: repo.repo,
    ref: sha,
    per_page: 100,
  });
  // Newest first: the first one of the context is the latest decision.
  const latest = data.find(
    (s) => s.context.toLowerCase() === statusContextOf(environment).toLowerCase(),
  );
  return latest ? `${latest.state}: ${latest.description ?? ""}`.trim() : undefined;
}

type CommentContext = Context<"issue_comment.created"> | Context<"issue_comment.deleted">;

/** A `/signoff` comment on a release record was made or deleted: count again. */
export async function onRecordComment(deps: Deps, context: CommentContext): Promise<void> {
  const { issue, comment, repository } = context.payload;
  if (issue.pull_request || !isSignoffCommand(comment.body ?? "")) return;
  const tag = recordTagOf(deps, issue);
  if (tag === null) return;
  await sync(deps, context, repoRefOf(repository), tag, { create: false });
}

/** The tag an issue is the release record of, or null when it is not one the app opened. */
function recordTagOf(
  deps: Deps,
  issue: {
    body?: string | null;
    labels?: { name?: string }[];
    performed_via_github_app?: { id: number | null } | null;
  },
): string | null {
  const labelled = (issue.labels ?? []).some((l) => l.name === RECORD_LABEL);
  if (!labelled || issue.performed_via_github_app?.id !== deps.appId) return null;
  return parseRecordMarker(issue.body ?? "")?.tag ?? null;
}

/**
 * A person ticked or unticked boxes in the record's checklist comment: each toggle is judged
 * against who may tick the item, as on a pull request; refused ticks are restored with a note
 * when the record is brought up to date.
 */
export async function onRecordChecklistEdit(
  deps: Deps,
  context: Context<"issue_comment.edited">,
): Promise<void> {
  const { comment, issue, repository, sender } = context.payload;
  if (issue.pull_request || sender.type === "Bot" || !deps.comments.isOurs(comment)) return;
  const tag = recordTagOf(deps, issue);
  if (tag === null) return;
  await oncePerDelivery(
    deps,
    context,
    async () => {
      const repo = repoRefOf(repository);
      const loaded = await deps.policies.load(context.octokit, repo.owner, repo.repo, repo);
      if (loaded.kind !== "valid") return;
      const items = releaseChecklistItems(loaded.policy);
      const result = await judgeChecklistEdit(deps, context, repo, items);
      context.log.info(
        {
          event: "release-checklist-edit",
          tag,
          by: sender.login,
          notes: result.notes.map((note) => note.text),
        },
        "release checklist edit judged",
      );
      await syncNow(deps, context, repo, tag, { create: false });
    },
    "release",
  );
}

interface Triggering extends EventContext {
  octokit: Octokit;
  /** Every event this file hears names its installation (an App's webhooks do). */
  payload: { installation?: { id: number } };
}

async function sync(
  deps: Deps,
  context: Triggering,
  repo: RepoRef,
  tag: string,
  options: SyncOptions,
): Promise<void> {
  await oncePerDelivery(deps, context, () => syncNow(deps, context, repo, tag, options), "release");
}

/** Brings the record up to date; if it changed, re-judges deployments of its commit. */
async function syncNow(
  deps: Deps,
  context: Triggering,
  repo: RepoRef,
  tag: string,
  options: SyncOptions,
): Promise<void> {
  const installationId = context.payload.installation?.id;
  const trigger = {
    octokit: context.octokit,
    log: context.log,
    repo,
    ...(installationId !== undefined ? { installationId } : {}),
  };
  const synced = await syncRelease(deps, trigger, tag, options);
  const sha = synced?.evaluation.sha;
  if (!synced || !sha || synced.result === "unchanged") return;
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  // Noted first: a decision on this commit in flight decides again (holds/triggers.ts).
  await deps.triggers.note(commitScope(repo, sha));
  const held = (await deps.holds.all()).filter(
    (hold) =>
      hold.request.sha === sha &&
      same(hold.request.repo.owner, repo.owner) &&
      same(hold.request.repo.repo, repo.repo),
  );
  const gate = releaseGateResult(synced.evaluation, synced.record?.url);
  for (const hold of held) {
    const reusing = reusingReleaseGate(deps, gate);
    await decideDeployment(reusing, { octokit: context.octokit, log: context.log }, hold.request);
  }
}

/**
 * The release was just judged for this event: a held deployment of its commit reuses that
 * verdict for its first judgement instead of gathering the release's facts again. A later
 * round of the same decision (an event arrived meanwhile) reads afresh.
 */
function reusingReleaseGate(deps: Deps, gate: GateResult): Deps {
  let used = false;
  return {
    ...deps,
    releaseGate: async (octokit, policy, files, request) => {
      if (used || !deps.releaseGate)
        return deps.releaseGate?.(octokit, policy, files, request) ?? null;
      used = true;
      return gate;
    },
  };
}
