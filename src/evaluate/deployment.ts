// Judges a deployment against the policy's deployment gates for its environment, plus the
// promotion step the environment's `after` and `soak` define. Pure: facts and clock in, one
// result tree out, with the instant at which a waiting gate may open by time alone.
import type { DeployedPull, DeploymentFacts } from "../facts/deployment.js";
import { conclude } from "../model/outcome.js";
import type { Evaluation, GateResult } from "../model/result.js";
import type { Policy } from "../policy/schema.js";
import { evaluatePromotion, type PromotionSpec } from "../requirements/promotion.js";
import { selectChangeType } from "./change-type.js";
import { headOf, judgeGate, summarize, toResult, type JudgedGate } from "./gate.js";
import { modeOf } from "./mode.js";
import { deploymentGates } from "./stages.js";
import { sameName } from "../model/names.js";

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

/** The environment's promotion step, when the policy gives it an `after`. */
export function promotionOf(policy: Policy, environment: string): PromotionSpec | undefined {
  const entry = Object.entries(policy.environments ?? {}).find(([name]) =>
    sameName(name, environment),
  );
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

/**
 * `release` is the verdict of the release whose tagged commit is deployed (evaluate/release.ts
 * `releaseGateResult`): one more gate, its own gates as children. Null when the commit is no
 * release's.
 */
export function evaluateDeployment(
  policy: Policy,
  facts: DeploymentFacts,
  now: Date,
  release: GateResult | null = null,
): DeploymentEvaluation {
  const pull = primaryPull(facts);
  // A direct push has no labels: it takes the default change type.
  const labels = pull?.labels ?? [];
  const changeType = selectChangeType(policy, labels);
  const ctx = { now, defaults: policy.defaults, directChangeType: selectChangeType(policy, []) };
  const conditions = { of: "deployment" as const, labels, changeType };
  const judged: JudgedGate[] = [];
  const promotion = promotionOf(policy, facts.environment);
  if (promotion) judged.push(promotionGate(promotion, facts, now));
  for (const [id, gate] of deploymentGates(policy, facts.environment)) {
    judged.push(judgeGate(id, gate, { stage: "deployment", facts }, conditions, ctx));
  }
  if (release) judged.push({ result: release, signOffs: [] });
  const gates = judged.map((j) => j.result);
  const conclusion = conclude(gates);
  const { recheckAt, awaitsEvent, signOffs } = summarize(judged);
  return {
    conclusion,
    changeType,
    gates,
    problems: [],
    evaluatedAt: now.toISOString(),
    ...modeOf(policy),
    environment: facts.environment,
    ...(pull ? { pull: { number: pull.number, url: pull.url } } : {}),
    ...(signOffs.length > 0 ? { signOffs } : {}),
    ...(conclusion === "pending" && recheckAt !== undefined ? { recheckAt } : {}),
    ...(conclusion === "pending" && awaitsEvent ? { awaitsEvent } : {}),
  };
}

function promotionGate(spec: PromotionSpec, facts: DeploymentFacts, now: Date): JudgedGate {
  const outcome = evaluatePromotion(spec, facts, now);
  const soak = spec.soak ? `, soak ${spec.soak}` : "";
  const head = headOf(PROMOTION_GATE_ID, "deployment", `promotion from ${spec.after}${soak}`);
  return {
    result: toResult(head, outcome),
    ...(outcome.status === "pending" && outcome.recheckAt !== undefined
      ? { recheckAt: outcome.recheckAt }
      : {}),
    signOffs: [],
  };
}
