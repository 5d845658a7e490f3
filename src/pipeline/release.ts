// Gather → evaluate → write for one release: the release record and its checklist comment.
// Every event rebuilds the record from what GitHub holds now (plus the record's own signed
// state), so events may arrive in any order and any number of times: the last run wins and
// says the same. Runs for one tag are serialised per process; state changes that events
// bring (who pushed the tag, a deployment's status) are queued, never lost to coalescing.
import type { Logger } from "pino";
import {
  judgedOf,
  shownNotes,
  type ChecklistComments,
  type ChecklistView,
  type CommentWrite,
} from "../effects/checklist-comment.js";
import type { ReleaseRecord, ReleaseRecords } from "../effects/release-record.js";
import { checklistFacts, type ChecklistItem } from "../checklist/state.js";
import { checklistItemsOf, releaseNeeds } from "../evaluate/needs.js";
import {
  evaluateRelease,
  governsReleases,
  recordState,
  releaseGateResult,
  type ReleaseEvaluation,
} from "../evaluate/release.js";
import type { GateResult } from "../model/result.js";
import type { DeploymentRequest } from "../facts/deployment.js";
import {
  gatherReleaseFacts,
  readRecordComments,
  type RecordComment,
  type ReleaseFacts,
} from "../facts/release.js";
import { readTag } from "../facts/release-tag.js";
import { teamReader } from "../facts/teams.js";
import type { RepoRef } from "../facts/types.js";
import type { Octokit } from "../github/types.js";
import type { PolicyCache } from "../policy/cache.js";
import type { Policy } from "../policy/schema.js";
import type { PolicyFile } from "../policy/types.js";
import { isChecklistComment, renderChecklistComment } from "../report/checklist-comment.js";
import { recordTitle, renderReleaseRecord } from "../report/release-record.js";
import {
  decodeReleaseState,
  emptyReleaseState,
  type ReleaseState,
} from "../facts/release-state.js";
import type { Store } from "../store/store.js";
import type { KeyedQueue } from "./keyed-queue.js";

export interface ReleaseDeps {
  appId: number;
  store: Store;
  policies: PolicyCache;
  comments: ChecklistComments;
  records: ReleaseRecords;
  /** Signs the checklist state on one issue (the record's checklist comment). */
  checklistKey: (repo: RepoRef, number: number) => string;
  /** Signs the record's own state for one tag. */
  releaseKey: (repo: RepoRef, tag: string) => string;
  now: () => Date;
  queue: KeyedQueue;
  /** Told of each record once written (the release desk); a failing one is only logged. */
  releaseListeners?: readonly ReleaseListener[];
}

/** A release record as just written, with its gates. */
export interface ReleaseSynced {
  repo: RepoRef;
  tag: string;
  gates: readonly GateResult[];
  record: ReleaseRecord;
}

export type ReleaseListener = (synced: ReleaseSynced, trigger: ReleaseTrigger) => Promise<void>;

export interface ReleaseTrigger {
  octokit: Octokit;
  log: Logger;
  repo: RepoRef;
  /** The installation the event came from, when it said (listeners may act later with it). */
  installationId?: number;
}

/** What an event adds to the record's state. */
export type StateChange = (state: ReleaseState) => ReleaseState;

export interface SyncOptions {
  /** Open a record when there is none (tag and release events); others only update one. */
  create: boolean;
  change?: StateChange;
}

export interface SyncResult {
  evaluation: ReleaseEvaluation;
  record?: ReleaseRecord;
  result: string;
}

interface Queued {
  create: boolean;
  changes: StateChange[];
}

/** Per queue, what waiting events asked for, by tag: a coalesced run does all of it. */
const pending = new WeakMap<KeyedQueue, Map<string, Queued>>();

