// Gather → evaluate → answer for one deployment waiting on the protection rule. The answer is
// approved, rejected, or (while a gate waits on a person or on time) a status comment and a
// hold that is re-checked later. Nothing here approves on a missing fact or an error, except
// under an advisory policy: it approves every deployment it could judge, saying what enforcing
// would have decided. A missing or invalid policy and a failed read are answered as ever.
import type { Logger } from "pino";
import {
  evaluateDeployment,
  promotionOf,
  type DeploymentEvaluation,
} from "../evaluate/deployment.js";
import { deploymentNeeds } from "../evaluate/needs.js";
import { deploymentGates } from "../evaluate/stages.js";
import type { AssociatedPull } from "../facts/deployed-range.js";
import {
  gatherDeploymentFacts,
  type DeployedPull,
  type DeploymentApprovalFact,
  type DeploymentFacts,
  type DeploymentNeeds,
  type DeploymentRequest,
} from "../facts/deployment.js";
import { mergedCommittersReader } from "../facts/merged-committers.js";
import { mergeLabelsReader } from "../facts/merge-labels.js";
import { teamReader } from "../facts/teams.js";
import { deploymentOf, lookupIn, type ChangeRecordReader } from "../facts/change-record-clients.js";
import { describeError, isTransient, retryAfterMs } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import { mergeApprovals, readDeploymentReviews } from "../facts/deployment-reviews.js";
import { readApprovals, readDeployers, recordApproval } from "../holds/approvals.js";
import { scopesOf, type DecisionTriggers } from "../holds/triggers.js";
import {
  ANSWER_LEASE_MS,
  answeredBefore,
  answeringHold,
  answerState,
  claimAnswer,
  dropClaim,
  markAnswered,
  nextLook,
  retryAt,
  takeStaleMark,
} from "../holds/answer.js";
import { HOLD_TTL_MS, holdKey, type Hold, type HoldRegistry } from "../holds/registry.js";
import type { HoldTimers } from "../holds/timers.js";
import type { PolicyCache } from "../policy/cache.js";
import type { Policy } from "../policy/schema.js";
import { POLICY_PATH, type PolicyFile } from "../policy/types.js";
import type { GateResult } from "../model/result.js";
import { decisionOf, type Decision } from "../evaluate/decision.js";
import {
  renderCommitStatus,
  renderNotice,
  renderProtectionComment,
} from "../report/protection-comment.js";
import type { Store } from "../store/store.js";
import { reviewRun, writeDeploymentStatus } from "../effects/deployment-answer.js";
import type { KeyedQueue } from "./keyed-queue.js";
import type { DecisionMetrics } from "./decision-metrics.js";
import {
  tellListeners,
  type DeploymentDecided,
  type DeploymentListener,
} from "./deployment-listeners.js";

export interface DeploymentDeps {
  appId: number;
  store: Store;
  policies: PolicyCache;
  now: () => Date;
  queue: KeyedQueue;
  holds: HoldRegistry;
  timers: HoldTimers;
  /** Events noted while a decision is in flight make it decide again (holds/triggers.ts). */
  triggers: DecisionTriggers;
  /**
   * A hold waiting on people is re-checked against GitHub's record at least this often, so
   * an approval whose webhook never arrived is still found.
   */
  recheckIntervalMs: number;
  /** The unit of every back-off (RETRY_BASE_MS, github/back-off.ts). */
  retryBaseMs: number;
  metrics?: DecisionMetrics;
  /** The gate of the release whose tagged commit is deployed; null when it is no release's. */
  releaseGate?: ReleaseGateReader;
  /** Reads ServiceNow and Jira change records for change_record gates. */
  changeRecords?: ChangeRecordReader;
  /** Told of every decision once it is given (pipeline/deployment-listeners.ts). */
  listeners?: readonly DeploymentListener[];
}

export type ReleaseGateReader = (
  octokit: Octokit,
  policy: Policy,
  files: PolicyFile[],
  request: DeploymentRequest,
) => Promise<GateResult | null>;

