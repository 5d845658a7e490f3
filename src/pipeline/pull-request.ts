import type { Logger } from "pino";
import {
  judgedOf,
  type ChecklistComments,
  type ChecklistView,
  type CommentWrite,
  shownNotes,
  type RenderChecklist,
} from "../effects/checklist-comment.js";
import { OwnRunRecords, recordedRun } from "../effects/own-run-record.js";
import { mayHaveApplied } from "../github/create.js";
import { upsertCheckRun, type CheckRunWrite } from "../effects/check-run.js";
import {
  isOwnCheckRun,
  readOwnCheckRun,
  shownRun,
  type CommitRuns,
  type ShownRun,
} from "../facts/checks.js";
import { factKeys, type FactCache } from "../facts/fact-cache.js";
import { gatherPullRequestFacts, type PullRequestSnapshot } from "../facts/pull-request.js";
import { teamReader } from "../facts/teams.js";
import { lookupIn, pullOf, type ChangeRecordReader } from "../facts/change-record-clients.js";
import type { RepoRef } from "../facts/types.js";
import type { ChangeRecordFact } from "../facts/change-records.js";
import { describeError } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import type { PolicyCache } from "../policy/cache.js";
import type { Policy } from "../policy/schema.js";
import { POLICY_PATH, type PolicyFile } from "../policy/types.js";
import type { Store } from "../store/store.js";
import { evaluatePullRequest } from "../evaluate/pull-request.js";
import { gatesWaitingOn } from "../evaluate/waiting.js";
import type { KindKey } from "../requirements/registry.js";
import type { Evaluation, PolicyProblem } from "../model/result.js";
import { checklistFacts } from "../checklist/state.js";
import { renderChecklistComment } from "../report/checklist-comment.js";
import { renderAnnotations, renderCheckRun, type CheckRunOutput } from "../report/check-run.js";
import { commitOutput, recordOutput, verdictOfOutput } from "../report/commit-verdicts.js";
import { withVerdict, type PullVerdict } from "../model/commit-verdicts.js";
import {
  commitLockKey,
  CommitMembers,
  commitWrites,
  recordOf,
  repaired,
} from "./commit-verdicts.js";
import { failedEvaluation, invalidPolicyEvaluation } from "./fail-closed.js";
import { checklistItemsFor, needsFor } from "./needs.js";
import { annotatableProblems, validatePolicyEdit, withPolicyEdit } from "./policy-edit.js";
import { pusherKey } from "./pusher.js";
import type { DecisionMetrics } from "./decision-metrics.js";

export interface PipelineDeps {
  appId: number;
  store: Store;
  policies: PolicyCache;
  comments: ChecklistComments;
  /** Signs the checklist state of one pull request (see checklistKeyFor). */
  checklistKey: (repo: RepoRef, number: number) => string;
  now: () => Date;
  /** Facts kept between events; each event drops what it can change (facts/invalidation.ts). */
  facts: FactCache;
  metrics?: DecisionMetrics;
  /** Told when a pull request's check changes status or conclusion (held deployments wait on it). */
  checkListeners?: readonly CheckListener[];
  /** Reads ServiceNow and Jira change records for change_record gates. */
  changeRecords?: ChangeRecordReader;
}

/** A pull request's release-policy check changed what it says. */
export interface CheckChange {
  octokit: Octokit;
  log: Logger;
  repo: RepoRef;
  number: number;
}

export type CheckListener = (change: CheckChange) => Promise<void>;

export interface Trigger {
  octokit: Octokit;
  log: Logger;
  repo: RepoRef;
  pr: PullRequestSnapshot;
  /** The installation the event came from: a watched pull request is looked at through it. */
  installationId?: number;
}

export type Write = CheckRunWrite | "skipped";

