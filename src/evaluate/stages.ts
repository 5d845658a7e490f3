// Which of the policy's gates are judged at each stage.
import type { Gate, Policy } from "../policy/schema.js";
import type { Stage } from "../requirements/kind.js";
import { sameName } from "../model/names.js";

/** The policy's gates of one stage, in file order. */
export function gatesOf(policy: Policy, stage: Stage): [string, Gate][] {
  return Object.entries(policy.gates ?? {}).filter(([, gate]) => gate.stage === stage);
}

/** Deployment gates guarding `environment` (every environment when a gate names none). */
export function deploymentGates(policy: Policy, environment: string): [string, Gate][] {
  return gatesOf(policy, "deployment").filter(
    ([, gate]) =>
      gate.environments === undefined || gate.environments.some((e) => sameName(e, environment)),
  );
}