/** Brings the record for `tag` up to date, one run at a time per tag. */
export function syncRelease(
  deps: ReleaseDeps,
  trigger: ReleaseTrigger,
  tag: string,
  options: SyncOptions,
): Promise<SyncResult | null> {
  const key = `release:${trigger.repo.owner}/${trigger.repo.repo}:${tag}`.toLowerCase();
  const queued = pending.get(deps.queue) ?? new Map<string, Queued>();
  pending.set(deps.queue, queued);
  const waiting = queued.get(key) ?? { create: false, changes: [] };
  queued.set(key, {
    create: waiting.create || options.create,
    changes: options.change ? [...waiting.changes, options.change] : waiting.changes,
  });
  let out: SyncResult | null = null;
  return deps.queue
    .run(key, async () => {
      const asked = queued.get(key) ?? { create: false, changes: [] };
      queued.delete(key);
      try {
        out = await syncNow(deps, trigger, tag, asked);
      } catch (error) {
        // Put the changes back: the next event for the tag (or a redelivery) applies them.
        const later = queued.get(key);
        queued.set(key, {
          create: asked.create || (later?.create ?? false),
          changes: [...asked.changes, ...(later?.changes ?? [])],
        });
        throw error;
      }
    })
    .then(() => out);
}

async function syncNow(
  deps: ReleaseDeps,
  trigger: ReleaseTrigger,
  tag: string,
  options: { create: boolean; changes: StateChange[] },
): Promise<SyncResult | null> {
  const { octokit, repo, log } = trigger;
  const loaded = await deps.policies.load(octokit, repo.owner, repo.repo, repo);
  if (loaded.kind !== "valid" || !governsReleases(loaded.policy)) {
    log.debug({ tag, policy: loaded.kind }, "releases are not governed: no record");
    return null;
  }
  const record = await deps.records.find(octokit, repo, tag);
  if (!record && !options.create) return null;
  const key = deps.releaseKey(repo, tag);
  const before = record ? decodeReleaseState(record.body, key) : emptyReleaseState();
  const state = options.changes.reduce((s, change) => change(s), before);
  const judged = await judgeRelease(deps, octokit, repo, {
    policy: loaded.policy,
    files: loaded.files,
    tag,
    record,
    state,
  });
  // A tag that does not exist (deleted before its events were handled) gets no new record.
  if (!record && judged.facts.tag.sha === undefined) return null;
  const body = renderReleaseRecord({
    evaluation: judged.evaluation,
    facts: judged.facts,
    state,
    key,
  });
  const status = recordState(judged.evaluation, judged.facts, record?.state);
  const written = await deps.records.upsert(octokit, repo, tag, record, {
    title: recordTitle(tag),
    body,
    ...status,
  });
  if (judged.facts.tag.sha) await deps.records.rememberSha(repo, judged.facts.tag.sha, tag);
  const comment = written.record
    ? await writeChecklist(deps, trigger, loaded.policy, written.record.number, judged.checklist)
    : "skipped";
  log.info(
    {
      event: "release-record",
      repo: `${repo.owner}/${repo.repo}`,
      tag,
      sha: judged.facts.tag.sha,
      conclusion: judged.evaluation.conclusion,
      gates: Object.fromEntries(judged.evaluation.gates.map((g) => [g.id, g.status])),
      progress: judged.evaluation.progress.kind,
      record: written.result,
      comment,
      policy: judged.facts.policy,
    },
    "release record updated",
  );
  if (written.record) {
    const synced = { repo, tag, gates: judged.evaluation.gates, record: written.record };
    for (const listener of deps.releaseListeners ?? []) {
      await listener(synced, trigger).catch((error: unknown) =>
        log.warn({ err: error, tag }, "a listener of release records failed"),
      );
    }
  }
  return {
    evaluation: judged.evaluation,
    ...(written.record ? { record: written.record } : {}),
    result: written.result,
  };
}

interface Judged {
  facts: ReleaseFacts;
  evaluation: ReleaseEvaluation;
  /** The record's checklist comment and the edits judged since the app last wrote it. */
  checklist: ChecklistView | null;
}