export interface PipelineResult {
  evaluation: Evaluation | null;
  checkRun: Write;
  comment: CommentWrite | "skipped";
  /**
   * Why the pull request could not be judged (a read failed): its check says so, and the
   * caller decides whether to try again (src/pipeline/re-evaluation.ts).
   */
  failure?: unknown;
  /**
   * A gate waits on a change system (ServiceNow, Jira), which sends GitHub no webhook: the
   * caller watches the pull request so the sweep looks again (src/holds/pull-watch.ts).
   */
  waitsOnChangeSystem?: boolean;
  /** ISO 8601: a change system asked not to be asked before this; no look comes sooner. */
  changeSystemWaitUntil?: string;
}

/**
 * Gather → evaluate → report for one pull request. The policy comes from the default
 * branch; every failure on the way becomes a failing check that says why.
 */
export async function runPullRequestPipeline(
  deps: PipelineDeps,
  trigger: Trigger,
): Promise<PipelineResult> {
  const { octokit, repo } = trigger;
  let loaded: Awaited<ReturnType<PolicyCache["load"]>>;
  try {
    loaded = await deps.policies.load(octokit, repo.owner, repo.repo, repo);
  } catch (error) {
    // Unread, the policy may or may not exist: failing closed, the check says so.
    return notJudged(deps, trigger, error);
  }
  if (loaded.kind === "none") {
    trigger.log.debug("no release policy: staying quiet");
    return { evaluation: null, checkRun: "skipped", comment: "skipped" };
  }
  const now = deps.now();
  if (loaded.kind === "invalid") {
    const evaluation = invalidPolicyEvaluation(loaded.problems, now);
    return writeResults(deps, trigger, { evaluation, own: undefined, files: loaded.files });
  }
  return evaluateValid(deps, trigger, loaded.policy, loaded.files, now);
}

async function evaluateValid(
  deps: PipelineDeps,
  trigger: Trigger,
  policy: Policy,
  files: PolicyFile[],
  now: Date,
): Promise<PipelineResult> {
  const { octokit, repo, pr } = trigger;
  const key = deps.checklistKey(repo, pr.number);
  const needs = needsFor(policy, repo.owner);
  let evaluation: Evaluation;
  let view: ChecklistView | null = null;
  let own: { run: ShownRun | undefined } | undefined;
  let changedFiles: string[] | undefined;
  let judged = false;
  let failure: { error: unknown } | undefined;
  let changeRecords: ChangeRecordFact[] | undefined;
  try {
    if (needs.checklist) view = await deps.comments.view(octokit, repo, pr.number);
    const pusher = needs.pusher ? await deps.store.get(pusherKey(repo, pr.head.sha)) : null;
    const gathered = await gatherPullRequestFacts({
      octokit,
      repo,
      pr,
      needs,
      teams: teamReader(octokit, deps.store),
      // The ticks as judged: the app's last write with every edit judged since folded in.
      checklist: checklistFacts("", key, view ? judgedOf(view, key).state : undefined),
      ...(pusher ? { pusher } : {}),
      cache: deps.facts,
      isOwnRun: (run) => isOwnCheckRun(run, deps.appId),
      ...(deps.changeRecords
        ? {
            changeRecords: lookupIn(deps.changeRecords, {
              installation: trigger.installationId,
              subject: pullOf(repo, pr.number),
            }),
          }
        : {}),
    });
    own = { run: gathered.ownRun };
    changedFiles = gathered.facts.changedFiles;
    changeRecords = gathered.facts.changeRecords;
    evaluation = evaluatePullRequest(policy, gathered.facts, now);
    judged = true;
  } catch (error) {
    trigger.log.warn({ err: error }, "could not gather the facts");
    evaluation = failedEvaluation(`Could not read from GitHub: ${describeError(error)}`, now);
    failure = { error };
  }
  // Each head commit's copy of the policy is judged once per pull request (and kept so).
  const edit = await validatePolicyEdit({
    octokit,
    store: deps.store,
    repo,
    pullNumber: pr.number,
    headSha: pr.head.sha,
    defaultSha: files.find((file) => file.location === ownPolicy(repo))?.sha,
    defaultFiles: files.map((file) => file.location),
    changedFiles,
    bases: deps.policies.source(octokit),
    log: trigger.log,
  });
  evaluation = withPolicyEdit(evaluation, edit);
  // The pull request's copy of the policy could not be read: judged again like any read.
  if (edit.unread && failure === undefined) failure = { error: edit.cause };
  const problems = annotatableProblems(edit);
  // Without facts no gate applies, and re-rendering would drop every tick: the comment is
  // left as it is until an evaluation succeeds.
  const items = judged ? checklistItemsFor(policy, evaluation) : [];
  const render: RenderChecklist = (state, notes) =>
    renderChecklistComment(items, state, key, shownNotes(items, notes));
  const checklist =
    judged && view && key !== "" && (items.length > 0 || view.comment)
      ? { view, key, render }
      : null;
  const written = await writeResults(deps, trigger, {
    evaluation,
    own,
    files,
    problems,
    checklist,
  });
  if (failure) return { ...written, failure: failure.error };
  const waiting = gatesWaitingOn(evaluation.gates, policy, CHANGE_SYSTEM_KINDS);
  if (waiting.length === 0) return written;
  const until = latestWait(changeRecords);
  return {
    ...written,
    waitsOnChangeSystem: true,
    ...(until ? { changeSystemWaitUntil: until } : {}),
  };
}

