// window: deployments proceed only inside the allow hours and outside every freeze. Outside,
// the deployment waits for the window to open (re-checked then) or is rejected, per `outside`.
import {
  DEFAULT_OUTSIDE,
  windowRequirementSchema,
  type WindowRequirement,
} from "../model/time/window-spec.js";
import { windowState, WindowSpecError } from "../model/time/window.js";
import { defineKind, wrongStage, type KindOutcome } from "./kind.js";

/** GitHub keeps a deployment waiting on a protection rule for at most 30 days. */
export const GITHUB_HOLD_LIMIT_MS = 30 * 24 * 60 * 60 * 1000;

export function evaluateWindow(spec: WindowRequirement, now: Date): KindOutcome {
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

export const window = defineKind({
  key: "window",
  stages: ["deployment"],
  schema: windowRequirementSchema,
  // Nothing but the clock changes a window: a held deployment is re-checked at `recheckAt`.
  events: [],
  evaluate: (spec, subject, ctx) =>
    subject.stage === "deployment" ? evaluateWindow(spec, ctx.now) : wrongStage("window", subject),
});
