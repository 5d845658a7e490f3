import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "pino";
import type { AppDeps } from "./deps.js";
import type { PullRequestSnapshot } from "../facts/pull-request.js";
import type { RepoRef } from "../facts/types.js";
import { visibilityOf } from "../facts/visibility.js";
import type { Octokit } from "../github/types.js";
import { HoldRegistry } from "../holds/registry.js";
import {
  runPullRequestPipeline,
  type PipelineResult,
  type Trigger,
} from "../pipeline/pull-request.js";
import { isTransient } from "../github/errors.js";
import { pusherKey } from "../pipeline/pusher.js";
import { dropRuns, keepSnapshot, keptOrFetched } from "../facts/invalidation.js";
import { isStoreUnavailable } from "../store/store.js";
import { handle } from "./timing.js";

/** The parts of a Probot context every handler uses. */
export interface EventContext {
  id: string;
  name: string;
  octokit: Octokit;
  log: Logger;
  /** Every event an App hears names its installation; the type allows it not to. */
  payload: { installation?: { id: number } | null };
}

/** What an evaluation of one of `repo`'s pull requests is triggered with, from an event. */
export function triggerOf(context: EventContext, repo: RepoRef): Omit<Trigger, "pr"> {
  const installationId = context.payload.installation?.id;
  return {
    octokit: context.octokit,
    log: context.log,
    repo,
    ...(installationId !== undefined ? { installationId } : {}),
  };
}

const DELIVERY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * While a delivery is being handled its claim is a lease: should the process die midway (a
 * crash, SIGKILL), the claim lapses and a redelivery (the app asks for one, see
 * src/deliveries/) is handled again instead of being ignored for a day.
 */
const HANDLING_LEASE_MS = 2 * 60 * 1000;
const HANDLED = "handled";

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
  const key = deliveryKey(context, scope);
  if (await claimDelivery(deps, context, key)) await finishDelivery(deps, context, key, handle);
}

/**
 * oncePerDelivery, answering first (deps.timing): the delivery is claimed before the webhook
 * is answered, and handled after. The claim is the store's first write for the delivery; if
 * the store is unavailable it throws, and GitHub gets a 500 rather than a 200 for an event
 * the app could not keep (its record then shows a failed delivery, which the app asks to
 * redeliver). Should the store go away later, while the event is handled, handle() tries
 * again once it is back.
 */
export async function handleOnce(
  deps: Pick<AppDeps, "store" | "timing">,
  context: EventContext,
  work: () => Promise<void>,
  scope?: string,
): Promise<void> {
  const key = deliveryKey(context, scope);
  if (!(await claimDelivery(deps, context, key))) return;
  await handle(deps.timing, context, () => finishDelivery(deps, context, key, work));
}

function deliveryKey(context: EventContext, scope: string | undefined): string {
  return scope === undefined ? `delivery:${context.id}` : `delivery:${context.id}:${scope}`;
}

async function claimDelivery(
  deps: Pick<AppDeps, "store">,
  context: EventContext,
  key: string,
): Promise<boolean> {
  if (await deps.store.claim(key, HANDLING_LEASE_MS)) return true;
  context.log.info({ delivery: context.id }, "delivery already handled: ignoring");
  return false;
}

/** Runs a claimed delivery's handler and records how it went. */
async function finishDelivery(
  deps: Pick<AppDeps, "store">,
  context: EventContext,
  key: string,
  handle: () => Promise<void>,
): Promise<void> {
  const outcome: DeliveryOutcome = { unjudged: false };
  try {
    await deliveryOutcome.run(outcome, handle);
  } catch (error) {
    // With the store away the claim cannot be released either: it stays, as a lease, while
    // the handler is tried again (handle()) or until it lapses.
    if (!isStoreUnavailable(error)) await deps.store.delete(key);
    throw error;
  }
  // A pull request it concerns could not be judged (its check says why): the delivery is
  // not handled, and a redelivery judges again.
  if (outcome.unjudged) {
    await deps.store.delete(key);
    context.log.info({ delivery: context.id }, "delivery not judged: a redelivery judges again");
    return;
  }
  await deps.store.set(key, HANDLED, DELIVERY_TTL_MS);
}

/** What became of the evaluations one delivery asked for. */
interface DeliveryOutcome {
  unjudged: boolean;
}

/**
 * Per delivery, across the awaits of its handler: an evaluation runs in the per-PR queue,
 * possibly as another delivery's coalesced run, so each requester records the outcome here.
 */
const deliveryOutcome = new AsyncLocalStorage<DeliveryOutcome>();

/** The evaluation failed to judge its pull request; its check says why. */
class Unjudged extends Error {
  constructor(readonly failure: unknown) {
    super("the pull request could not be judged", { cause: failure });
  }
}

export function repoRefOf(repository: {
  id?: number;
  name: string;
  owner: { login: string; type?: string | null };
  default_branch: string;
  visibility?: string | null;
  private?: boolean | null;
}): RepoRef {
  const type = repository.owner.type;
  const visibility = visibilityOf(repository);
  return {
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    ...(typeof repository.id === "number" ? { id: repository.id } : {}),
    ...(typeof type === "string" ? { organization: type === "Organization" } : {}),
    ...(visibility ? { visibility } : {}),
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
  const again = (): Promise<void> =>
    evaluate(deps, trigger, number, keptOrFetched(deps, trigger.octokit, repo, number));
  try {
    await deps.queue.run(
      key,
      async () => {
        const snapshot = typeof given === "function" ? await given() : given;
        if (snapshot.state !== "open" && !(await awaitedByDeployment(deps, repo, snapshot))) {
          await deps.pullWatch?.unwatch(repo, number);
          return;
        }
        let result: PipelineResult;
        try {
          result = await runPullRequestPipeline(deps, { ...trigger, pr: snapshot });
        } catch (error) {
          // Not even the check that says why was written. A create may have been applied
          // with its answer lost: the next evaluation reads the check runs, not its copy.
          await dropRuns(deps, repo, snapshot.head.sha);
          deps.reEvaluations.failed(key, error, again, trigger.log);
          throw error;
        }
        if (result.failure === undefined) {
          deps.reEvaluations.succeeded(key);
          await followChangeSystem(deps, trigger, number, result);
          return;
        }
        // A failure that may pass is tried again; one the app or installation must fix
        // (a 404, a missing permission) waits for the next event or a person.
        if (isTransient(result.failure)) {
          deps.reEvaluations.failed(key, result.failure, again, trigger.log);
        }
        throw new Unjudged(result.failure);
      },
      // Limited: a pull request's evaluation never waits on another's (see RunOptions).
      { settleMs, limited: true },
    );
  } catch (error) {
    if (!(error instanceof Unjudged)) throw error;
    const outcome = deliveryOutcome.getStore();
    if (outcome) outcome.unjudged = true;
  }
}

/**
 * A judged pull request still waiting on a change system is watched, so the sweep looks
 * again (the change systems send no webhook); one no longer waiting is not. Without its
 * installation (an event that names none) nothing can look later: events and `/recheck` do.
 */
async function followChangeSystem(
  deps: AppDeps,
  trigger: Omit<Trigger, "pr">,
  number: number,
  result: PipelineResult,
): Promise<void> {
  const watch = deps.pullWatch;
  if (!watch) return;
  if (result.waitsOnChangeSystem && trigger.installationId !== undefined) {
    await watch.watch(
      trigger.repo,
      number,
      trigger.installationId,
      deps.now(),
      result.changeSystemWaitUntil,
    );
  } else {
    await watch.unwatch(trigger.repo, number);
  }
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
