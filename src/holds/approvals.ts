// Approvals given through GitHub's deployment review, remembered per run and environment:
// GitHub sends each approval once (deployment_review.approved) and offers no list of them
// for a custom rule to read back.
import type { DeploymentApprovalFact } from "../facts/deployment.js";
import type { Store } from "../store/store.js";
import { HOLD_TTL_MS } from "./registry.js";

const keyOf = (holdKey: string): string => `deploy-approvals:${holdKey}`;

export async function readApprovals(
  store: Store,
  holdKey: string,
): Promise<DeploymentApprovalFact[]> {
  const members = await store.members(keyOf(holdKey));
  return members.map((member) => JSON.parse(member) as DeploymentApprovalFact);
}

/**
 * Adds an approval; the same person approving twice is kept once (their first approval).
 * Claiming the person, then adding to a set, keeps approvals that arrive together, in one
 * process or several.
 */
export async function recordApproval(
  store: Store,
  holdKey: string,
  approval: DeploymentApprovalFact,
): Promise<DeploymentApprovalFact[]> {
  const person = `${keyOf(holdKey)}:${approval.user.toLowerCase()}`;
  if (await store.claim(person, HOLD_TTL_MS)) {
    await store.addToSet(keyOf(holdKey), JSON.stringify(approval), HOLD_TTL_MS);
  }
  return readApprovals(store, holdKey);
}

const actorsKey = (holdKey: string): string => `deploy-actors:${holdKey}`;

/**
 * Who started and re-ran the workflow run, as a deployment review's payload says: kept so
 * that judging the approval does not read the run again.
 */
export async function recordDeployers(
  store: Store,
  holdKey: string,
  logins: string[],
): Promise<void> {
  await store.set(actorsKey(holdKey), JSON.stringify(logins), HOLD_TTL_MS);
}

export async function readDeployers(store: Store, holdKey: string): Promise<string[] | undefined> {
  const raw = await store.get(actorsKey(holdKey));
  return raw === null ? undefined : (JSON.parse(raw) as string[]);
}
