import type { Logger } from "pino";
import type { AppDeps } from "../app-deps.js";
import type { PullRequestSnapshot } from "../facts/pull-request.js";
import type { RepoRef } from "../facts/types.js";
import type { Octokit } from "../github/types.js";
import { HoldRegistry } from "../holds/registry.js";
import { runPullRequestPipeline, type Trigger } from "../pipeline/pull-request.js";
import { pusherKey } from "../pipeline/pusher.js";
import { keepSnapshot } from "./refresh.js";

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
 * redelivery can retry it. Handlers that share an event name their `scope`, so that each
 * runs once rather than the first one alone.
 */
export async function oncePerDelivery(
  deps: Pick<AppDeps, "store">,
  context: EventContext,
  handle: () => Promise<void>,
  scope?: string,
): Promise<void> {
  const key = scope === undefined ? `delivery:${context.id}` : `delivery:${context.id}:${scope}`;
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
 * from the payload (kept for later events that lack it), or a loader for events whose
 * payload lacks it. With `settle`, the evaluation waits for the pull request's events to
 * stop arriving (deps.timing.settleMs), so a burst of them causes one evaluation.
 */
export async function evaluate(
  deps: AppDeps,
  trigger: Omit<Trigger, "pr">,
  number: number,
  pr: PullRequestSnapshot | (() => Promise<PullRequestSnapshot>),
  options: { settle?: boolean } = {},
): Promise<void> {
  const { repo } = trigger;
  const given = typeof pr === "function" ? pr : await keepSnapshot(deps, repo, pr);
  const settleMs = options.settle ? deps.timing.settleMs : 0;
  const key = `${repo.owner}/${repo.repo}#${number}`.toLowerCase();
  await deps.queue.run(
    key,
    async () => {
      const snapshot = typeof given === "function" ? await given() : given;
      if (snapshot.state !== "open" && !(await awaitedByDeployment(deps, repo, snapshot))) return;
      await runPullRequestPipeline(deps, { ...trigger, pr: snapshot });
    },
    // Limited: a pull request's evaluation never waits on another's (see RunOptions).
    { settleMs, limited: true },
  );
}

/**
 * A closed pull request is judged again only while a held deployment waits on its check
 * (holds name merged pull requests only): a late approval or tick can still turn it
 * compliant. Otherwise its check stays the verdict it was merged under, at no request.
 */
async function awaitedByDeployment(
  deps: AppDeps,
  repo: RepoRef,
  pr: PullRequestSnapshot,
): Promise<boolean> {
  return (await new HoldRegistry(deps.store).forPull(repo, pr.number)).length > 0;
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
