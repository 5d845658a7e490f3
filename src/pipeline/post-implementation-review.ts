// After a successful deployment: one post-implementation-review issue per pull request whose
// change type asks for one (change_types.<name>.post_implementation_review) and whose commit
// the deployment brought, opened once (effects/review-issue.ts says how).
//
// Cost, in requests, for a deployment to the review environment: the range (see
// facts/deployed-range.ts), then per pull request that needs a review: 1 (list issues by
// label) + 1 (create the issue) + 1 (comment on the pull request). Any other environment, or
// a policy without reviews: none beyond the (cached) policy.
import type { Logger } from "pino";
import { selectChangeType } from "../evaluate/change-type.js";
import { readDeployedRange, type AssociatedPull } from "../facts/deployed-range.js";
import type { DeploymentApprovalFact } from "../facts/deployment.js";
import type { RepoRef } from "../facts/types.js";
import type { Octokit } from "../github/types.js";
import { readApprovals } from "../holds/approvals.js";
import { holdKey } from "../holds/registry.js";
import type { PolicyCache } from "../policy/cache.js";
import type { Policy } from "../policy/schema.js";
import {
  DEFAULT_REVIEW_CHECKLIST,
  DEFAULT_REVIEW_LABEL,
  renderReviewIssue,
  renderReviewLink,
} from "../report/review-issue.js";
import { openReviewIssue } from "../effects/review-issue.js";
import type { Store } from "../store/store.js";

export interface ReviewSpec {
  environment: string;
  checklist: readonly string[];
  labels: readonly string[];
  assignees: readonly string[];
}

/**
 * The change types that open a review on a successful deployment to `environment`, with
 * their settings; the environment defaults to the last one the policy lists (the end of the
 * promotion order).
 */
export function reviewSpecs(policy: Policy, environment: string): Map<string, ReviewSpec> {
  const last = Object.keys(policy.environments ?? {}).at(-1);
  const specs = new Map<string, ReviewSpec>();
  for (const [name, type] of Object.entries(policy.change_types ?? {})) {
    const review = type.post_implementation_review;
    if (review === undefined) continue;
    const settings = review === true ? {} : review;
    const target = settings.environment ?? last;
    if (target === undefined || target.toLowerCase() !== environment.toLowerCase()) continue;
    specs.set(name, {
      environment: target,
      checklist: settings.checklist ?? DEFAULT_REVIEW_CHECKLIST,
      labels: settings.labels ?? [DEFAULT_REVIEW_LABEL],
      assignees: settings.assignees ?? [],
    });
  }
  return specs;
}

export interface SucceededDeployment {
  repo: RepoRef;
  environment: string;
  deploymentId: number;
  sha: string;
  /** The workflow run that deployed, when Actions did: its approvals were recorded by run. */
  runId?: number;
  /** Where people read about the deployment (the run, the log). */
  url?: string;
}

export interface ReviewDeps {
  store: Store;
  policies: PolicyCache;
  now: () => Date;
}

/** Opens the reviews the deployment calls for; returns the issue numbers opened now. */
export async function openPostImplementationReviews(
  deps: ReviewDeps,
  trigger: { octokit: Octokit; log: Logger },
  deployed: SucceededDeployment,
): Promise<number[]> {
  const { octokit } = trigger;
  const loaded = await deps.policies.load(
    octokit,
    deployed.repo.owner,
    deployed.repo.repo,
    deployed.repo,
  );
  if (loaded.kind !== "valid") return [];
  const specs = reviewSpecs(loaded.policy, deployed.environment);
  if (specs.size === 0) return [];
  const { pulls } = await readDeployedRange(octokit, deployed);
  const approvals =
    deployed.runId === undefined
      ? []
      : await readApprovals(deps.store, holdKey({ ...deployed, runId: deployed.runId }));
  const opened: number[] = [];
  for (const pull of pulls) {
    const changeType = selectChangeType(loaded.policy, pull.labels);
    const spec = changeType === null ? undefined : specs.get(changeType);
    if (!spec || changeType === null) continue;
    const issue = await openOnce(deps, trigger, deployed, { pull, changeType, spec, approvals });
    if (issue !== null) opened.push(issue);
  }
  return opened;
}

interface ReviewFor {
  pull: AssociatedPull;
  changeType: string;
  spec: ReviewSpec;
  approvals: DeploymentApprovalFact[];
}

/** Renders the review of one pull request and opens it, once (effects/review-issue.ts). */
async function openOnce(
  deps: ReviewDeps,
  trigger: { octokit: Octokit; log: Logger },
  deployed: SucceededDeployment,
  review: ReviewFor,
): Promise<number | null> {
  const { pull, spec } = review;
  const issue = renderReviewIssue({
    changeType: review.changeType,
    pull,
    environment: spec.environment,
    deployment: {
      id: deployed.deploymentId,
      sha: deployed.sha,
      at: deps.now().toISOString(),
      ...(deployed.url ? { url: deployed.url } : {}),
    },
    approvals: review.approvals,
    checklist: spec.checklist,
  });
  return openReviewIssue({ ...trigger, store: deps.store }, deployed.repo, {
    pull: pull.number,
    issue,
    labels: spec.labels.length > 0 ? spec.labels : [DEFAULT_REVIEW_LABEL],
    assignees: spec.assignees,
    link: (number) => renderReviewLink(number, review.changeType, spec.environment),
  });
}