export interface DeploymentTrigger {
  octokit: Octokit;
  log: Logger;
}

/** How a decision was asked for. */
export interface DecideOptions {
  /**
   * The caller's event is GitHub's own record of a review of this run (its webhook), already
   * in the ledger: this decision need not read GitHub's list of reviews again.
   */
  reviewed?: boolean;
}

/** What one evaluation decided, with what to tell GitHub. */
interface Judged {
  decision: Decision;
  comment: string;
  /** A reviewer rejected the deployment in GitHub's review: GitHub failed the job itself. */
  rejectedBy?: string;
  /** A gate waits on a person or a check: look at GitHub's record again now and then. */
  awaitsEvent?: boolean;
  gates: DeploymentEvaluation["gates"];
  /** Approved under an advisory policy, whatever the gates say: the commit status says so. */
  advisory?: boolean;
  recheckAt?: string;
  /** A transient failure: keep waiting and retry with back-off. */
  transient?: boolean;
  /** How long GitHub asked the app to wait (a rate limit's retry-after or reset). */
  retryAfterMs?: number;
  /** The merged pull requests that brought the deployed commits: they index the hold. */
  pulls?: number[];
  /** The pull requests as read, for the next re-check of the same deployment. */
  associated?: AssociatedPull[];
  /** What was judged, for the listeners; absent for a notice or a failed read. */
  facts?: DeploymentFacts;
  policy?: Policy;
}

export type DeploymentResult = Decision | "already-decided";

/** A decision, and the pull requests it found (their triggers concern it too). */
interface Decided {
  result: DeploymentResult;
  pulls: readonly number[];
}

/** Decisions run in the queue under this prefix and the hold's key. */
const decisionKeyPrefix = "deploy:";

/**
 * Rounds one decision may take when events keep arriving while it decides; past them, the
 * hold's own re-check (at most recheckIntervalMs away) looks again.
 */
const MAX_ROUNDS = 5;

/** GitHub allows 10 comments per deployment; the last is kept for the decision. */
const MAX_STATUS_COMMENTS = 9;

/**
 * Decides one deployment, one evaluation at a time per run and environment. A decision that
 * keeps the deployment waiting looks, once its hold is stored, for events noted since it began
 * reading (holds/triggers.ts): an approval that landed meanwhile makes it decide again.
 */
export function decideDeployment(
  deps: DeploymentDeps,
  trigger: DeploymentTrigger,
  request: DeploymentRequest,
  options: DecideOptions = {},
): Promise<void> {
  return deps.queue.run(`${decisionKeyPrefix}${holdKey(request)}`, async () => {
    let readReviews = !options.reviewed;
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const known = await deps.holds.get(holdKey(request));
      const snapshot = await deps.triggers.snapshot(scopesOf(request, known?.pulls ?? []));
      const decided = await decideNow(deps, trigger, request, readReviews);
      if (decided.result !== "waiting") return;
      const arrived = await deps.triggers.arrivedSince(snapshot, scopesOf(request, decided.pulls));
      if (arrived.length === 0) return;
      readReviews = true;
      trigger.log.info(
        { hold: holdKey(request), triggers: arrived },
        "events arrived while deciding: deciding again",
      );
    }
  });
}

/**
 * Resolves once no decision for `environment` of `repo` is running in this process. A first
 * decision stores its hold only as it ends: a sign-off that arrived meanwhile waits for it
 * rather than find nothing held.
 */
export function decisionsSettled(
  deps: Pick<DeploymentDeps, "queue">,
  repo: DeploymentRequest["repo"],
  environment: string,
): Promise<void> {
  const prefix = `${decisionKeyPrefix}${repo.owner}/${repo.repo}:`.toLowerCase();
  const suffix = `:${environment}`.toLowerCase();
  return deps.queue.quiet((key) => key.startsWith(prefix) && key.endsWith(suffix));
}