/** The latest time a change system asked the app not to ask before, if one did. */
function latestWait(records: readonly ChangeRecordFact[] | undefined): string | undefined {
  const times = (records ?? []).flatMap((r) => (r.askAgainAt ? [Date.parse(r.askAgainAt)] : []));
  return times.length > 0 ? new Date(Math.max(...times)).toISOString() : undefined;
}

/** The requirement kinds answered by a change system rather than by GitHub. */
const CHANGE_SYSTEM_KINDS = new Set<KindKey>(["change_record"]);

/** A read failed before anything could be judged: the check fails and says why. */
async function notJudged(
  deps: PipelineDeps,
  trigger: Trigger,
  error: unknown,
): Promise<PipelineResult> {
  trigger.log.warn({ err: error }, "could not read the release policy");
  const evaluation = failedEvaluation(
    `Could not read from GitHub: ${describeError(error)}`,
    deps.now(),
  );
  const written = await writeResults(deps, trigger, { evaluation, own: undefined, files: [] });
  return { ...written, failure: error };
}

/** Writes the check run and the checklist comment, each only when it would change. */
async function writeResults(
  deps: PipelineDeps,
  trigger: Trigger,
  result: {
    evaluation: Evaluation;
    /** The app's check run as gathered; read here when the facts could not be. */
    own: { run: ShownRun | undefined } | undefined;
    files: PolicyFile[];
    problems?: PolicyProblem[];
    /** The checklist comment to write: rendered by the writer from what is judged then. */
    checklist?: { view: ChecklistView; key: string; render: RenderChecklist } | null;
  },
): Promise<PipelineResult> {
  const { octokit, repo, pr } = trigger;
  const rendered = renderCheckRun(result.evaluation, {
    policyLocation: result.files[0]?.location ?? ownPolicy(repo),
  });
  const annotations = renderAnnotations(result.problems ?? [], POLICY_PATH);
  const own = annotations.length > 0 ? { ...rendered, annotations } : rendered;
  const members = new CommitMembers(deps.store);
  await members.join(repo, pr.head.sha, pr.number);
  const { checkRun, output, existing, moved } = await commitWrites.run(
    commitLockKey(repo, pr.head.sha),
    async () => {
      const existing = await currentRun(deps, trigger, result.own);
      const entry: PullVerdict = {
        number: pr.number,
        base: pr.base.ref,
        verdict: verdictOfOutput(own),
        title: own.title,
      };
      const known = await members.current(repo, pr.head.sha, recordOf(existing?.output.summary));
      const pulls = withVerdict(known, entry);
      const output = commitOutput(own, pr.number, pulls);
      const at = { octokit, repo, sha: pr.head.sha };
      const checkRun = await writeRun(deps, at, output, existing);
      await repairRecord(deps, trigger, pulls, (fixed) => commitOutput(own, pr.number, fixed));
      // A run with no record yet (the first write, or one made before records) was read as a
      // whole: only its status and conclusion can have moved for those who read it.
      const before = known.find((p) => p.number === pr.number)?.verdict;
      const moved = known.length > 0 && before !== entry.verdict;
      return { checkRun, output, existing, moved };
    },
  );
  // Held deployments wait on this pull request's own verdict, and on the run GitHub shows.
  const changed =
    moved ||
    existing?.status !== output.status ||
    (existing.conclusion ?? undefined) !== output.conclusion;
  if (checkRun !== "unchanged" && changed) {
    for (const listener of deps.checkListeners ?? []) {
      await listener({ octokit, log: trigger.log, repo, number: pr.number });
    }
  }
  const comment = result.checklist
    ? await deps.comments.write(octokit, repo, pr.number, { ...result.checklist, now: deps.now() })
    : "skipped";
  trigger.log.info(
    {
      event: "evaluation",
      repo: `${repo.owner}/${repo.repo}`,
      pr: pr.number,
      sha: pr.head.sha,
      conclusion: result.evaluation.conclusion,
      changeType: result.evaluation.changeType,
      gates: Object.fromEntries(result.evaluation.gates.map((gate) => [gate.id, gate.status])),
      checkRun,
      comment,
    },
    "release policy evaluated",
  );
  deps.metrics?.decided("pull_request", result.evaluation.conclusion, result.evaluation.gates);
  return { evaluation: result.evaluation, checkRun, comment };
}

