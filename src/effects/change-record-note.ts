// Closing the loop with the change system: once a deployment the protection rule approved
// succeeds or fails, each change record its change_record gates approved (with `work_note`)
// gets one note saying what was deployed, by whose approval, and how it went: a work note on
// the ServiceNow change request, an internal comment on the Jira issue. What was approved is
// kept in the store at the decision (`remember`), since the deployment's status arrives later
// and may reach another instance; a status that beats it there (a quick job, a slow answer)
// waits in the store for it.
//
// Once per deployment and record: a lease is claimed before writing and a done mark set after,
// so a redelivered or concurrent status (on any instance) writes nothing more. A failed write
// lets go of its lease and is kept in the store with its next attempt's time, so a timer or
// any instance's sweep (`retryDue`) tries again after a back-off, a few times, a restart in
// between; one that still fails (or that the system refuses for good) is logged and left to
// a redelivery of the status. Nothing here touches a decision. A process that stops between a
// write and its mark may repeat that one note: at least once, never silently lost.
import type { Logger } from "pino";
import {
  answerError,
  describeFailure,
  isPassingFailure,
  variablesOf,
  ChangeSystemError,
  type ChangeSystemClient,
  type ChangeSystemName,
} from "../change-systems/client.js";
import type { RepoRef } from "../facts/types.js";
import { reEvaluationDelayMs } from "../github/back-off.js";
import type { Store } from "../store/store.js";

/** A change record a deployment was approved on, as the note is addressed to it. */
export interface NotedRecord {
  system: ChangeSystemName;
  /** CHG0012345, OPS-42. */
  number: string;
  /** What a write addresses: ServiceNow's sys_id, Jira's issue key. */
  id: string;
  url: string;
}

/** What the protection rule approved, kept until the deployment's outcome is known. */
export interface ApprovedDeployment {
  repo: RepoRef;
  deploymentId: number;
  environment: string;
  runId: number;
  sha: string;
  /** ISO 8601: when it was approved. */
  approvedAt: string;
  /** Who approved, and how (GitHub's deployment review, an `/approve` comment). */
  approvers: { user: string; via: "review" | "comment" }[];
  /** The commits it brings since the environment's last successful deployment, when read. */
  range?: { from?: string; to: string; commits: number };
  /** The merged pull requests that brought the deployed commit. */
  pulls: number[];
  /** Approved under an advisory policy, whatever the gates said. */
  advisory?: boolean;
  records: NotedRecord[];
}

export type DeploymentOutcomeState = "success" | "failure" | "error";

/** How the deployment ended, from its deployment_status. */
export interface DeploymentOutcome {
  state: DeploymentOutcomeState;
  /** ISO 8601: when the status was reported. */
  at: string;
  /** The repository's page (github.com or GitHub Enterprise Server): the run's is under it. */
  repositoryUrl: string;
  /** The status' log or target, when it has one. */
  statusUrl?: string;
}

/** Approvals and notes are kept as long as a deployment can wait, and a bit. */
export const NOTE_KEEP_MS = 30 * 24 * 60 * 60 * 1000;
/** Writes per note before it is left to a redelivery: about 2.5 minutes at the default unit. */
export const NOTE_ATTEMPTS = 5;
/**
 * An outcome heard before its approval was kept waits this long for it: the approval is kept
 * right after GitHub has it, so seconds would do; an hour spans a slow, throttled answer.
 */
const ENDED_KEEP_MS = 60 * 60 * 1000;
/** How long one instance owns a write: longer than a request may take (10 s). */
const LEASE_MS = 60_000;
/** The notes waiting for their next attempt, by id (deployment, system, record). */
const RETRIES = "change-note:retries";

/** A note whose write failed, kept until its next attempt. */
interface Retry {
  approved: ApprovedDeployment;
  record: NotedRecord;
  text: string;
  /** The attempt to make next (the first was 1). */
  attempt: number;
  /** ISO 8601: when it is due. */
  nextAt: string;
}

