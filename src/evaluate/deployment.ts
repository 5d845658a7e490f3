// Judges a deployment against the policy's deployment gates for its environment, plus the
// promotion step the environment's `after` and `soak` define. Pure: facts and clock in, one
// result tree out, with the instant at which a waiting gate may open by time alone.
import type { DeployedPull, DeploymentFacts } from "../facts/deployment.js";
import type { Condition, Gate, Policy } from "../policy/schema.js";
import { hasLabel, selectChangeType } from "./change-type.js";
import { combineOutcomes, conclude } from "../model/outcome.js";
import { modeOf } from "./mode.js";
import { evaluateCompliantChanges } from "./gates/compliant-changes.js";
import { evaluateDeploymentApproval } from "./gates/deployment-approval.js";
import { evaluatePromotion, type PromotionSpec } from "./gates/promotion.js";
import { evaluateWindow, type TimedOutcome } from "./gates/window.js";
import type { Evaluation, GateResult } from "../model/result.js";

export const PROMOTION_GATE_ID = "promotion";

export interface DeploymentEvaluation extends Evaluation {
  environment: string;
  /** The pull request whose labels chose the change type, when one brought the commit. */
  pull?: { number: number; url: string };
  /** ISO 8601: when a waiting gate may open by time alone (a window opens, a soak ends). */
  recheckAt?: string;
  /**
   * A gate waits on something no clock tells: a person's approval, a pull request's check.
   * The app then looks at GitHub's record again from time to time, in case the event that
   * says so never arrives.
   */
  awaitsEvent?: boolean;
  /** Per deployment_approval gate that applies: who signed off, how, and what did not count. */
  signOffs?: string[];
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Deployment gates guarding `environment` (every environment when a gate names none). */
export function deploymentGates(policy: Policy, environment: string): [string, Gate][] {
  return Object.entries(policy.gates ?? {}).filter(
    ([, gate]) =>
      gate.stage === "deployment" &&
      (gate.environments === undefined || gate.environments.some((e) => same(e, environment))),
  );
}

/** The environment's promotion step, when the policy gives it an `after`. */
export function promotionOf(policy: Policy, environment: string): PromotionSpec | undefined {
  const entry = Object.entries(policy.environments ?? {}).find(([name]) => same(name, environment));
  const after = entry?.[1].after;
  if (after === undefined) return undefined;
  const soak = entry?.[1].soak;
  return soak === undefined ? { after } : { after, soak };
}

/**
 * The pull request that speaks for the deployment: among those that brought the deployed
 * commit itself (not the earlier commits of its range), the one whose merge produced it, else
 * the most recently merged one.
 */
export function primaryPull(facts: DeploymentFacts): DeployedPull | undefined {
  const head = facts.range?.commits.find((c) => c.sha === facts.sha);
  const own = head ? facts.pulls.filter((p) => head.pulls.includes(p.number)) : facts.pulls;
  return own.find((p) => p.mergeCommitSha === facts.sha) ?? own[0];
}

export function evaluateDeployment(
  policy: Policy,
  facts: DeploymentFacts,
  now: Date,
): DeploymentEvaluation {
  const pull = primaryPull(facts);
  const labels = pull?.labels ?? [];
  // A direct push has no labels: it takes the default change type.
  const changeType = selectChangeType(policy, labels);
  const ctx: DeploymentContext = { policy, facts, now, labels, changeType, signOffs: [] };
  const judged: { result: GateResult; recheckAt?: number }[] = [];
  const promotion = promotionOf(policy, facts.environment);
  if (promotion) judged.push(promotionGate(promotion, facts, now));
  for (const [id, gate] of deploymentGates(policy, facts.environment)) {
    judged.push(evaluateGate(id, gate, ctx));
  }
  const gates = judged.map((j) => j.result);
  const conclusion = conclude(gates);
  const times = judged.flatMap((j) =>
    j.result.status === "pending" && j.recheckAt !== undefined ? [j.recheckAt] : [],
  );
  // Every time-bound gate must open before the deployment can: re-check at the latest of
  // them would miss nothing, but the earliest lets the comment move on as each one opens.
  const recheckAt = times.length > 0 ? Math.min(...times) : undefined;
  const awaitsEvent = judged.some(
    (j) => j.result.status === "pending" && j.recheckAt === undefined,
  );
  return {
    conclusion,
    changeType,
    gates,
    problems: [],
    evaluatedAt: now.toISOString(),
    ...modeOf(policy),
    environment: facts.environment,
    ...(pull ? { pull: { number: pull.number, url: pull.url } } : {}),
    ...(ctx.signOffs.length > 0 ? { signOffs: ctx.signOffs } : {}),
    ...(conclusion === "pending" && recheckAt !== undefined
      ? { recheckAt: new Date(recheckAt).toISOString() }
      : {}),
    ...(conclusion === "pending" && awaitsEvent ? { awaitsEvent } : {}),
  };
}

interface DeploymentContext {
  policy: Policy;
  facts: DeploymentFacts;
  now: Date;
  labels: string[];
  changeType: string | null;
  /** Filled while gates are judged: "<gate>: signed off: …" lines. */
  signOffs: string[];
}

function promotionGate(
  spec: PromotionSpec,
  facts: DeploymentFacts,
  now: Date,
): { result: GateResult; recheckAt?: number } {
  const outcome = evaluatePromotion(spec, facts, now);
  return {
    result: toResult(
      PROMOTION_GATE_ID,
      "deployment",
      `promotion from ${spec.after}${spec.soak ? `, soak ${spec.soak}` : ""}`,
      outcome,
    ),
    ...(outcome.recheckAt !== undefined ? { recheckAt: outcome.recheckAt } : {}),
  };
}

function evaluateGate(
  id: string,
  gate: Gate,
  ctx: DeploymentContext,
): { result: GateResult; recheckAt?: number } {
  const skip = skipReason(gate, ctx);
  if (skip !== null) {
    return {
      result: {
        id,
        stage: gate.stage,
        ...(gate.description ? { description: gate.description } : {}),
        status: "skipped",
        reason: skip,
      },
    };
  }
  const outcomes = requirementOutcomes(id, gate, ctx);
  const combined = combineOutcomes(outcomes);
  const times = outcomes.flatMap((o) =>
    o.status === "pending" && o.recheckAt !== undefined ? [o.recheckAt] : [],
  );
  return {
    result: toResult(id, gate.stage, gate.description, combined),
    ...(times.length > 0 ? { recheckAt: Math.max(...times) } : {}),
  };
}

function toResult(
  id: string,
  stage: string,
  description: string | undefined,
  outcome: TimedOutcome,
): GateResult {
  return {
    id,
    stage,
    ...(description ? { description } : {}),
    status: outcome.status,
    reason: outcome.reason,
    ...(outcome.fix ? { fix: outcome.fix } : {}),
    ...(outcome.details.length > 0 ? { details: outcome.details } : {}),
  };
}

function requirementOutcomes(id: string, gate: Gate, ctx: DeploymentContext): TimedOutcome[] {
  const r = gate.require;
  const outcomes: TimedOutcome[] = [];
  if (r.compliant_changes !== undefined) {
    // A direct push has no labels: it is judged as the default change type.
    const directType = selectChangeType(ctx.policy, []);
    outcomes.push(evaluateCompliantChanges(r.compliant_changes, ctx.facts, directType));
  }
  if (r.window) outcomes.push(evaluateWindow(r.window, ctx.now));
  if (r.deployment_approval) {
    const { signOffs, ...outcome } = evaluateDeploymentApproval(r.deployment_approval, ctx.facts);
    if (signOffs) ctx.signOffs.push(`${id}: ${signOffs}`);
    outcomes.push(outcome);
  }
  if (outcomes.length > 0) return outcomes;
  // Nothing judged (none given, or only pull-request kinds the validator refuses): never a pass.
  return [
    {
      status: "error",
      reason: "the gate requires nothing a deployment can be judged by",
      fix: "Give the gate window, deployment_approval or compliant_changes under `require`, or remove it",
      details: [],
    },
  ];
}

/**
 * Why the gate does not apply, or null when it does. Deployment conditions read the labels
 * and change type of the pull request that brought the commit; every key given must match.
 * Keys a deployment cannot be judged by (the validator refuses them) always leave the gate
 * applying: they neither satisfy a `when` nor trigger an `unless`.
 */
function skipReason(gate: Gate, ctx: DeploymentContext): string | null {
  if (gate.when) {
    const miss = firstMismatch(gate.when, ctx);
    if (miss) return `applies only to ${miss}`;
  }
  const unless = gate.unless;
  if (unless && describeCondition(unless) !== "" && !firstMismatch(unless, ctx)) {
    if (UNJUDGEABLE.some((key) => unless[key] !== undefined)) return null;
    return `does not apply to ${describeCondition(unless)}; this change is ${ctx.changeType ?? "of no change type"}`;
  }
  return null;
}

const UNJUDGEABLE = ["base_branches", "paths", "draft"] as const;

/** The first judgeable key of the condition that does not match, described; null when none. */
function firstMismatch(cond: Condition, ctx: DeploymentContext): string | null {
  if (cond.change_types && !(ctx.changeType && cond.change_types.includes(ctx.changeType))) {
    return `change types ${cond.change_types.join(", ")}; this change is ${ctx.changeType ?? "of no change type"}`;
  }
  if (cond.labels && !cond.labels.some((l) => hasLabel(ctx.labels, l))) {
    return `changes labelled ${cond.labels.join(", ")}; the pull request that brought this commit has none of them`;
  }
  return null;
}

function describeCondition(cond: Condition): string {
  const parts: string[] = [];
  if (cond.change_types) parts.push(`change types ${cond.change_types.join(", ")}`);
  if (cond.labels) parts.push(`changes labelled ${cond.labels.join(", ")}`);
  return parts.join(" and ");
}