/** Gathers and evaluates one release: the record's comments carry its ticks and sign-offs. */
async function judgeRelease(
  deps: ReleaseDeps,
  octokit: Octokit,
  repo: RepoRef,
  release: {
    policy: Policy;
    files: PolicyFile[];
    tag: string;
    record: ReleaseRecord | null;
    state: ReleaseState;
  },
): Promise<Judged> {
  const { policy, files, tag, record, state } = release;
  const comments = record ? await readRecordComments(octokit, repo, record.number) : [];
  const checklist = record ? await checklistComment(deps, repo, record.number, comments) : null;
  const key = record ? deps.checklistKey(repo, record.number) : "";
  const facts = await gatherReleaseFacts({
    octokit,
    appId: deps.appId,
    store: deps.store,
    repo,
    tag,
    needs: releaseNeeds(policy, repo.owner),
    tagRules: policy.releases?.tags,
    policy: files.map((f) => ({ location: f.location, ...(f.sha ? { sha: f.sha } : {}) })),
    teams: teamReader(octokit, deps.store),
    state,
    checklist: checklistFacts("", key, checklist ? judgedOf(checklist, key).state : undefined),
    comments,
  });
  return { facts, evaluation: evaluateRelease(policy, facts, deps.now()), checklist };
}

/** The app's checklist comment among the record's comments, and the edits judged since. */
async function checklistComment(
  deps: ReleaseDeps,
  repo: RepoRef,
  number: number,
  comments: RecordComment[],
): Promise<ChecklistView> {
  // The same test as the pull request's checklist: written by this app, carrying the marker.
  const listed = comments.find((c) => c.appId === deps.appId && isChecklistComment(c.body));
  return deps.comments.viewListed(repo, number, listed ?? null);
}

/** Every checklist item the release gates ask for, with the gate that asks. */
export function releaseChecklistItems(policy: Policy): ChecklistItem[] {
  return checklistItemsOf(policy, "release");
}

async function writeChecklist(
  deps: ReleaseDeps,
  trigger: ReleaseTrigger,
  policy: Policy,
  number: number,
  view: ChecklistView | null,
): Promise<CommentWrite | "skipped"> {
  const items = releaseChecklistItems(policy);
  if (items.length === 0 && !view?.comment) return "skipped";
  const key = deps.checklistKey(trigger.repo, number);
  // Without the repository's id nothing can be signed: the comment is left as it is.
  if (key === "") return "skipped";
  return deps.comments.write(trigger.octokit, trigger.repo, number, {
    view: view ?? { comment: null, pending: [] },
    key,
    render: (state, notes) => renderChecklistComment(items, state, key, shownNotes(items, notes)),
    now: deps.now(),
  });
}

/**
 * The release gate of a deployment: null when the deployed commit is no release's tagged
 * commit (or the policy governs no releases); else the release's verdict as one gate, judged
 * by the same evaluation as its record.
 */
export async function releaseGateFor(
  deps: ReleaseDeps,
  octokit: Octokit,
  policy: Policy,
  files: PolicyFile[],
  request: DeploymentRequest,
): Promise<GateResult | null> {
  if (!governsReleases(policy)) return null;
  const { repo } = request;
  const tag = await releaseTagOf(deps, octokit, request);
  if (tag === null) return null;
  const record = await deps.records.find(octokit, repo, tag);
  const state = record
    ? decodeReleaseState(record.body, deps.releaseKey(repo, tag))
    : emptyReleaseState();
  const judged = await judgeRelease(deps, octokit, repo, { policy, files, tag, record, state });
  // The tag moved to another commit, or was deleted: this commit is no release's any more.
  if (judged.facts.tag.sha !== request.sha) return null;
  return releaseGateResult(judged.evaluation, record?.url);
}

/**
 * The tag the deployed commit is released as: remembered from the record, else the
 * deployment's ref when it names a tag on that commit (a workflow run for a tag push may ask
 * before the record exists), else a record whose marker names the commit.
 */
export async function releaseTagOf(
  deps: Pick<ReleaseDeps, "records">,
  octokit: Octokit,
  request: Pick<DeploymentRequest, "repo" | "sha" | "ref">,
): Promise<string | null> {
  const { repo, sha } = request;
  const ref = request.ref.replace(/^refs\/tags\//, "");
  const branchLike =
    ref === sha || ref === repo.defaultBranch || request.ref.startsWith("refs/heads/");
  const remembered = await deps.records.knownTag(repo, sha);
  if (remembered) return remembered;
  if (!branchLike) {
    const tag = await readTag(octokit, repo, ref);
    if (tag.sha === sha) return ref;
  }
  return deps.records.tagOf(octokit, repo, sha);
}