const OUTCOME_WORDS: Record<DeploymentOutcomeState, string> = {
  success: "succeeded",
  failure: "failed",
  error: "ended in error",
};

/** The note, in plain text: what an auditor asks for, and nothing secret. */
export function noteText(approved: ApprovedDeployment, outcome: DeploymentOutcome): string {
  const { repo } = approved;
  const lines = [
    `Release Policy: deployment ${approved.deploymentId} of ${repo.owner}/${repo.repo} to ${approved.environment} ${OUTCOME_WORDS[outcome.state]}.`,
    `Outcome: ${outcome.state} at ${outcome.at}${outcome.statusUrl ? ` (${outcome.statusUrl})` : ""}`,
    `Repository: ${repo.owner}/${repo.repo}`,
    `Environment: ${approved.environment}`,
    `Workflow run: ${outcome.repositoryUrl}/actions/runs/${approved.runId}`,
    commitsLine(approved),
    `Pull requests: ${approved.pulls.length > 0 ? approved.pulls.map((n) => `#${n}`).join(", ") : "none (a direct push)"}`,
    `Approved at ${approved.approvedAt} by: ${approversText(approved)}`,
    `Change records: ${approved.records.map((r) => r.number).join(", ")}`,
  ];
  if (approved.advisory) {
    lines.push("Policy mode: advisory (approved whatever the gates said)");
  }
  return lines.join("\n");
}

function commitsLine(approved: ApprovedDeployment): string {
  const range = approved.range;
  if (!range) return `Commit: ${approved.sha}`;
  const count = `${range.commits} commit${range.commits === 1 ? "" : "s"}`;
  return range.from
    ? `Commits: ${range.from}..${range.to} (${count})`
    : `Commits: up to ${range.to} (${count}, the environment's first deployment)`;
}

function approversText(approved: ApprovedDeployment): string {
  if (approved.approvers.length === 0) return "no one (the gates alone)";
  return approved.approvers
    .map((a) => `${a.user} (${a.via === "comment" ? "/approve comment" : "deployment review"})`)
    .join(", ");
}

/** Jira's comment body: Atlassian Document Format, one paragraph per line. */
export function jiraCommentBody(text: string): unknown {
  return {
    body: {
      type: "doc",
      version: 1,
      content: text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => ({ type: "paragraph", content: [{ type: "text", text: line }] })),
    },
    // Internal: seen by the service desk's agents, not by the customer who raised the issue.
    properties: [{ key: "sd.public.comment", value: { internal: true } }],
  };
}

/** One write of the note to one record; rejects with what went wrong. */
export async function writeNote(
  client: ChangeSystemClient,
  record: NotedRecord,
  text: string,
): Promise<void> {
  const json = { "content-type": "application/json" };
  const response =
    record.system === "servicenow"
      ? await client.request(
          "servicenow",
          `/api/now/table/change_request/${encodeURIComponent(record.id)}?sysparm_fields=sys_id`,
          { method: "PATCH", headers: json, body: JSON.stringify({ work_notes: text }) },
        )
      : await client.request("jira", `/rest/api/3/issue/${encodeURIComponent(record.id)}/comment`, {
          method: "POST",
          headers: json,
          body: JSON.stringify(jiraCommentBody(text)),
        });
  if (!response.ok) throw await answerError(record.system, response);
  await response.body?.cancel();
}

/** Runs `task` at `when`: the app's scheduler (timers, or a hand-driven one in tests). */
export interface NoteScheduler {
  at(when: Date, task: () => Promise<void>): unknown;
}

export interface NotesDeps {
  store: Store;
  client: ChangeSystemClient;
  scheduler: NoteScheduler;
  now: () => Date;
  log: Logger;
  /** The unit of the retry back-off (RETRY_BASE_MS): 10 units, doubling. */
  baseMs: number;
  attempts?: number;
}

