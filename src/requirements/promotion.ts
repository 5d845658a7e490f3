// An implicit requirement, promotion: an environment with `after` takes only commits that were deployed successfully
// to that environment first, and (with `soak`) ran there long enough.
import type { DeploymentFacts, PriorDeployment } from "../facts/deployment.js";
import { formatDuration, parseDuration } from "../model/time/duration.js";
import type { KindOutcome } from "./kind.js";

/** The promotion step of one environment, as the policy writes it. */
export interface PromotionSpec {
  after: string;
  soak?: string;
}

/** A deployment counts once it succeeded and was not followed by a failure (inactive = superseded). */
const counts = (d: PriorDeployment): boolean =>
  d.succeededAt !== undefined && (d.state === "success" || d.state === "inactive");

const inFlight = (d: PriorDeployment): boolean =>
  d.state === "pending" || d.state === "queued" || d.state === "in_progress";

export function evaluatePromotion(
  spec: PromotionSpec,
  facts: DeploymentFacts,
  now: Date,
): KindOutcome {
  const short = facts.sha.slice(0, 7);
  const prior = facts.prior;
  if (!prior || prior.environment.toLowerCase() !== spec.after.toLowerCase()) {
    return {
      status: "error",
      reason: `the deployments to ${spec.after} could not be read`,
      fix: "Re-run the deployment; the facts it needs could not be gathered",
      details: [],
    };
  }
  const details = prior.deployments.map(
    (d) =>
      `deployment ${d.id} to ${spec.after}: ${d.state}${d.succeededAt ? ` (succeeded ${d.succeededAt})` : ""}`,
  );
  const soakMs = spec.soak === undefined ? 0 : parseDuration(spec.soak);
  // The earliest success gives the longest soak: a later redeploy of the same commit does
  // not restart the clock.
  const successes = prior.deployments
    .filter(counts)
    .map((d) => Date.parse(d.succeededAt ?? ""))
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b);
  const first = successes[0];
  if (first === undefined) {
    if (prior.deployments.some(inFlight)) {
      return {
        status: "pending",
        reason: `${short} is still being deployed to ${spec.after}`,
        fix: `Wait for the deployment to ${spec.after} to succeed`,
        details,
      };
    }
    return {
      status: "fail",
      reason: `${short} has not been deployed successfully to ${spec.after}`,
      fix: `Deploy ${short} to ${spec.after} first${spec.soak ? ` and let it run there for ${spec.soak}` : ""}, then re-run this deployment`,
      details,
    };
  }
  const ready = first + soakMs;
  if (ready <= now.getTime()) {
    const ran = formatDuration(now.getTime() - first);
    return {
      status: "pass",
      reason: `${short} has run in ${spec.after} for ${ran}${spec.soak ? ` (soak ${spec.soak})` : ""}`,
      details,
    };
  }
  // The reason names the end, not the time left, so it reads the same at every re-check
  // and an unchanged status comment is not posted again.
  const until = new Date(ready).toISOString().slice(0, 16).replace("T", " ");
  return {
    status: "pending",
    reason: `${short} must run in ${spec.after} for ${spec.soak ?? "0s"} after it succeeded there: until ${until} UTC`,
    fix: "Nothing to do: the deployment proceeds when the soak time ends",
    details,
    recheckAt: ready,
  };
}