async function decideNow(
  deps: DeploymentDeps,
  trigger: DeploymentTrigger,
  request: DeploymentRequest,
  readReviews: boolean,
): Promise<Decided> {
  const key = holdKey(request);
  const decided = await answerState(deps.store, request);
  if (decided === "answered") {
    await release(deps, key);
    return { result: "already-decided", pulls: [] };
  }
  if (decided === "answering") {
    // Another decision is giving its answer and releases the hold once GitHub has it; should
    // it never, the hold's timer (set past that answer's lease) decides again.
    const pending = await deps.holds.get(key);
    if (pending) deps.timers.arm(pending);
    return { result: "already-decided", pulls: [] };
  }
  const previous = await deps.holds.get(key);
  // A hold for an earlier deployment of this run (a re-run) is replaced, not continued.
  const hold = previous?.request.deploymentId === request.deploymentId ? previous : null;
  const known = (await takeStaleMark(deps.store, key)) ? null : hold;
  let judged: Judged;
  try {
    judged = await judge(deps, trigger.octokit, request, known, readReviews);
  } catch (error) {
    judged = failed(request, error, deps.now());
    trigger.log.warn({ err: error, hold: key }, "deployment could not be judged");
  }
  if (judged.transient) {
    const failures = (hold?.failures ?? 0) + 1;
    return wait(
      deps,
      trigger,
      request,
      hold,
      {
        ...judged,
        recheckAt: retryAt(deps.now(), deps.retryBaseMs, failures, judged.retryAfterMs),
      },
      failures,
    );
  }
  if (judged.rejectedBy !== undefined) {
    // GitHub failed the job on the reviewer's word: there is nothing left to answer.
    await release(deps, key);
    trigger.log.info({ hold: key, by: judged.rejectedBy }, "rejected in GitHub's review: released");
    await tellListeners(
      deps.listeners,
      decidedOf(deps, request, hold, judged, "rejected"),
      trigger.log,
    );
    return { result: "rejected", pulls: [] };
  }
  if (judged.decision === "waiting") return wait(deps, trigger, request, hold, judged, 0);
  return { result: await answer(deps, trigger, request, hold, judged), pulls: [] };
}

async function judge(
  deps: DeploymentDeps,
  octokit: Octokit,
  request: DeploymentRequest,
  hold: Hold | null,
  readReviews: boolean,
): Promise<Judged> {
  const { environment, repo } = request;
  // The repository's owner type (from the webhook) spares a personal account's repository
  // the read of an organization's required base.
  const loaded = await deps.policies.load(octokit, repo.owner, repo.repo, repo);
  if (loaded.kind === "none") {
    // The rule was switched on for this environment on purpose: without a policy there is
    // nothing to enforce, and approving would let a deleted file open every environment.
    return notice("rejected", environment, [
      `No ${POLICY_PATH} on the default branch (nor in the organization's .github repository).`,
      `Add a policy, or switch the "Release Policy" protection rule off for ${environment}.`,
    ]);
  }
  if (loaded.kind === "invalid") {
    const problems = loaded.problems
      .slice(0, 3)
      .map((p) => `${p.file}:${p.line}: ${p.path ? `${p.path}: ` : ""}${p.message}`);
    return notice("rejected", environment, [
      `The release policy is invalid (${loaded.problems.length} problem${loaded.problems.length > 1 ? "s" : ""}); fix it on the default branch and re-run the job.`,
      ...problems,
    ]);
  }
  const { policy } = loaded;
  const release = (await deps.releaseGate?.(octokit, policy, loaded.files, request)) ?? null;
  if (
    release === null &&
    deploymentGates(policy, environment).length === 0 &&
    !promotionOf(policy, environment)
  ) {
    return notice("approved", environment, [
      `The release policy has no deployment gate for ${environment}.`,
    ]);
  }
  const { approvals, rejectedBy } = await approvalsOf(deps, octokit, request, policy, readReviews);
  if (rejectedBy !== undefined) {
    // The policy goes with it: listeners (notifications) read the environment's settings.
    return { ...notice("rejected", environment, []), rejectedBy, policy };
  }
  const deployers = await readDeployers(deps.store, holdKey(request));
  const facts = await gatherDeploymentFacts({
    octokit,
    appId: deps.appId,
    request,
    needs: deploymentNeedsFor(policy, request, approvals.length > 0),
    teams: teamReader(octokit, deps.store),
    committers: mergedCommittersReader(octokit, deps.store),
    mergeLabels: mergeLabelsReader(octokit, deps.store),
    ...(deps.changeRecords
      ? {
          changeRecords: lookupIn(deps.changeRecords, {
            installation: request.installationId,
            subject: deploymentOf(holdKey(request)),
          }),
        }
      : {}),
    approvals,
    known: {
      ...(hold?.associated ? { pulls: hold.associated } : {}),
      ...(deployers ? { deployers } : {}),
    },
  });
  const evaluation = evaluateDeployment(policy, facts, deps.now(), release);
  const decision = decisionOf(evaluation);
  return {
    decision,
    comment: renderProtectionComment(evaluation, decision, {
      ...(evaluation.pull ? { link: evaluation.pull.url } : {}),
    }),
    gates: evaluation.gates,
    ...(evaluation.advisory ? { advisory: true } : {}),
    ...(evaluation.recheckAt ? { recheckAt: evaluation.recheckAt } : {}),
    ...(evaluation.awaitsEvent ? { awaitsEvent: true } : {}),
    pulls: facts.pulls.map((pull) => pull.number),
    // The range is read afresh each time (a later deployment may move its start).
    ...(facts.range ? {} : { associated: facts.pulls.map(associatedOf) }),
    facts,
    policy,
  };
}

