// compliant_changes: the deployed commit reached its branch through merged pull requests whose
// release-policy check passed, so no unreviewed change reaches the environment. A commit no
// pull request brought (a direct push) passes only where the policy allows it.
import type { DeployedPull, DeploymentFacts } from "../../facts/deployment.js";
import type { Requirement } from "../../policy/schema.js";
import type { Outcome } from "../conclusion.js";

type CompliantChanges = NonNullable<Requirement["compliant_changes"]>;

function directPush(req: CompliantChanges, changeType: string | null, short: string): Outcome {
  const allow = req === true ? false : (req.allow_direct_push ?? false);
  const allowed =
    allow === true ||
    (typeof allow === "object" && changeType !== null && allow.change_types.includes(changeType));
  if (allowed) {
    return {
      status: "pass",
      reason: `${short} was pushed directly, which the policy allows${changeType ? ` for ${changeType} changes` : ""}`,
      details: [],
    };
  }
  return {
    status: "fail",
    reason: `no merged pull request brought ${short}: it was pushed directly${changeType ? ` (change type ${changeType})` : ""}`,
    fix: "Deploy a commit that reached its branch through a pull request that passed the release policy",
    details: [],
  };
}

function describe(pull: DeployedPull): string {
  if (pull.policyCheck === "missing") return `#${pull.number} has no release-policy check`;
  return `#${pull.number} was merged with release-policy ${pull.policyCheck}`;
}

export function evaluateCompliantChanges(
  req: CompliantChanges,
  facts: DeploymentFacts,
  changeType: string | null,
): Outcome {
  const short = facts.sha.slice(0, 7);
  if (facts.pulls.length === 0) return directPush(req, changeType, short);
  const details = facts.pulls.map(
    (p) => `#${p.number} (${p.url}): release-policy ${p.policyCheck}`,
  );
  const bad = facts.pulls.filter((p) => p.policyCheck !== "success");
  if (bad.length === 0) {
    const list = facts.pulls.map((p) => `#${p.number}`).join(", ");
    return {
      status: "pass",
      reason: `${short} came through ${list}, which passed the release policy`,
      details,
    };
  }
  return {
    status: "fail",
    reason: bad.map(describe).join("; "),
    fix: `Deploy a commit whose pull requests passed the release policy before merging (${bad.map((p) => `#${p.number}`).join(", ")} did not)`,
    details,
  };
}
