// Events that may move a deployment decision, noted in the store so that none is lost to a
// race. A decision reads its facts, then stores its hold; an event (a review, a sign-off, a
// relabel, a check change, a deployment status) that lands in between finds no hold yet and
// would be forgotten. So every such event first notes a trigger under the scopes it concerns
// (the run, a pull request, a commit), then looks for holds; and every decision, after
// storing its hold, looks for triggers noted since it began reading. Of two such writers each
// reads after it wrote, so at least one of them sees the other: either the event finds the
// hold and re-decides it, or the decision finds the trigger and decides again.
//
// In the store rather than in memory, because the event and the decision may be handled by
// two instances sharing one Redis.
import { randomUUID } from "node:crypto";
import type { DeploymentRequest } from "../facts/deployment.js";
import type { RepoRef } from "../facts/types.js";
import type { Store } from "../store/store.js";
import { holdKey } from "./registry.js";

/** A trigger matters for this long: decisions take seconds, a delivery at most 10 s. */
const TRIGGER_TTL_MS = 10 * 60 * 1000;
/**
 * Instances' clocks may differ a little: a trigger noted up to this long before a decision
 * began, in a scope it could not watch from the start, still makes it look again.
 */
export const CLOCK_SKEW_MS = 1000;

export const runScope = (request: Pick<DeploymentRequest, "repo" | "runId" | "environment">) =>
  `run:${holdKey(request)}`;

export const pullScope = (repo: Pick<RepoRef, "owner" | "repo">, pull: number): string =>
  `pull:${repo.owner}/${repo.repo}#${pull}`.toLowerCase();

export const commitScope = (repo: Pick<RepoRef, "owner" | "repo">, sha: string): string =>
  `commit:${repo.owner}/${repo.repo}@${sha}`.toLowerCase();

/** Every scope whose triggers concern a decision on `request`, given its pull requests. */
export function scopesOf(request: DeploymentRequest, pulls: readonly number[]): string[] {
  return [
    runScope(request),
    commitScope(request.repo, request.sha),
    ...pulls.map((pull) => pullScope(request.repo, pull)),
  ];
}

/** The triggers in each scope when a decision began reading: scope → token (null: none). */
export interface TriggerSnapshot {
  at: Date;
  tokens: Record<string, string | null>;
}

interface Noted {
  token: string;
  /** ISO 8601, by the clock of the instance that noted it. */
  at: string;
}

const keyOf = (scope: string): string => `deploy-trigger:${scope}`;

export class DecisionTriggers {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  /** Notes an event in `scope`: a decision on it that is in flight will decide again. */
  async note(scope: string): Promise<void> {
    const noted: Noted = { token: randomUUID(), at: this.now().toISOString() };
    await this.store.set(keyOf(scope), JSON.stringify(noted), TRIGGER_TTL_MS);
  }

  /** The triggers in `scopes` now, taken before a decision reads its facts. */
  async snapshot(scopes: readonly string[]): Promise<TriggerSnapshot> {
    const at = this.now();
    const noted = await this.#read(scopes);
    return { at, tokens: Object.fromEntries(scopes.map((s, i) => [s, noted[i]?.token ?? null])) };
  }

  /**
   * The scopes among `scopes` with a trigger noted since `snapshot`. A scope the snapshot
   * covers compares tokens exactly; one it could not cover (a pull request the decision only
   * learnt of by reading) counts triggers noted since the snapshot was taken, by the clock.
   */
  async arrivedSince(snapshot: TriggerSnapshot, scopes: readonly string[]): Promise<string[]> {
    const noted = await this.#read(scopes);
    return scopes.filter((scope, i) => {
      const latest = noted[i] ?? null;
      if (scope in snapshot.tokens) return (latest?.token ?? null) !== snapshot.tokens[scope];
      return latest !== null && Date.parse(latest.at) >= snapshot.at.getTime() - CLOCK_SKEW_MS;
    });
  }

  async #read(scopes: readonly string[]): Promise<(Noted | null)[]> {
    const raw = await Promise.all(scopes.map((scope) => this.store.get(keyOf(scope))));
    return raw.map((text) => (text ? (JSON.parse(text) as Noted) : null));
  }
}