/**
 * The approvals to judge: the ledger of what the app saw, and GitHub's own record of the
 * run's deployment reviews when a gate counts them. Reviews the ledger missed are added to
 * it, so the release record and the post-implementation review name them too.
 */
async function approvalsOf(
  deps: DeploymentDeps,
  octokit: Octokit,
  request: DeploymentRequest,
  policy: Policy,
  readReviews: boolean,
): Promise<{ approvals: DeploymentApprovalFact[]; rejectedBy?: string }> {
  const key = holdKey(request);
  const ledger = await readApprovals(deps.store, key);
  const counted = deploymentGates(policy, request.environment).some(
    ([, gate]) => gate.require.deployment_approval !== undefined,
  );
  if (!counted || !readReviews) return { approvals: ledger };
  const reviews = await readDeploymentReviews(octokit, request, deps.now());
  const approvals = mergeApprovals(ledger, reviews.approvals);
  for (const approval of approvals.slice(ledger.length)) {
    await recordApproval(deps.store, key, approval);
  }
  return { approvals, ...(reviews.rejectedBy ? { rejectedBy: reviews.rejectedBy } : {}) };
}

/** A deployed pull request as it was read, before the verdict and committers are added. */
function associatedOf(pull: DeployedPull): AssociatedPull {
  const { number, title, url, author, labels, mergedAt, mergeCommitSha, headSha } = pull;
  const { body, branch } = pull;
  return {
    ...{ number, title, url, author, labels, mergedAt, mergeCommitSha, headSha },
    ...(body !== undefined ? { body } : {}),
    ...(branch !== undefined ? { branch } : {}),
  };
}

/**
 * What the environment's gates need fetched: nothing more. Who may approve (teams) and who
 * may not (committers, deployers) only matter once there is an approval to judge: until
 * then the approval gate waits whatever they are, and a held decision skips their requests.
 */
export function deploymentNeedsFor(
  policy: Policy,
  request: DeploymentRequest,
  approvalsToJudge = true,
): DeploymentNeeds {
  const needs = deploymentNeeds(policy, request.environment, request.repo.owner);
  const after = promotionOf(policy, request.environment)?.after;
  // Only deployment approvals ask for teams, committers and deployers.
  return {
    committers: approvalsToJudge && needs.committers,
    range: needs.range,
    verdicts: needs.verdicts,
    deployers: approvalsToJudge && needs.deployers,
    ...(after ? { after } : {}),
    teams: approvalsToJudge ? needs.teams : [],
    ...(needs.changeRecords.length > 0 ? { changeRecords: needs.changeRecords } : {}),
    ...(labelsDecide(policy, request.environment) ? { mergeLabels: true } : {}),
  };
}

