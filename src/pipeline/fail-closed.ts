import type { Evaluation, PolicyProblem } from "../model/result.js";

/** The policy on the default branch is invalid: the check fails and lists each problem. */
export function invalidPolicyEvaluation(problems: PolicyProblem[], now: Date): Evaluation {
  return {
    conclusion: "failure",
    changeType: null,
    gates: [],
    problems,
    evaluatedAt: now.toISOString(),
  };
}

/** The facts could not be gathered: nothing passes, and the reason is shown. */
export function failedEvaluation(reason: string, now: Date): Evaluation {
  return {
    conclusion: "failure",
    changeType: null,
    gates: [
      {
        id: "release-policy",
        stage: "pull_request",
        status: "error",
        reason,
        fix: 'Press "Re-evaluate" on this check once GitHub is reachable again.',
      },
    ],
    problems: [],
    evaluatedAt: now.toISOString(),
  };
}
