import type { Logger } from "pino";
import type { AppDeps } from "../app-deps.js";
import type { PullRequestSnapshot } from "../facts/pull-request.js";
import type { RepoRef } from "../facts/types.js";
import type { Octokit } from "../github/types.js";
import { runPullRequestPipeline, type Trigger } from "../pipeline/pull-request.js";
import { pusherKey } from "../pipeline/pusher.js";

/** The parts of a Probot context every handler uses. */
export interface EventContext {
  id: string;
  name: string;
  octokit: Octokit;
  log: Logger;
}

const DELIVERY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Runs a handler once per delivery id: GitHub's redelivery of a webhook reuses the id, so a
 * redelivered event changes nothing. A handler that fails releases the claim, so a manual
 * redelivery can retry it.
 */
export async function oncePerDelivery(
  deps: AppDeps,
  context: EventContext,
  handle: () => Promise<void>,
): Promise<void> {
  const key = `delivery:${context.id}`;
  if (!(await deps.store.claim(key, DELIVERY_TTL_MS))) {
    context.log.info({ delivery: context.id }, "delivery already handled: ignoring");
    return;
  }
  try {
    await handle();
  } catch (error) {
    await deps.store.delete(key);
    throw error;
  }
}

export function repoRefOf(repository: {
  name: string;
  owner: { login: string };
  default_branch: string;
}): RepoRef {
  return {
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch,
  };
}

/**
 * Evaluates one pull request through the per-PR queue: concurrent events for the same pull
 * request coalesce into one evaluation that sees the latest state. `pr` is the snapshot
 * from the payload, or a loader for events whose payload lacks it.
 */
export function evaluate(
  deps: AppDeps,
  trigger: Omit<Trigger, "pr">,
  number: number,
  pr: PullRequestSnapshot | (() => Promise<PullRequestSnapshot>),
): Promise<void> {
  const { repo } = trigger;
  return deps.queue.run(`${repo.owner}/${repo.repo}#${number}`.toLowerCase(), async () => {
    const snapshot = typeof pr === "function" ? await pr() : pr;
    if (snapshot.state !== "open") return;
    await runPullRequestPipeline(deps, { ...trigger, pr: snapshot });
  });
}

/** Reads a pull request by number: for events whose payload lacks it. */
export function fetchPull(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
): () => Promise<PullRequestSnapshot> {
  return async () => {
    const { data } = await octokit.rest.pulls.get({
      owner: repo.owner,
      repo: repo.repo,
      pull_number: number,
    });
    return data;
  };
}

/** Remembers who pushed a head commit, for gates that exclude the pusher. */
export async function rememberPusher(
  deps: AppDeps,
  repo: RepoRef,
  sha: string,
  login: string,
): Promise<void> {
  await deps.store.set(pusherKey(repo, sha), login, DELIVERY_TTL_MS * 7);
}
