// What the deployment gates know about one deployment: the commit, the pull requests that
// brought it, its earlier deployments to the previous environment, the run's actors and the
// approvals given so far. Plain data (the evaluator stays pure); gathered once per decision.
import { CHECK_NAME } from "../effects/check-run.js";
import type { Octokit } from "../github/types.js";
import { checkRunState } from "./checks.js";
import { readCommitters } from "./pull-request.js";
import type { TeamReader } from "./teams.js";
import type { CheckState, RepoRef } from "./types.js";

/** One deployment waiting on the protection rule, as GitHub asked about it. */
export interface DeploymentRequest {
  repo: RepoRef;
  installationId: number;
  runId: number;
  environment: string;
  deploymentId: number;
  sha: string;
  ref: string;
}

/** A merged pull request that brought the deployed commit. */
export interface DeployedPull {
  number: number;
  url: string;
  author: string;
  labels: string[];
  mergedAt: string;
  mergeCommitSha: string | null;
  headSha: string;
  /** The app's own `release-policy` check on the pull request's head; "missing" when absent. */
  policyCheck: CheckState | "missing";
  /** Authors and committers of its commits; absent when no gate excludes them. */
  committers?: string[];
}

export type DeploymentState =
  "success" | "inactive" | "failure" | "error" | "pending" | "queued" | "in_progress";

/** An earlier deployment of the same commit to the environment this one must follow. */
export interface PriorDeployment {
  id: number;
  createdAt: string;
  /** Latest status. */
  state: DeploymentState;
  /** When it first reported success; the soak time counts from here. */
  succeededAt?: string;
}

export interface DeploymentApprovalFact {
  user: string;
  /** ISO 8601. */
  at: string;
}

export interface DeploymentFacts {
  repo: RepoRef;
  environment: string;
  sha: string;
  ref: string;
  runId: number;
  /** Merged pull requests that brought the commit, most recently merged first; [] = direct push. */
  pulls: DeployedPull[];
  /** Whoever started and re-ran the workflow run; absent when no gate excludes them. */
  deployers?: string[];
  /** Deployments of this commit to the previous environment (`environments.X.after`), newest first. */
  prior?: { environment: string; deployments: PriorDeployment[] };
  /** Approvals given through GitHub's deployment review for this run and environment. */
  approvals: DeploymentApprovalFact[];
  /** Members of each team a gate names, by "org/slug". */
  teams: Record<string, string[]>;
}

/** What the applicable gates need fetched. */
export interface DeploymentNeeds {
  committers: boolean;
  deployers: boolean;
  /** The environment this one must follow, when the policy names one. */
  after?: string;
  /** Qualified "org/slug" team names. */
  teams: string[];
}

/** Earlier deployments looked at: enough to find a success among retries. */
const MAX_PRIOR_DEPLOYMENTS = 5;

/**
 * Gathers, in parallel, the facts for one deployment. Any failed request rejects: the
 * caller keeps the deployment waiting (or rejects it) and never approves on missing facts.
 */
export async function gatherDeploymentFacts(input: {
  octokit: Octokit;
  appId: number;
  request: DeploymentRequest;
  needs: DeploymentNeeds;
  teams: TeamReader;
  approvals: DeploymentApprovalFact[];
}): Promise<DeploymentFacts> {
  const { octokit, request, needs } = input;
  const [pulls, deployers, prior, teams] = await Promise.all([
    readPulls(octokit, input.appId, request, needs.committers),
    needs.deployers ? readDeployers(octokit, request) : Promise.resolve(undefined),
    needs.after ? readPrior(octokit, request, needs.after) : Promise.resolve(undefined),
    input.teams.members(needs.teams),
  ]);
  return {
    repo: request.repo,
    environment: request.environment,
    sha: request.sha,
    ref: request.ref,
    runId: request.runId,
    pulls,
    ...(deployers ? { deployers } : {}),
    ...(prior ? { prior } : {}),
    approvals: input.approvals,
    teams,
  };
}

async function readPulls(
  octokit: Octokit,
  appId: number,
  request: DeploymentRequest,
  withCommitters: boolean,
): Promise<DeployedPull[]> {
  const { owner, repo } = request.repo;
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner,
    repo,
    commit_sha: request.sha,
  });
  const merged = data
    .filter((pr) => pr.merged_at !== null)
    .sort((a, b) => Date.parse(b.merged_at ?? "") - Date.parse(a.merged_at ?? ""));
  return Promise.all(
    merged.map(async (pr): Promise<DeployedPull> => {
      const [policyCheck, committers] = await Promise.all([
        readPolicyCheck(octokit, appId, request.repo, pr.head.sha),
        withCommitters
          ? readCommitters(octokit, {
              owner: request.repo.owner,
              repo: request.repo.repo,
              pull_number: pr.number,
            })
          : undefined,
      ]);
      return {
        number: pr.number,
        url: pr.html_url,
        author: pr.user?.login ?? "ghost",
        labels: pr.labels.map((label) => label.name),
        mergedAt: pr.merged_at ?? "",
        mergeCommitSha: pr.merge_commit_sha ?? null,
        headSha: pr.head.sha,
        policyCheck,
        ...(committers ? { committers } : {}),
      };
    }),
  );
}

/**
 * The verdict the pull request was merged under: the app's own check run on its head. Only
 * this app can write a check run under its id, so the record cannot be forged by another
 * workflow that names a check `release-policy`.
 */
async function readPolicyCheck(
  octokit: Octokit,
  appId: number,
  repo: RepoRef,
  headSha: string,
): Promise<DeployedPull["policyCheck"]> {
  const { data } = await octokit.rest.checks.listForRef({
    owner: repo.owner,
    repo: repo.repo,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: "latest",
    per_page: 100,
  });
  const own = data.check_runs.find((run) => run.name === CHECK_NAME && run.app?.id === appId);
  return own ? checkRunState(own.status, own.conclusion) : "missing";
}

async function readDeployers(octokit: Octokit, request: DeploymentRequest): Promise<string[]> {
  const { data } = await octokit.rest.actions.getWorkflowRun({
    owner: request.repo.owner,
    repo: request.repo.repo,
    run_id: request.runId,
  });
  const logins = [data.actor?.login, data.triggering_actor?.login].filter(
    (login): login is string => typeof login === "string",
  );
  return [...new Set(logins)];
}

async function readPrior(
  octokit: Octokit,
  request: DeploymentRequest,
  environment: string,
): Promise<DeploymentFacts["prior"]> {
  const at = { owner: request.repo.owner, repo: request.repo.repo };
  const { data } = await octokit.rest.repos.listDeployments({
    ...at,
    sha: request.sha,
    environment,
    per_page: MAX_PRIOR_DEPLOYMENTS,
  });
  const deployments = await Promise.all(
    data.map(async (deployment): Promise<PriorDeployment> => {
      const statuses = await octokit.rest.repos.listDeploymentStatuses({
        ...at,
        deployment_id: deployment.id,
        per_page: 100,
      });
      // GitHub lists statuses newest first.
      const latest = statuses.data[0]?.state ?? "pending";
      const successes = statuses.data.filter((status) => status.state === "success");
      const first = successes.at(-1);
      return {
        id: deployment.id,
        createdAt: deployment.created_at,
        state: latest,
        ...(first ? { succeededAt: first.created_at } : {}),
      };
    }),
  );
  return { environment, deployments };
}
