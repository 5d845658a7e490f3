// The deployment's answer as a state machine kept in the store, so that every instance and a
// restarted process agree: no claim → answering (a lease) → answered (kept as long as GitHub
// keeps a deployment waiting). A claim that outlived its process lapses, so the deployment is
// answered, once, by a later re-check. Also here: the mark that makes the next decision read
// the pull requests again, and when a held deployment is looked at next.
import type { DeploymentRequest } from "../facts/deployment.js";
import { reEvaluationDelayMs } from "../github/back-off.js";
import { mayHaveApplied } from "../github/create.js";
import { statusOf } from "../github/errors.js";
import type { Store } from "../store/store.js";
import { HOLD_TTL_MS, holdKey, type Hold } from "./registry.js";

/** How long a decision holds its deployment while it answers GitHub. */
export const ANSWER_LEASE_MS = 2 * 60 * 1000;
const ANSWERED = "answered";

const decidedKey = (request: DeploymentRequest): string =>
  `deploy-decided:${holdKey(request)}:${request.deploymentId}`;
const unknownKey = (request: DeploymentRequest): string => `${decidedKey(request)}:unknown`;
const staleKey = (key: string): string => `deploy-stale:${key}`;

/** Where the deployment's answer stands. */
export async function answerState(
  store: Store,
  request: DeploymentRequest,
): Promise<"answered" | "answering" | null> {
  const decided = await store.get(decidedKey(request));
  if (decided === null) return null;
  return decided === ANSWERED ? "answered" : "answering";
}

/** Takes the lease to answer; false when another decision holds it or the answer was given. */
export function claimAnswer(store: Store, request: DeploymentRequest): Promise<boolean> {
  return store.claim(decidedKey(request), ANSWER_LEASE_MS);
}

export function markAnswered(store: Store, request: DeploymentRequest): Promise<void> {
  return store.set(decidedKey(request), ANSWERED, HOLD_TTL_MS);
}

/** Gives the lease back after a failed answer: the next decision answers again. */
export function dropClaim(store: Store, request: DeploymentRequest): Promise<void> {
  return store.delete(decidedKey(request));
}

/**
 * Whether the failed answer follows one whose outcome was never known. An answer is sent once
 * (no blind retry: it may have been applied before its reply was lost); such a failure is
 * marked, and when the answer given again is refused as invalid (GitHub takes one decision
 * per deployment), the first one got through.
 */
export async function answeredBefore(
  store: Store,
  request: DeploymentRequest,
  error: unknown,
): Promise<boolean> {
  if (mayHaveApplied(error)) {
    await store.set(unknownKey(request), "1", HOLD_TTL_MS);
    return false;
  }
  return statusOf(error) === 422 && (await store.get(unknownKey(request))) !== null;
}

/** The hold kept while the answer is given, re-checked once the answer's lease lapses. */
export function answeringHold(now: Date, request: DeploymentRequest, hold: Hold | null): Hold {
  const recheckAt = new Date(now.getTime() + ANSWER_LEASE_MS + 1000).toISOString();
  return {
    comments: 0,
    failures: 0,
    createdAt: now.toISOString(),
    ...hold,
    key: holdKey(request),
    request,
    recheckAt,
  };
}

/**
 * A pull request the hold's commit came through changed in a way the hold's copy does not
 * show (its labels): the next decision reads the pull requests again. A mark in the store,
 * not a flag on the queued work, because queued work for one key collapses into the latest.
 */
export async function markStale(store: Store, key: string): Promise<void> {
  await store.set(staleKey(key), "1", HOLD_TTL_MS);
}

export async function takeStaleMark(store: Store, key: string): Promise<boolean> {
  if ((await store.get(staleKey(key))) === null) return false;
  await store.delete(staleKey(key));
  return true;
}

/**
 * After the n-th transient failure in a row: the app's one back-off (10 units of
 * `baseMs`, doubling, at most 600), never sooner than GitHub asked.
 */
export function retryAt(now: Date, baseMs: number, failures: number, retryAfter?: number): string {
  const delay = reEvaluationDelayMs(baseMs, failures, retryAfter);
  return new Date(now.getTime() + delay).toISOString();
}

/**
 * When a deployment waiting on people is looked at again without an event: when its gates
 * say (a window opens, a soak ends), and at least every `intervalMs`, against GitHub's
 * record. One that waits on time alone is looked at when its time comes.
 */
export function nextLook(now: Date, intervalMs: number, due: string | undefined): string {
  const regular = now.getTime() + intervalMs;
  const at = due === undefined ? regular : Math.min(Date.parse(due), regular);
  return new Date(at).toISOString();
}