const deploymentKey = (repo: RepoRef, deploymentId: number): string =>
  `${repo.owner}/${repo.repo}#${deploymentId}`.toLowerCase();

const noteId = (approved: ApprovedDeployment, record: NotedRecord): string =>
  `${deploymentKey(approved.repo, approved.deploymentId)}:${record.system}:${record.number}`;

const retryKey = (id: string): string => `change-note:retry:${id}`;

export class ChangeRecordNotes {
  constructor(private readonly deps: NotesDeps) {}

  /**
   * Keeps what was approved, for the deployment's status to find. GitHub has the approval
   * before its listeners hear of it, so a quick job's status may have come first: then it is
   * in the store, and the notes are written now.
   */
  async remember(approved: ApprovedDeployment, log: Logger = this.deps.log): Promise<void> {
    const key = deploymentKey(approved.repo, approved.deploymentId);
    await this.deps.store.set(
      `change-note:approved:${key}`,
      JSON.stringify(approved),
      NOTE_KEEP_MS,
    );
    const ended = await this.deps.store.get(`change-note:ended:${key}`);
    if (ended !== null) await this.#write(approved, JSON.parse(ended) as DeploymentOutcome, log);
  }

  /**
   * The deployment ended: one note per record it was approved on, unless written already.
   * Resolves once each record's first attempt is made; retries run later, on the scheduler.
   * A deployment with no approval kept (yet) keeps its outcome a while, for `remember`; both
   * sides write before they read, so whichever comes second sees the other.
   */
  async outcome(
    repo: RepoRef,
    deploymentId: number,
    outcome: DeploymentOutcome,
    log: Logger = this.deps.log,
  ): Promise<void> {
    // Without ServiceNow or Jira no gate could have approved on a change record.
    const { config } = this.deps.client;
    if (!config.servicenow && !config.jira) return;
    const key = deploymentKey(repo, deploymentId);
    let approved = await this.#approved(key);
    if (!approved) {
      await this.deps.store.set(`change-note:ended:${key}`, JSON.stringify(outcome), ENDED_KEEP_MS);
      approved = await this.#approved(key);
      if (!approved) return;
    }
    await this.#write(approved, outcome, log);
  }

