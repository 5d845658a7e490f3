// window: deployments proceed only inside the allow hours and outside every freeze. Outside,
// the deployment waits for the window to open (re-checked then) or is rejected, per `outside`.
import { DEFAULT_OUTSIDE, type WindowRequirement } from "../../model/time/window-spec.js";
import type { Outcome } from "../../model/outcome.js";
import { windowState, WindowSpecError } from "../../model/time/window.js";

/** GitHub keeps a deployment waiting on a protection rule for at most 30 days. */
export const GITHUB_HOLD_LIMIT_MS = 30 * 24 * 60 * 60 * 1000;

/** An outcome that may change by time alone: re-check at `recheckAt` (ms since the epoch). */
export interface TimedOutcome extends Outcome {
  recheckAt?: number;
}

export function evaluateWindow(spec: WindowRequirement, now: Date): TimedOutcome {
  let state;
  try {
    state = windowState(spec, now);
  } catch (error) {
    if (!(error instanceof WindowSpecError)) throw error;
    return {
      status: "error",
      reason: `the deployment window cannot be read: ${error.message}`,
      fix: "Correct the window in the policy file",
      details: [],
    };
  }
  if (state.open) return { status: "pass", reason: state.reason, details: [] };
  const outside = spec.outside ?? DEFAULT_OUTSIDE;
  const opensAt = state.opensAt?.getTime();
  if (opensAt === undefined || opensAt - now.getTime() > GITHUB_HOLD_LIMIT_MS) {
    return {
      status: "fail",
      reason: `${state.reason}; GitHub holds a deployment for at most 30 days`,
      fix: "Deploy again once the window is open, or deploy as an emergency change if the policy allows it",
      details: [],
    };
  }
  if (outside === "reject") {
    return {
      status: "fail",
      reason: state.reason,
      fix: "Re-run the deployment once the window is open, or deploy as an emergency change if the policy allows it",
      details: [],
    };
  }
  return {
    status: "pending",
    reason: state.reason,
    fix: "Nothing to do: the deployment is approved as soon as the window opens",
    details: [],
    recheckAt: opensAt,
  };
}