/**
 * The app's run on the commit as last known: the kept check runs, which every write of the
 * app amends (so a pull request on the same commit written just before is seen), else as
 * gathered, else read. When other pull requests were judged on the commit, possibly by
 * another instance, GitHub is asked: their entries must not be lost.
 */
async function currentRun(
  deps: PipelineDeps,
  trigger: Trigger,
  gathered: { run: ShownRun | undefined } | undefined,
): Promise<ShownRun | undefined> {
  const { octokit, repo, pr } = trigger;
  const present = await new CommitMembers(deps.store).present(repo, pr.head.sha);
  if (present.some((number) => number !== pr.number)) {
    const listed = await readOwnCheckRun(octokit, repo, pr.head.sha, deps.appId);
    return listed && shownRun(listed);
  }
  const kept = await deps.facts.peek<CommitRuns>(factKeys.commit(repo, pr.head.sha, "runs"));
  if (kept) return kept.own;
  return gathered ? gathered.run : await readOwnRun(deps, trigger);
}

/** Writes the commit's run when it changes, and keeps what it wrote. */
async function writeRun(
  deps: PipelineDeps,
  trigger: Pick<Trigger, "octokit" | "repo"> & { sha: string },
  output: CheckRunOutput,
  existing: ShownRun | undefined,
): Promise<Write> {
  const { octokit, repo, sha } = trigger;
  const records = new OwnRunRecords(deps.store);
  const { write, shown } = await upsertCheckRun({
    octokit,
    repo,
    headSha: sha,
    output,
    existing,
    appId: deps.appId,
  }).catch(async (error: unknown) => {
    if (!existing && mayHaveApplied(error)) await records.unsure(repo, sha);
    throw error;
  });
  if (write !== "unchanged") {
    await keepOwnRun(deps, repo, sha, shown);
    await records.made(repo, sha, shown.id);
  }
  return write;
}

/**
 * Another instance may have written the same commit's run in between: a pull request judged
 * on the commit but missing from what was written is looked up on GitHub and written back
 * (as pending when GitHub lost it too). Costs nothing while every entry is there.
 */
