// deployment_approval: N approvals of this deployment, given through GitHub's deployment
// review, by listed users or team members, with segregation of duties: whoever wrote the
// change or started the deployment cannot approve it.
import type { DeploymentApprovalFact, DeploymentFacts } from "../facts/deployment.js";
import { LISTED_COMMITS_LIMIT } from "../facts/committers.js";
import type { UnlinkedCommitter } from "../facts/types.js";
import { z } from "zod";
import type { Outcome } from "../model/outcome.js";
import { describePrincipals, isEligible } from "./eligibility.js";
import { describeUnlinked } from "./approvals.js";
import { defineKind, wrongStage } from "./kind.js";
import { checkPrincipals, checkReachableCount, peopleCountSchema } from "./principals.js";
import { sameName } from "../model/names.js";

const deploymentExclusionSchema = z.enum(["author", "committers", "deployer"]);
export type DeploymentExclusion = z.infer<typeof deploymentExclusionSchema>;

export const deploymentApprovalSchema = peopleCountSchema({
  max: 6,
  count: "How many distinct approvals are needed.",
  from: "Whose approval counts: listed users and members of listed teams.",
  exclude: deploymentExclusionSchema,
  excludeText:
    "Whose approval never counts: the author of the pull request that brought the commit, the commits' authors and committers, whoever started or re-ran the workflow (deployer). Default: all three.",
  text: "N approvals of the deployment, given through GitHub's deployment review (Review deployments → Approve), by eligible users or team members.",
});

type DeploymentApproval = z.infer<typeof deploymentApprovalSchema>;

export const DEFAULT_DEPLOYMENT_EXCLUDE: readonly DeploymentExclusion[] = [
  "author",
  "committers",
  "deployer",
];

type Verdict =
  | { kind: "counted"; via: string }
  | { kind: "excluded"; why: string }
  | { kind: "ineligible" }
  | { kind: "unknown"; missing: string };

/** Why `login` may not approve (segregation of duties), "unknown" when a fact is missing, or null. */
function exclusionOf(
  login: string,
  exclude: readonly DeploymentExclusion[],
  facts: DeploymentFacts,
): string | { missing: string } | null {
  if (exclude.includes("author") && facts.pulls.some((p) => sameName(p.author, login))) {
    return "authored the pull request";
  }
  if (exclude.includes("committers")) {
    for (const pull of facts.pulls) {
      if (pull.committers === undefined) return { missing: `the committers of #${pull.number}` };
      if (pull.committers.some((c) => sameName(c, login))) return `committed to #${pull.number}`;
    }
  }
  if (exclude.includes("deployer")) {
    if (facts.deployers === undefined) return { missing: "who started the workflow run" };
    if (facts.deployers.some((d) => sameName(d, login))) return "started this deployment";
  }
  return null;
}

function judge(
  login: string,
  req: DeploymentApproval,
  exclude: readonly DeploymentExclusion[],
  facts: DeploymentFacts,
): Verdict {
  const excluded = exclusionOf(login, exclude, facts);
  if (typeof excluded === "string") return { kind: "excluded", why: excluded };
  if (excluded) return { kind: "unknown", missing: excluded.missing };
  const eligibility = isEligible(req.from, login, facts);
  if (eligibility.kind === "eligible") return { kind: "counted", via: eligibility.via };
  return eligibility.kind === "unknown"
    ? { kind: "unknown", missing: eligibility.missing.join(" and ") }
    : { kind: "ineligible" };
}

/** How a sign-off was given, in words. */
const how = (approval: DeploymentApprovalFact): string =>
  approval.via === "comment" ? "by comment" : "by deployment review";

/** The outcome, plus one line naming every sign-off and whether it counts, for the comment. */
export interface DeploymentApprovalOutcome extends Outcome {
  signOffs: string;
}

/** What the committers of the deployed pull requests cannot show, when committers are excluded. */
function committerGapsOf(
  exclude: readonly DeploymentExclusion[],
  facts: DeploymentFacts,
): { unlinked: UnlinkedCommitter[]; truncated: number[] } {
  if (!exclude.includes("committers")) return { unlinked: [], truncated: [] };
  const unlinked = new Map<string, UnlinkedCommitter>();
  for (const pull of facts.pulls)
    for (const u of pull.committerGaps?.unlinked ?? [])
      if (!unlinked.has(u.identity.toLowerCase())) unlinked.set(u.identity.toLowerCase(), u);
  const truncated = facts.pulls.filter((p) => p.committerGaps?.truncated === true);
  return { unlinked: [...unlinked.values()], truncated: truncated.map((p) => p.number) };
}

/**
 * GitHub lists only a pull request's first 250 commits: who committed the rest is unknown,
 * so no approval can be shown to come from someone who did not commit.
 */
