// The change type (standard / normal / emergency, or whatever the policy names) comes from
// the pull request's labels.
import type { Policy } from "../policy/schema.js";
import type { GateResult } from "../model/result.js";
import { hasLabel } from "../model/labels.js";

export const CHANGE_TYPE_GATE_ID = "change-type";

/**
 * The first change type, in file order, with one of its labels on the pull request; else the
 * first one marked `default: true`; else null.
 */
export function selectChangeType(policy: Policy, labels: readonly string[]): string | null {
  const types = Object.entries(policy.change_types ?? {});
  const labelled = types.find(([, t]) => (t.labels ?? []).some((l) => hasLabel(labels, l)));
  if (labelled) return labelled[0];
  const fallback = types.find(([, t]) => t.default === true);
  return fallback ? fallback[0] : null;
}

/**
 * When the policy defines change types but none was chosen (no label matches and there is no
 * default), the change cannot be routed: a failing pseudo-gate says which labels to add.
 * Null when there is nothing to report.
 */
export function changeTypeGate(policy: Policy, changeType: string | null): GateResult | null {
  const types = Object.entries(policy.change_types ?? {});
  if (changeType !== null || types.length === 0) return null;
  const labels = types.flatMap(([, t]) => t.labels ?? []);
  return {
    id: CHANGE_TYPE_GATE_ID,
    stage: "pull_request",
    status: "fail",
    reason: "no label selects a change type, and the policy has no default change type",
    fix:
      labels.length > 0
        ? `Add one of the labels ${labels.map((l) => `\`${l}\``).join(", ")}`
        : "The policy's change types have no labels and none is the default: add labels or `default: true` to one of them",
    details: types.map(
      ([name, t]) =>
        `change type ${name}: ${(t.labels ?? []).length > 0 ? `labels ${(t.labels ?? []).join(", ")}` : "no labels"}`,
    ),
  };
}
