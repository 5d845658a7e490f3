// Judges a pull request against the policy's pull-request gates. Pure: the facts and the
// clock come in, one result tree goes out.
import type { PullRequestFacts } from "../facts/types.js";
import { conclude } from "../model/outcome.js";
import type { Evaluation, GateResult } from "../model/result.js";
import type { Policy } from "../policy/schema.js";
import { changeTypeGate, selectChangeType } from "./change-type.js";
import { judgeGate } from "./gate.js";
import { modeOf } from "./mode.js";
import { gatesOf } from "./stages.js";

export function evaluatePullRequest(
  policy: Policy,
  facts: PullRequestFacts,
  now: Date,
): Evaluation {
  const changeType = selectChangeType(policy, facts.labels);
  const ctx = { now, defaults: policy.defaults, directChangeType: selectChangeType(policy, []) };
  const gates: GateResult[] = [];
  const unrouted = changeTypeGate(policy, changeType);
  if (unrouted) gates.push(unrouted);
  for (const [id, gate] of gatesOf(policy, "pull_request")) {
    const conditions = { of: "pull_request" as const, facts, changeType };
    gates.push(judgeGate(id, gate, { stage: "pull_request", facts }, conditions, ctx).result);
  }
  return {
    conclusion: conclude(gates),
    changeType,
    gates,
    problems: [],
    evaluatedAt: now.toISOString(),
    ...modeOf(policy),
  };
}