/**
 * Whether a gate of the environment applies by labels or change type: then the labels the
 * deployed pull request was merged with decide, never ones added or removed since.
 */
function labelsDecide(policy: Policy, environment: string): boolean {
  return deploymentGates(policy, environment).some(([, gate]) =>
    [gate.when, gate.unless].some((c) => c?.labels !== undefined || c?.change_types !== undefined),
  );
}

function notice(decision: Decision, environment: string, lines: string[]): Judged {
  return { decision, comment: renderNotice(decision, environment, lines), gates: [] };
}

/** Server errors, rate limits (403 ones too) and network failures pass (github/errors.ts). */
function failed(request: DeploymentRequest, error: unknown, now: Date): Judged {
  const why = describeError(error);
  if (isTransient(error)) {
    const after = retryAfterMs(error, now);
    return {
      ...notice("waiting", request.environment, [
        `Could not read from GitHub (${why}); retrying automatically. Nothing is approved until the gates can be judged.`,
      ]),
      transient: true,
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    };
  }
  return notice("rejected", request.environment, [
    `Could not judge the deployment: ${why}.`,
    "Check that the app is installed with the permissions it asks for, then re-run the job.",
  ]);
}

/**
 * Keeps the deployment waiting: a hold, its timer, and a status comment if it changed. The
 * hold is stored before the (throttled) comment is written, so that an event arriving
 * meanwhile finds it. Waiting is not mirrored in a commit status: GitHub shows the job
 * waiting, with the status comment, where the reviewer acts; the commit status records the
 * decision once there is one.
 */
async function wait(
  deps: DeploymentDeps,
  trigger: DeploymentTrigger,
  request: DeploymentRequest,
  existing: Hold | null,
  judged: Judged,
  failures: number,
): Promise<Decided> {
  // A failed re-check knows no pull requests: it keeps those the hold was found by.
  const pulls = judged.pulls ?? existing?.pulls;
  const associated = judged.associated ?? existing?.associated;
  const recheckAt =
    judged.awaitsEvent && !judged.transient
      ? nextLook(deps.now(), deps.recheckIntervalMs, judged.recheckAt)
      : judged.recheckAt;
  const hold: Hold = {
    key: holdKey(request),
    request,
    comments: existing?.comments ?? 0,
    failures,
    createdAt: existing?.createdAt ?? deps.now().toISOString(),
    ...(pulls ? { pulls } : {}),
    ...(associated ? { associated } : {}),
    ...(existing?.lastComment ? { lastComment: existing.lastComment } : {}),
    ...(recheckAt ? { recheckAt } : {}),
  };
  await deps.holds.put(hold);
  deps.timers.arm(hold);
  if (hold.lastComment !== judged.comment && hold.comments < MAX_STATUS_COMMENTS) {
    try {
      await reviewRun(trigger.octokit, request, undefined, judged.comment);
      await deps.holds.put({ ...hold, lastComment: judged.comment, comments: hold.comments + 1 });
    } catch (error) {
      // A lost status comment is retried with the next re-check; the hold matters more.
      trigger.log.warn({ err: error, hold: hold.key }, "could not post the status comment");
    }
  }
  logDecision(trigger, request, "waiting", judged);
  deps.metrics?.decided("deployment", "waiting", judged.gates);
  await tellListeners(
    deps.listeners,
    decidedOf(deps, request, hold, { ...judged, ...(recheckAt ? { recheckAt } : {}) }, "waiting"),
    trigger.log,
  );
  return { result: "waiting", pulls: pulls ?? [] };
}