async function repairRecord(
  deps: PipelineDeps,
  trigger: Trigger | (Pick<Trigger, "octokit" | "repo" | "log"> & { sha: string }),
  written: readonly PullVerdict[],
  render: (pulls: PullVerdict[]) => CheckRunOutput | undefined,
): Promise<void> {
  const { octokit, repo } = trigger;
  const sha = "sha" in trigger ? trigger.sha : trigger.pr.head.sha;
  const present = await new CommitMembers(deps.store).present(repo, sha);
  if (present.every((number) => written.some((p) => p.number === number))) return;
  const listed = await readOwnCheckRun(octokit, repo, sha, deps.appId);
  const fixed = repaired(written, recordOf(listed?.output.summary), present);
  const output = render(fixed);
  if (output) await writeRun(deps, { octokit, repo, sha }, output, listed && shownRun(listed));
}

/**
 * A pull request closed, or pushed away from `sha`: it stops holding back the other pull
 * requests on that commit (a merged one stays in the record, for what reads the verdict it
 * shipped under). Alone on the commit, nothing is read or written.
 */
export async function leaveCommit(
  deps: PipelineDeps,
  trigger: Pick<Trigger, "octokit" | "repo" | "log">,
  left: { number: number; sha: string; merged: boolean },
): Promise<Write> {
  const { octokit, repo } = trigger;
  const members = new CommitMembers(deps.store);
  await members.leave(repo, left.sha, left.number, left.merged);
  const others = (await members.present(repo, left.sha)).filter((n) => n !== left.number);
  if (others.length === 0) return "skipped";
  return commitWrites.run(commitLockKey(repo, left.sha), async () => {
    const listed = await readOwnCheckRun(octokit, repo, left.sha, deps.appId);
    if (!listed) return "skipped";
    const pulls = await members.current(repo, left.sha, recordOf(listed.output.summary));
    const output = recordOutput(pulls);
    if (!output) return "skipped";
    const write = await writeRun(deps, { octokit, repo, sha: left.sha }, output, shownRun(listed));
    await repairRecord(deps, { ...trigger, sha: left.sha }, pulls, recordOutput);
    return write;
  });
}

/**
 * Only the app's own run: the invalid-policy and failed-gathering paths need nothing else.
 * The kept check runs know it when they are kept; only the app writes it.
 */
async function readOwnRun(deps: PipelineDeps, trigger: Trigger): Promise<ShownRun | undefined> {
  const { octokit, repo, pr } = trigger;
  const kept = await deps.facts.peek<CommitRuns>(factKeys.commit(repo, pr.head.sha, "runs"));
  if (kept) return kept.own;
  let runs: Awaited<ReturnType<typeof readOwnCheckRun>>;
  try {
    runs = await readOwnCheckRun(octokit, repo, pr.head.sha, deps.appId);
  } catch (error) {
    // Unlisted, the app's own record of the run it made decides: none means a create is
    // safe; a create whose answer was lost means only GitHub's list can tell.
    const known = await new OwnRunRecords(deps.store).recall(repo, pr.head.sha);
    if (known.kind === "unsure") throw error;
    return known.kind === "run" ? recordedRun(known.id, deps.appId) : undefined;
  }
  return runs && shownRun(runs);
}

/**
 * The app's own write changes the commit's check runs in a way it knows without a read: the
 * kept list is updated, so the next evaluation compares with what GitHub now shows.
 */
async function keepOwnRun(
  deps: PipelineDeps,
  repo: RepoRef,
  sha: string,
  shown: ShownRun,
): Promise<void> {
  const key = factKeys.commit(repo, sha, "runs");
  await deps.facts.amend<CommitRuns>(key, (kept) => ({ ...kept, own: shown }));
}

function ownPolicy(repo: RepoRef): string {
  return `${repo.owner}/${repo.repo}:${POLICY_PATH}`;
}
