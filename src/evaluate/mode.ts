import type { Policy } from "../policy/schema.js";

/** Marks an evaluation under an advisory policy; an enforcing one (the default) says nothing. */
export function modeOf(policy: Policy): { advisory?: true } {
  return policy.mode === "advisory" ? { advisory: true } : {};
}
