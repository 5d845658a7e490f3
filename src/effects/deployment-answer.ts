// The protection rule's writes: the answer (or a status comment) on the waiting run, and the
// commit status `release-policy/<environment>` that mirrors the decision for people. Whether
// and when to write is the pipeline's decision (holds/ keeps the lease and the answered mark);
// how to write it, once, is here.
import type { Logger } from "pino";
import type { DeploymentRequest } from "../facts/deployment.js";
import { SEND_ONCE } from "../github/create.js";
import type { Octokit } from "../github/types.js";
import type { Store } from "../store/store.js";

export const STATUS_CONTEXT = "release-policy";

/** "release-policy/<environment>": the commit status a deployment's decision is mirrored in. */
export const statusContextOf = (environment: string): string => `${STATUS_CONTEXT}/${environment}`;

/** Approves or rejects the waiting run, or (no state) posts a status comment on it. */
export async function reviewRun(
  octokit: Octokit,
  request: DeploymentRequest,
  state: "approved" | "rejected" | undefined,
  comment: string,
): Promise<void> {
  const at = {
    owner: request.repo.owner,
    repo: request.repo.repo,
    run_id: request.runId,
    environment_name: request.environment,
    comment,
  };
  // Sent once: a lost reply may follow an applied answer (the pipeline checks before retrying).
  await octokit.rest.actions.reviewCustomGatesForRun({
    ...(state ? { ...at, state } : at),
    ...SEND_ONCE,
  });
}

const statusKey = (repo: { owner: string; repo: string }, sha: string, environment: string) =>
  `deploy-status:${repo.owner}/${repo.repo}@${sha}:${environment}`.toLowerCase();

/**
 * The decision this app last gave for the commit in the environment, "success: …", from its
 * own ledger of the statuses it wrote; undefined when it wrote none (or its store forgot).
 */
export async function recordedDecision(
  store: Store,
  repo: { owner: string; repo: string },
  sha: string,
  environment: string,
): Promise<string | undefined> {
  const written = await store.get(statusKey(repo, sha, environment));
  if (written === null) return undefined;
  const bar = written.indexOf("|");
  return `${written.slice(0, bar)}: ${written.slice(bar + 1)}`.trim();
}

export interface CommitStatus {
  state: "success" | "failure" | "pending";
  description: string;
}

/**
 * Writes the commit status unless it already says this. Runs deploying one commit at once
 * decide together: one of them writes it (a claim held for `leaseMs`). A failure is logged:
 * the status mirrors the decision, which has been given already.
 */
export async function writeDeploymentStatus(
  io: { octokit: Octokit; store: Store; log: Logger },
  request: DeploymentRequest,
  status: CommitStatus,
  times: { leaseMs: number; keepMs: number },
): Promise<void> {
  const { repo, sha, environment } = request;
  const key = statusKey(repo, sha, environment);
  const written = `${status.state}|${status.description}`;
  if ((await io.store.get(key)) === written) return;
  const writing = `${key}:writing:${written}`;
  if (!(await io.store.claim(writing, times.leaseMs))) return;
  try {
    await io.octokit.rest.repos.createCommitStatus({
      owner: repo.owner,
      repo: repo.repo,
      sha,
      state: status.state,
      context: statusContextOf(environment),
      description: status.description,
      target_url: `https://github.com/${repo.owner}/${repo.repo}/actions/runs/${request.runId}`,
    });
    await io.store.set(key, written, times.keepMs);
  } catch (error) {
    await io.store.delete(writing);
    io.log.warn({ err: error }, "could not write the commit status");
  }
}
