// Judges a pull request against the policy's pull-request gates. Pure: the facts and the
// clock come in, one result tree goes out.
import type { PullRequestFacts } from "../facts/types.js";
import type { Gate, Policy } from "../policy/schema.js";
import { changeTypeGate, selectChangeType } from "./change-type.js";
import { combineOutcomes, conclude, type Outcome } from "../model/outcome.js";
import { modeOf } from "./mode.js";
import { applicability, type ConditionContext } from "./conditions.js";
import { evaluateApprovals } from "./gates/approvals.js";
import { evaluateChecklist } from "./gates/checklist.js";
import { evaluateChecks } from "./gates/checks.js";
import { evaluateLabels } from "./gates/labels.js";
import { evaluatePattern } from "./gates/pattern.js";
import { pullRequestGates } from "./needs.js";
import type { Evaluation, GateResult } from "../model/result.js";

export function evaluatePullRequest(
  policy: Policy,
  facts: PullRequestFacts,
  now: Date,
): Evaluation {
  const changeType = selectChangeType(policy, facts.labels);
  const ctx: ConditionContext = { facts, changeType };
  const gates: GateResult[] = [];
  const unrouted = changeTypeGate(policy, changeType);
  if (unrouted) gates.push(unrouted);
  for (const [id, gate] of pullRequestGates(policy))
    gates.push(evaluateGate(id, gate, policy, ctx));
  return {
    conclusion: conclude(gates),
    changeType,
    gates,
    problems: [],
    evaluatedAt: now.toISOString(),
    ...modeOf(policy),
  };
}

function evaluateGate(id: string, gate: Gate, policy: Policy, ctx: ConditionContext): GateResult {
  const head = {
    id,
    stage: gate.stage,
    ...(gate.description ? { description: gate.description } : {}),
  };
  const applies = applicability(gate, ctx);
  if (applies.applies === false) return { ...head, status: "skipped", reason: applies.reason };
  if (applies.applies === "unknown") {
    return {
      ...head,
      status: "error",
      reason: applies.reason,
      fix: "Re-run the check; the facts it needs could not be gathered",
    };
  }
  const { status, reason, fix, details } = combineOutcomes(requirementOutcomes(gate, policy, ctx));
  return {
    ...head,
    status,
    reason,
    ...(fix ? { fix } : {}),
    ...(details.length > 0 ? { details } : {}),
  };
}

/** One outcome per requirement kind, in a fixed order so results read the same each time. */
function requirementOutcomes(gate: Gate, policy: Policy, { facts }: ConditionContext): Outcome[] {
  const r = gate.require;
  const outcomes: Outcome[] = [];
  if (r.pattern !== undefined) outcomes.push(evaluatePattern(r.pattern, facts));
  if (r.labels) outcomes.push(evaluateLabels(r.labels, facts));
  if (r.checks) outcomes.push(evaluateChecks(r.checks, facts));
  if (r.approvals) outcomes.push(evaluateApprovals(r.approvals, facts, policy.defaults));
  if (r.checklist) outcomes.push(evaluateChecklist(r.checklist, facts));
  if (outcomes.length > 0) return outcomes;
  // A gate that requires nothing would pass on no evidence: fail closed and say so.
  return [
    {
      status: "error",
      reason: "the gate requires nothing",
      fix: "Add a requirement under `require` in the policy file, or remove the gate",
      details: [],
    },
  ];
}
