// Who hears of a deployment decision once it is given: the release desk, notifications, the
// change-record work note. Listeners run after GitHub has the answer (or the hold is stored),
// one after another; a listener that fails is logged and never undoes or delays the decision
// beyond its own run. Each listener keeps its own idempotence (a store claim), since a
// re-check may tell it of the same waiting deployment many times.
import type { Logger } from "pino";
import type { Decision } from "../evaluate/decision.js";
import type { DeploymentFacts, DeploymentRequest } from "../facts/deployment.js";
import type { GateResult } from "../model/result.js";
import type { Policy } from "../policy/schema.js";

export interface DeploymentDecided {
  request: DeploymentRequest;
  decision: Decision;
  /** The environment's gates as judged; [] when the deployment could not be judged. */
  gates: readonly GateResult[];
  /** ISO 8601: when this decision was made. */
  at: string;
  /** ISO 8601: when the deployment was first held (waiting decisions, and answers after one). */
  heldSince?: string;
  /** ISO 8601: when a waiting deployment is next looked at without an event. */
  recheckAt?: string;
  /** The facts judged; absent for a notice (no policy, invalid policy) or a failed read. */
  facts?: DeploymentFacts;
  /** The policy judged by; absent when there was none to judge by. */
  policy?: Policy;
  /** Approved under an advisory policy, whatever the gates said. */
  advisory?: boolean;
  /** A reviewer rejected the deployment in GitHub's own review. */
  rejectedBy?: string;
  /** A transient failure keeps the deployment waiting; it is not waiting on a gate. */
  transient?: boolean;
}

export type DeploymentListener = (decided: DeploymentDecided, log: Logger) => Promise<void>;

/** Tells every listener, in order; failures are logged, never thrown. */
export async function tellListeners(
  listeners: readonly DeploymentListener[] | undefined,
  decided: DeploymentDecided,
  log: Logger,
): Promise<void> {
  for (const listener of listeners ?? []) {
    try {
      await listener(decided, log);
    } catch (error) {
      log.warn(
        { err: error, deployment: decided.request.deploymentId, decision: decided.decision },
        "a listener of deployment decisions failed",
      );
    }
  }
}