  async #approved(key: string): Promise<ApprovedDeployment | null> {
    const raw = await this.deps.store.get(`change-note:approved:${key}`);
    return raw === null ? null : (JSON.parse(raw) as ApprovedDeployment);
  }

  async #write(
    approved: ApprovedDeployment,
    outcome: DeploymentOutcome,
    log: Logger,
  ): Promise<void> {
    const text = noteText(approved, outcome);
    for (const record of approved.records) {
      await this.#attempt(approved, record, text, 1, log);
    }
  }

  /**
   * Makes the due retries no other instance is making: what the sweep runs, on every
   * instance, so a note whose retry a stopped process had armed is still written.
   * Returns how many it attempted.
   */
  async retryDue(log: Logger = this.deps.log): Promise<number> {
    let attempted = 0;
    for (const id of await this.deps.store.members(RETRIES)) {
      if (await this.#retry(id, log)) attempted += 1;
    }
    return attempted;
  }

  /** Notes waiting for a retry (for tests). */
  async waiting(): Promise<number> {
    return (await this.deps.store.members(RETRIES)).length;
  }

  async #retry(id: string, log: Logger): Promise<boolean> {
    const { store, now } = this.deps;
    const raw = await store.get(retryKey(id));
    if (raw === null) {
      await store.removeFromSet(RETRIES, id);
      return false;
    }
    const retry = JSON.parse(raw) as Retry;
    if (Date.parse(retry.nextAt) > now().getTime()) return false;
    return this.#attempt(retry.approved, retry.record, retry.text, retry.attempt, log, true);
  }

  /**
   * One write of one note, unless it is done or another instance is making it; a retry is
   * made only while it is still the one kept (a timer and a sweep may both come for it).
   * Returns whether a write was tried.
   */
  async #attempt(
    approved: ApprovedDeployment,
    record: NotedRecord,
    text: string,
    attempt: number,
    log: Logger,
    retrying = false,
  ): Promise<boolean> {
    const { store, now } = this.deps;
    const id = noteId(approved, record);
    const about = {
      deployment: approved.deploymentId,
      repo: `${approved.repo.owner}/${approved.repo.repo}`,
      system: record.system,
      record: record.number,
    };
    if (!this.deps.client.config[record.system]) {
      log.warn(
        { changeNote: about },
        `work note not written: ${record.system === "servicenow" ? "ServiceNow" : "Jira"} is not configured (set ${variablesOf(record.system)})`,
      );
      await this.#settle(id);
      return false;
    }
    const done = `change-note:done:${id}`;
    if ((await store.get(done)) !== null) {
      await this.#settle(id);
      return false;
    }
    const lease = `change-note:lease:${id}`;
    if (!(await store.claim(lease, LEASE_MS))) return false;
    // Another instance may have finished, or made this retry, between the look and the claim.
    if ((await store.get(done)) !== null || (retrying && !(await this.#stillDue(id, attempt)))) {
      await store.delete(lease);
      return false;
    }
    try {
      await writeNote(this.deps.client, record, text);
    } catch (error) {
      await this.#failed({ approved, record, text, attempt }, error, about, log);
      await store.delete(lease);
      return true;
    }
    await store.set(done, now().toISOString(), NOTE_KEEP_MS);
    await this.#settle(id);
    await store.delete(lease);
    log.info({ changeNote: about, attempts: attempt }, "work note written to the change record");
    return true;
  }

  async #stillDue(id: string, attempt: number): Promise<boolean> {
    const raw = await this.deps.store.get(retryKey(id));
    return raw !== null && (JSON.parse(raw) as Retry).attempt === attempt;
  }

  /** The note needs no more attempts: written, given up, or nowhere to write it. */
  async #settle(id: string): Promise<void> {
    await this.deps.store.delete(retryKey(id));
    await this.deps.store.removeFromSet(RETRIES, id);
  }

  async #failed(
    failed: Omit<Retry, "nextAt">,
    error: unknown,
    about: Record<string, string | number>,
    log: Logger,
  ): Promise<void> {
    const { approved, record, attempt } = failed;
    const id = noteId(approved, record);
    const why = describeFailure(error);
    const max = this.deps.attempts ?? NOTE_ATTEMPTS;
    if (!isPassingFailure(error) || attempt >= max) {
      await this.#settle(id);
      log.warn(
        { changeNote: about, attempts: attempt, why },
        isPassingFailure(error)
          ? `work note not written after ${attempt} attempts (${why}); a redelivery of the deployment status tries again`
          : `work note refused (${why}): the app's account needs ${record.system === "servicenow" ? "write access to change_request work_notes" : "permission to add comments"}; a redelivery of the deployment status tries again`,
      );
      return;
    }
    const retryAfter = error instanceof ChangeSystemError ? error.retryAfterMs : undefined;
    const delay = reEvaluationDelayMs(this.deps.baseMs, attempt, retryAfter);
    const nextAt = new Date(this.deps.now().getTime() + delay);
    const retry: Retry = { ...failed, attempt: attempt + 1, nextAt: nextAt.toISOString() };
    await this.deps.store.set(retryKey(id), JSON.stringify(retry), NOTE_KEEP_MS);
    await this.deps.store.addToSet(RETRIES, id, NOTE_KEEP_MS);
    log.info(
      { changeNote: about, attempts: attempt, why, nextAt: retry.nextAt },
      "work note not written; trying again",
    );
    // The timer is the quick way; the store's entry outlives this process for the sweep.
    this.deps.scheduler.at(nextAt, async () => {
      try {
        await this.#retry(id, log);
      } catch (retryError) {
        // The store failed: the next sweep tries again.
        log.warn({ err: retryError, changeNote: about }, "work note not written");
      }
    });
  }
}