/** Approves or rejects, once: a redelivered request or a concurrent re-check says nothing more. */
async function answer(
  deps: DeploymentDeps,
  trigger: DeploymentTrigger,
  request: DeploymentRequest,
  hold: Hold | null,
  judged: Judged,
): Promise<DeploymentResult> {
  const state = judged.decision === "approved" ? "approved" : "rejected";
  if (!(await claimAnswer(deps.store, request))) return "already-decided";
  // Should this process stop before GitHub has the answer, the lease lapses and the hold's
  // re-check (a timer, another instance's sweep, or recovery at start) answers again.
  await deps.holds.put(answeringHold(deps.now(), request, hold));
  // The decision is dated as it is sent: the writes after it are throttled, and the job may
  // run and report its status before they end (the work note's "approved at" comes first).
  const answeredAt = deps.now();
  try {
    await reviewRun(trigger.octokit, request, state, judged.comment);
    await markAnswered(deps.store, request);
  } catch (error) {
    if (await answeredBefore(deps.store, request, error)) {
      // An earlier answer reached GitHub though its reply was lost: GitHub refuses a second.
      await markAnswered(deps.store, request);
      await release(deps, holdKey(request));
      trigger.log.info({ hold: holdKey(request) }, "GitHub already had the answer: not repeated");
      return "already-decided";
    }
    await dropClaim(deps.store, request);
    trigger.log.warn({ err: error }, "could not answer the protection rule: retrying");
    const retry = failed(request, error, deps.now());
    if (!retry.transient) throw error;
    const failures = (hold?.failures ?? 0) + 1;
    const recheckAt = retryAt(deps.now(), deps.retryBaseMs, failures, retry.retryAfterMs);
    await wait(
      deps,
      trigger,
      request,
      hold,
      { ...retry, gates: judged.gates, recheckAt },
      failures,
    );
    return "waiting";
  }
  await release(deps, holdKey(request));
  await writeDeploymentStatus(
    { octokit: trigger.octokit, store: deps.store, log: trigger.log },
    request,
    renderCommitStatus(judged.decision, request.environment, judged.gates, judged.advisory),
    { leaseMs: ANSWER_LEASE_MS, keepMs: HOLD_TTL_MS },
  );
  logDecision(trigger, request, judged.decision, judged);
  deps.metrics?.decided("deployment", judged.decision, judged.gates);
  await tellListeners(
    deps.listeners,
    decidedOf(deps, request, hold, judged, judged.decision, answeredAt),
    trigger.log,
  );
  return judged.decision;
}

/** The decision as its listeners hear it. */
function decidedOf(
  deps: DeploymentDeps,
  request: DeploymentRequest,
  hold: Hold | null,
  judged: Judged,
  decision: Decision,
  at: Date = deps.now(),
): DeploymentDecided {
  return {
    request,
    decision,
    gates: judged.gates,
    at: at.toISOString(),
    ...(hold ? { heldSince: hold.createdAt } : {}),
    ...(judged.recheckAt ? { recheckAt: judged.recheckAt } : {}),
    ...(judged.facts ? { facts: judged.facts } : {}),
    ...(judged.policy ? { policy: judged.policy } : {}),
    ...(judged.advisory ? { advisory: true } : {}),
    ...(judged.rejectedBy !== undefined ? { rejectedBy: judged.rejectedBy } : {}),
    ...(judged.transient ? { transient: true } : {}),
  };
}

async function release(deps: DeploymentDeps, key: string): Promise<void> {
  deps.timers.disarm(key);
  await deps.holds.remove(key);
}

function logDecision(
  trigger: DeploymentTrigger,
  request: DeploymentRequest,
  decision: Decision,
  judged: Judged,
): void {
  trigger.log.info(
    {
      event: "deployment-decision",
      repo: `${request.repo.owner}/${request.repo.repo}`,
      run: request.runId,
      deployment: request.deploymentId,
      environment: request.environment,
      sha: request.sha,
      decision,
      ...(judged.advisory ? { advisory: true } : {}),
      gates: Object.fromEntries(judged.gates.map((gate) => [gate.id, gate.status])),
      ...(judged.recheckAt ? { recheckAt: judged.recheckAt } : {}),
    },
    `deployment ${decision}`,
  );
}
