// Which change types reach which environments with no deployment gate at all. A gate's `when`
// and `unless` let a policy exempt a change type on purpose (emergencies skip the deployment
// window), but when every gate guarding an environment exempts the same change type, that
// kind of change deploys there unchecked. That is legal, and sometimes meant, so it is a
// warning for the author to confirm, never an error: the policy stays valid.
import type { PolicyProblem } from "../model/result.js";
import type { PolicyLocator } from "./problems.js";
import type { Condition, Gate, Policy } from "./schema.js";
import { sameName } from "../model/names.js";

/** Condition keys a deployment cannot be judged by: the app ignores them at deployment. */
const UNJUDGEABLE = ["base_branches", "paths", "draft"] as const;

/**
 * Whether the gate applies to every deployment of this change type, whatever the pull
 * request's labels (deployment conditions read its labels and change type only; see
 * evaluate/deployment.ts). Returns the reason it may not, or null when it always does.
 */
export function exemption(gate: Gate, changeType: string): string | null {
  const when = gate.when;
  if (when?.change_types && !when.change_types.includes(changeType)) {
    return `when: change_types ${when.change_types.join(", ")}`;
  }
  if (when?.labels) return `when: labels ${when.labels.join(", ")}`;
  const unless: Condition | undefined = gate.unless;
  if (!unless || UNJUDGEABLE.some((key) => unless[key] !== undefined)) return null;
  if (unless.change_types && !unless.change_types.includes(changeType)) return null;
  if (unless.change_types) return `unless: change_types ${unless.change_types.join(", ")}`;
  if (unless.labels) return `unless: labels ${unless.labels.join(", ")}`;
  return null;
}

/**
 * One warning per environment and change type that no deployment gate guarding the
 * environment always applies to. An environment no gate guards at all is left alone: nothing
 * there is meant to be checked (staging, say), and the protection rule approves it saying so.
 * A policy without change types has nothing to tell apart.
 */
export function ungatedWarnings(policy: Policy, at: PolicyLocator): PolicyProblem[] {
  const changeTypes = Object.keys(policy.change_types ?? {});
  if (changeTypes.length === 0) return [];
  const gates = Object.entries(policy.gates ?? {}).filter(([, g]) => g.stage === "deployment");
  const warnings: PolicyProblem[] = [];
  // The validator has every environment a gate names listed under `environments`.
  for (const environment of Object.keys(policy.environments ?? {})) {
    const guarding = gates.filter(
      ([, g]) =>
        g.environments === undefined || g.environments.some((e) => sameName(e, environment)),
    );
    if (guarding.length === 0) continue;
    for (const changeType of changeTypes) {
      const exempt = guarding.map(([id, gate]) => [id, exemption(gate, changeType)] as const);
      if (exempt.some(([, why]) => why === null)) continue;
      const list = exempt.map(([id, why]) => `${id} (${why})`).join(", ");
      warnings.push(
        at.problem(
          ["environments", environment],
          `"${changeType}" changes can reach ${environment} with no deployment gate: every gate guarding it can leave them out: ${list}. If that is not meant, give ${environment} a gate that always applies to them`,
          "key",
        ),
      );
    }
  }
  return warnings;
}
