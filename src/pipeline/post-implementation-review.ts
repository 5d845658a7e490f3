// After a successful deployment: one post-implementation-review issue per pull request whose
// change type asks for one (change_types.<name>.post_implementation_review) and whose commit
// the deployment brought, opened once. A store claim stops concurrent and redelivered events;
// the issue's hidden marker, found by listing the issues with the review label, stops a second
// issue after a restart with an empty store or for a later redeploy of the same commit.
//
// Cost, in requests, for a deployment to the review environment: the range (see
// facts/deployed-range.ts), then per pull request that needs a review: 1 (list issues by
// label) + 1 (create the issue) + 1 (comment on the pull request). Any other environment, or
// a policy without reviews: none beyond the (cached) policy.
import { SEND_ONCE } from "../github/create.js";
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
  reviewMarker,
} from "../report/review-issue.js";
import type { Store } from "../store/store.js";

/** A review opened is remembered this long; the marker covers any time after. */
const REVIEW_CLAIM_TTL_MS = 90 * 24 * 60 * 60 * 1000;

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

async function openOnce(
  deps: ReviewDeps,
  trigger: { octokit: Octokit; log: Logger },
  deployed: SucceededDeployment,
  review: ReviewFor,
): Promise<number | null> {
  const { octokit, log } = trigger;
  const { repo } = deployed;
  const { pull, spec } = review;
  const claim = `pir:${repo.owner}/${repo.repo}#${pull.number}`.toLowerCase();
  if (!(await deps.store.claim(claim, REVIEW_CLAIM_TTL_MS))) return null;
  let number: number;
  try {
    if (await findReviewIssue(octokit, repo, spec.labels[0] ?? DEFAULT_REVIEW_LABEL, pull.number)) {
      return null;
    }
    const { title, body } = renderReviewIssue({
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
    const { data } = await octokit.rest.issues.create({
      owner: repo.owner,
      repo: repo.repo,
      title,
      body,
      labels: [...spec.labels],
      ...(spec.assignees.length > 0 ? { assignees: [...spec.assignees] } : {}),
      // Sent once (github/create.ts): a retry finds the issue by its marker first (above).
      ...SEND_ONCE,
    });
    number = data.number;
  } catch (error) {
    await deps.store.delete(claim);
    throw error;
  }
  try {
    await octokit.rest.issues.createComment({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: pull.number,
      body: renderReviewLink(number, review.changeType, spec.environment),
      ...SEND_ONCE,
    });
  } catch (error) {
    // The issue names the pull request, which GitHub shows on the pull request's timeline.
    log.warn({ err: error, pr: pull.number, issue: number }, "could not link the review issue");
  }
  log.info(
    { event: "post-implementation-review", pr: pull.number, issue: number },
    "post-implementation review opened",
  );
  return number;
}

/** Whether the app opened a review for the pull request before (the newest 100 labelled issues). */
async function findReviewIssue(
  octokit: Octokit,
  repo: RepoRef,
  label: string,
  pull: number,
): Promise<boolean> {
  const { data } = await octokit.rest.issues.listForRepo({
    owner: repo.owner,
    repo: repo.repo,
    labels: label,
    state: "all",
    per_page: 100,
  });
  const marker = reviewMarker(pull);
  return data.some((issue) => (issue.body ?? "").startsWith(marker));
}