function truncatedOutcome(
  progress: string,
  numbers: readonly number[],
  details: string[],
  signOffs: string,
): DeploymentApprovalOutcome {
  const pulls = numbers.map((n) => `#${n}`).join(", ");
  return {
    status: "fail",
    reason: `${progress}; ${pulls} ${numbers.length > 1 ? "have" : "has"} ${LISTED_COMMITS_LIMIT} commits or more and GitHub lists only the first ${LISTED_COMMITS_LIMIT}, so who committed the rest cannot be known and committers cannot be excluded`,
    fix: `Ship the change as pull requests of fewer than ${LISTED_COMMITS_LIMIT} commits each`,
    details,
    signOffs,
  };
}

/**
 * Counts distinct eligible approvals. Sign-offs by comment count only beyond one given
 * through GitHub's deployment review: the review is GitHub's own record of the approval, and
 * comments add further sign-offs where more than one is needed.
 */
export function evaluateDeploymentApproval(
  req: DeploymentApproval,
  facts: DeploymentFacts,
): DeploymentApprovalOutcome {
  const exclude = req.exclude ?? DEFAULT_DEPLOYMENT_EXCLUDE;
  const who = describePrincipals(req.from);
  const seen = new Set<string>();
  const counted: DeploymentApprovalFact[] = [];
  const unknown: string[] = [];
  const details: string[] = [];
  const notCounted: string[] = [];
  for (const approval of facts.approvals) {
    const key = approval.user.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const name = `@${approval.user}`;
    const verdict = judge(approval.user, req, exclude, facts);
    if (verdict.kind === "counted") {
      counted.push(approval);
      details.push(`${name} approved ${how(approval)} (${verdict.via})`);
    } else if (verdict.kind === "excluded") {
      notCounted.push(`${name} ${how(approval)} (${verdict.why})`);
      details.push(
        `${name} ${verdict.why}: segregation of duties, the approval ${how(approval)} does not count`,
      );
    } else if (verdict.kind === "unknown") {
      unknown.push(name);
      notCounted.push(`${name} ${how(approval)} (${verdict.missing} unknown)`);
      details.push(
        `${name} approved ${how(approval)}; cannot tell whether it counts: ${verdict.missing} unknown`,
      );
    } else {
      notCounted.push(`${name} ${how(approval)} (not ${who})`);
      details.push(`${name} approved ${how(approval)}, but only ${who} count`);
    }
  }
  const reviews = counted.filter((a) => a.via !== "comment").length;
  // Comments count only once a review anchors them.
  const total = reviews > 0 ? counted.length : 0;
  const signOffs = [
    ...(counted.length > 0
      ? [`signed off: ${counted.map((a) => `@${a.user} ${how(a)}`).join(", ")}`]
      : []),
    ...(notCounted.length > 0 ? [`not counted: ${notCounted.join(", ")}`] : []),
  ].join("; ");
  const progress = `${total} of ${req.count} deployment approval${req.count > 1 ? "s" : ""} from ${who}`;
  const gaps = committerGapsOf(exclude, facts);
  if (gaps.truncated.length > 0)
    return truncatedOutcome(progress, gaps.truncated, details, signOffs);
  const unlinked = gaps.unlinked;
  if (unlinked.length > 0)
    details.push(
      `commits by git identities with no linked GitHub account: ${describeUnlinked(unlinked)}`,
    );
  if (total - unlinked.length >= req.count) {
    return { status: "pass", reason: progress, details, signOffs };
  }
  if (unknown.length > 0) {
    return {
      status: "error",
      reason: `${progress}; some approvals cannot be judged`,
      fix: "Facts needed to judge the approvals are missing (team members or the run's actors); make sure the app can read team membership and workflow runs",
      details,
      signOffs,
    };
  }
  const more = req.count + unlinked.length - total;
  const viaComment =
    req.count > 1 ? `, or comment "/approve ${facts.environment}" on the pull request` : "";
  return {
    status: "pending",
    reason:
      counted.length > 0 && reviews === 0
        ? `${progress}: sign-offs by comment count once one approval is given through Review deployments`
        : unlinked.length > 0
          ? `${progress}, but commits by git identities with no linked GitHub account (${describeUnlinked(unlinked)}) may be any approver's: each such identity takes one more approval`
          : progress,
    fix: `${who} must approve: Review deployments → Approve${reviews > 0 ? viaComment : ""} (${more} more; the change's author, committers and whoever started the run do not count)`,
    details,
    signOffs,
  };
}

export const deploymentApproval = defineKind({
  key: "deployment_approval",
  stages: ["deployment"],
  schema: deploymentApprovalSchema,
  events: ["deployment_review.approved", "deployment_review.rejected", "issue_comment.created"],
  check(spec, path, at) {
    checkPrincipals(at, [...path, "from"], spec.from);
    checkReachableCount(at, path, spec.count, spec.from, "approvals");
  },
  needs(spec) {
    const exclude = spec.exclude ?? DEFAULT_DEPLOYMENT_EXCLUDE;
    return {
      teams: spec.from.teams ?? [],
      committers: exclude.includes("committers"),
      deployers: exclude.includes("deployer"),
    };
  },
  evaluate: (spec, subject) =>
    subject.stage === "deployment"
      ? evaluateDeploymentApproval(spec, subject.facts)
      : wrongStage("deployment_approval", subject),
});
