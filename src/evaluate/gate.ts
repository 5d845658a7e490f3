// The one gate evaluator, for every stage: does the gate apply (when / unless), then each
// requirement kind it gives, dispatched through the registry, combined into one result.
import { combineOutcomes } from "../model/outcome.js";
import { principalHandles, type Principals } from "../model/principals.js";
import type { GateResult } from "../model/result.js";
import type { Gate } from "../policy/schema.js";
import type { JudgeContext, KindOutcome, Subject } from "../requirements/kind.js";
import { orList } from "../model/words.js";
import { givenKinds, STAGE_KINDS } from "../requirements/registry.js";
import { applicability, type ConditionSubject } from "./conditions.js";

/** A gate's result, with what the stage's summary needs beside it. */
export interface JudgedGate {
  result: GateResult;
  /** Milliseconds since the epoch: when a pending gate may open by time alone. */
  recheckAt?: number;
  /** "<gate>: signed off: …" lines of the gate's deployment approvals. */
  signOffs: string[];
}

const NOUN: Record<Subject["stage"], string> = {
  pull_request: "pull request",
  release: "release",
  deployment: "deployment",
};

/**
 * Judges one gate. `conditions` is what its when/unless are judged on; null where the stage
 * has none (a release applies to every release).
 */
export function judgeGate(
  id: string,
  gate: Gate,
  subject: Subject,
  conditions: ConditionSubject | null,
  ctx: Omit<JudgeContext, "gateId">,
): JudgedGate {
  const head = headOf(id, gate.stage, gate.description);
  const applies = conditions ? applicability(gate, conditions) : { applies: true as const };
  if (applies.applies === false) {
    return { result: { ...head, status: "skipped", reason: applies.reason }, signOffs: [] };
  }
  if (applies.applies === "unknown") {
    const fix = "Re-run the check; the facts it needs could not be gathered";
    return { result: { ...head, status: "error", reason: applies.reason, fix }, signOffs: [] };
  }
  const judged = requirementOutcomes(gate, subject, { ...ctx, gateId: id });
  const outcomes = judged.map((j) => j.outcome);
  const times = outcomes.flatMap((o) =>
    o.status === "pending" && o.recheckAt !== undefined ? [o.recheckAt] : [],
  );
  const result = withMentions(toResult(head, combineOutcomes(outcomes)), askedOf(gate.require));
  // A gate of several kinds keeps each kind's own verdict as a child row.
  const children = judged.map(({ key, outcome }) => toResult(headOf(key, gate.stage), outcome));
  return {
    result: children.length > 1 ? { ...result, children } : result,
    // Every time-bound requirement must open before the gate can: the latest of them.
    ...(times.length > 0 ? { recheckAt: Math.max(...times) } : {}),
    signOffs: outcomes.flatMap((o) => (o.signOffs ? [`${id}: ${o.signOffs}`] : [])),
  };
}

function withMentions(result: GateResult, handles: string[]): GateResult {
  return handles.length > 0 ? { ...result, mentions: [...new Set(handles)] } : result;
}

/**
 * The people a gate's requirements ask to act, wherever they name them (`from`, `by`): the
 * only mentions its texts make on purpose. Read from the policy, never from the facts.
 */
export function askedOf(spec: unknown): string[] {
  if (Array.isArray(spec)) return spec.flatMap(askedOf);
  if (spec === null || typeof spec !== "object") return [];
  return Object.entries(spec).flatMap(([key, value]) =>
    (key === "from" || key === "by") && isPrincipals(value)
      ? principalHandles(value)
      : askedOf(value),
  );
}

function isPrincipals(value: unknown): value is Principals {
  if (value === null || typeof value !== "object") return false;
  const { users, teams } = value as { users?: unknown; teams?: unknown };
  const names = (list: unknown) =>
    list === undefined || (Array.isArray(list) && list.every((n) => typeof n === "string"));
  return names(users) && names(teams);
}

/** One outcome per kind the gate gives for its stage, in registry order. */
function requirementOutcomes(
  gate: Gate,
  subject: Subject,
  ctx: JudgeContext,
): { key: string; outcome: KindOutcome }[] {
  const own = STAGE_KINDS[subject.stage];
  const outcomes = givenKinds(gate.require)
    .filter(({ key }) => own.includes(key))
    .map(({ key, kind, spec }) => ({ key, outcome: kind.evaluate(spec, subject, ctx) }));
  if (outcomes.length > 0) return outcomes;
  // Nothing judged (none given, or only kinds of other stages, which the validator refuses):
  // a gate that requires nothing would pass on no evidence, so fail closed and say so.
  const nothing: KindOutcome = {
    status: "error",
    reason: `the gate requires nothing a ${NOUN[subject.stage]} can be judged by`,
    fix: `Give the gate ${orList(own)} under \`require\`, or remove it`,
    details: [],
  };
  return [{ key: "require", outcome: nothing }];
}

/** What names a gate's row, before it is judged. */
export type GateHead = Pick<GateResult, "id" | "stage" | "description">;

export function headOf(id: string, stage: string, description?: string): GateHead {
  return { id, stage, ...(description ? { description } : {}) };
}

/** A gate row from its head and the outcome that decides it. */
export function toResult(
  head: GateHead,
  outcome: { status: GateResult["status"]; reason: string; fix?: string; details: string[] },
): GateResult {
  return {
    id: head.id,
    stage: head.stage,
    ...(head.description ? { description: head.description } : {}),
    status: outcome.status,
    reason: outcome.reason,
    ...(outcome.fix ? { fix: outcome.fix } : {}),
    ...(outcome.details.length > 0 ? { details: outcome.details } : {}),
  };
}

/** What a stage's gates add up to beyond their rows. */
export interface GateSummary {
  /** ISO 8601: the earliest instant a pending gate may open by time alone. */
  recheckAt?: string;
  /** Some pending gate waits on something no clock tells (a person, a check). */
  awaitsEvent: boolean;
  signOffs: string[];
}

export function summarize(judged: readonly JudgedGate[]): GateSummary {
  const pending = judged.filter((j) => j.result.status === "pending");
  const times = pending.flatMap((j) => (j.recheckAt !== undefined ? [j.recheckAt] : []));
  // The earliest lets the comment move on as each time-bound gate opens.
  return {
    ...(times.length > 0 ? { recheckAt: new Date(Math.min(...times)).toISOString() } : {}),
    awaitsEvent: pending.some((j) => j.recheckAt === undefined),
    signOffs: judged.flatMap((j) => j.signOffs),
  };
}
