// What the protection rule answers for a judged deployment. A decision, not a rendering: the
// pipeline acts on it, and report/ only words it.
import type { DeploymentEvaluation } from "./deployment.js";

export type Decision = "approved" | "rejected" | "waiting";

/**
 * The decision an evaluation leads to: never an approval over a failing or waiting gate,
 * unless the policy is advisory, where every judged deployment is approved and the comment
 * says what enforcing would have decided (enforcedDecision).
 */
export function decisionOf(evaluation: DeploymentEvaluation): Decision {
  return evaluation.advisory ? "approved" : enforcedDecision(evaluation);
}

/** The decision under `mode: enforce`. */
export function enforcedDecision(evaluation: DeploymentEvaluation): Decision {
  if (evaluation.conclusion === "failure") return "rejected";
  return evaluation.conclusion === "pending" ? "waiting" : "approved";
}
