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
  const raw = await store.get(keyOf(holdKey));
  return raw ? (JSON.parse(raw) as DeploymentApprovalFact[]) : [];
}

/** Adds an approval; the same person approving twice is kept once (their first approval). */
export async function recordApproval(
  store: Store,
  holdKey: string,
  approval: DeploymentApprovalFact,
): Promise<DeploymentApprovalFact[]> {
  const known = await readApprovals(store, holdKey);
  if (known.some((a) => a.user.toLowerCase() === approval.user.toLowerCase())) return known;
  const all = [...known, approval];
  await store.set(keyOf(holdKey), JSON.stringify(all), HOLD_TTL_MS);
  return all;
}
