// What the deployment gates know about one deployment: the commit, the pull requests that
// brought it, its earlier deployments to the previous environment, the run's actors and the
// approvals given so far. Plain data (the evaluator stays pure); gathered once per decision.
import type { Octokit } from "../github/types.js";
import { checkRunState, readOwnCheckRun } from "./checks.js";
import { readVerdicts } from "../model/commit-verdicts.js";
import {
  MAX_RANGE_COMMITS,
  mergedPullsOf,
  readDeployedRange,
  type AssociatedPull,
  type DeployedRange,
} from "./deployed-range.js";
import { readCommits } from "./committers.js";
import type { CommittersReader } from "./merged-committers.js";
import type { MergeLabelsReader } from "./merge-labels.js";
import type { TeamReader } from "./teams.js";
import type { ChangeRecordFact, ChangeRecordNeed, ReferenceSubject } from "./change-records.js";
import {
  createChangeRecordReader,
  gatherChangeRecords,
  type ChangeRecordLookup,
} from "./change-record-clients.js";
import type { CheckState, CommitterFacts, RepoRef } from "./types.js";

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

/** The verdict a pull request was merged under: its release-policy check. */
export type PolicyVerdict = CheckState | "missing";

/** A merged pull request that brought the deployed commit, with what its gates need. */
export interface DeployedPull extends AssociatedPull {
  /**
   * The app's own `release-policy` check on the pull request's head ("missing" when it has
   * none); read only when a gate judges it (compliant_changes).
   */
  policyCheck?: PolicyVerdict;
  /** Authors and committers of its commits; absent when no gate excludes them. */
  committers?: string[];
  /** What the committers cannot show; absent when no gate excludes them. */
  committerGaps?: Omit<CommitterFacts, "logins">;
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
  /**
   * How it was given: GitHub's deployment review, or an `/approve <environment>` comment on a
   * pull request that brought the commit. Absent: a review (recorded before comments counted).
   */
  via?: "review" | "comment";
  /** The comment, for a sign-off by comment. */
  url?: string;
}

export interface DeploymentFacts {
  repo: RepoRef;
  environment: string;
  sha: string;
  ref: string;
  runId: number;
  /**
   * Merged pull requests that brought the commit (and, with `range`, every commit the
   * deployment brings), most recently merged first; [] = direct push. When a gate applies by
   * labels or change type, the deployed commit's own carry the labels they were merged with.
   */
  pulls: DeployedPull[];
  /** The commits the deployment brings to the environment; read when compliant_changes applies. */
  range?: DeployedRange;
  /** Whoever started and re-ran the workflow run; absent when no gate excludes them. */
  deployers?: string[];
  /** Deployments of this commit to the previous environment (`environments.X.after`), newest first. */
  prior?: { environment: string; deployments: PriorDeployment[] };
  /** Approvals given through GitHub's deployment review for this run and environment. */
  approvals: DeploymentApprovalFact[];
  /** Members of each team a gate names, by "org/slug". */
  teams: Record<string, string[]>;
  /** Change records the deployed pull requests or ref reference; absent when no gate asks. */
  changeRecords?: ChangeRecordFact[];
}

/** What the applicable gates need fetched. */
export interface DeploymentNeeds {
  committers: boolean;
  /**
   * What the deployment ships: every commit since the environment's last successful deployment
   * and the pull requests that brought them (compliant_changes, change_record).
   */
  range: boolean;
  /** Each shipped pull request's release-policy verdict (compliant_changes). */
  verdicts: boolean;
  deployers: boolean;
  /** The environment this one must follow, when the policy names one. */
  after?: string;
  /** Qualified "org/slug" team names. */
  teams: string[];
  /** Change records to look up (change_record gates); none when absent. */
  changeRecords?: ChangeRecordNeed[];
  /**
   * A gate's condition reads labels or the change type: the deployed commit's pull requests
   * are judged with the labels they were merged with (facts/merge-labels.ts).
   */
  mergeLabels?: boolean;
}

/**
 * Facts an earlier decision on the same deployment (or its approval's payload) already
 * holds, so a re-check does not ask GitHub again.
 */
export interface KnownDeploymentFacts {
  /** The merged pull requests that brought the deployed commit (without the range). */
  pulls?: AssociatedPull[];
  /** Who started and re-ran the workflow run, as the deployment review's payload said. */
  deployers?: string[];
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
  known?: KnownDeploymentFacts;
  /** Committers of a merged pull request; read from GitHub each time unless given. */
  committers?: CommittersReader;
  /** Reads change records; without one, every lookup is an error naming what to configure. */
  changeRecords?: ChangeRecordLookup;
  /** The labels a pull request was merged with; required when `needs.mergeLabels`. */
  mergeLabels?: MergeLabelsReader;
}): Promise<DeploymentFacts> {
  const { octokit, request, needs, known } = input;
  const committersOf: CommittersReader =
    input.committers ??
    ((repo, pull) =>
      readCommits(octokit, { owner: repo.owner, repo: repo.repo, pull_number: pull.number }));
  const [{ pulls, range }, deployers, prior, teams] = await Promise.all([
    readPulls(octokit, input.appId, request, needs, known?.pulls, committersOf).then((read) =>
      needs.mergeLabels ? asMerged(read, request, input.mergeLabels) : read,
    ),
    needs.deployers
      ? (known?.deployers ?? readDeployers(octokit, request))
      : Promise.resolve(undefined),
    needs.after ? readPrior(octokit, request, needs.after) : Promise.resolve(undefined),
    input.teams.members(needs.teams),
  ]);
  const recordNeeds = needs.changeRecords ?? [];
  // Looked up after the shipped pull requests: their titles, bodies, branches and labels hold
  // the references.
  const changeRecords =
    recordNeeds.length > 0
      ? await gatherChangeRecords(
          input.changeRecords ?? createChangeRecordReader({}),
          recordNeeds,
          subjectsToLookUp(request.ref, pulls, range),
        )
      : undefined;
  return {
    repo: request.repo,
    environment: request.environment,
    sha: request.sha,
    ref: request.ref,
    runId: request.runId,
    pulls,
    ...(range ? { range } : {}),
    ...(deployers ? { deployers } : {}),
    ...(prior ? { prior } : {}),
    approvals: input.approvals,
    teams,
    ...(changeRecords ? { changeRecords } : {}),
  };
}

/**
 * Pull requests a deployment may ship and still be judged by change_record; more fail closed.
 * The range already stops at MAX_RANGE_COMMITS first-parent commits, each brought by about one
 * pull request: this bounds the rest (several pull requests listed for one commit), so the
 * change system is asked a bounded number of times on each look at a held deployment.
 */
export const MAX_SHIPPED_PULLS = MAX_RANGE_COMMITS;

/**
 * Whose change-record references a deployment's gate judges, each on its own texts: every
 * pull request it ships (title, body, head branch, labels), and the deployed ref when a commit
 * no pull request brought is shipped (a direct push has no text of its own). The ref never
 * speaks for a pull request: a ref named after one approved change must not cover another
 * change shipped with it. One definition, so the records read are the ones the gate judges.
 */
export function shippedSubjects(
  ref: string,
  pulls: readonly AssociatedPull[],
  range: DeployedRange | undefined,
): ReferenceSubject[] {
  const direct = range
    ? range.commits.some((commit) => commit.pulls.length === 0)
    : pulls.length === 0;
  return [
    ...pulls.map((p) => ({
      name: `#${p.number}`,
      texts: {
        title: [p.title],
        body: p.body ? [p.body] : [],
        branch: p.branch ? [p.branch] : [],
        labels: p.labels,
      },
    })),
    ...(direct
      ? [{ name: `the direct pushes (deployed ref ${ref})`, texts: { branch: [ref] } }]
      : []),
  ];
}

/** What the deployment's change records are looked up for: nothing when it cannot be judged. */
function subjectsToLookUp(
  ref: string,
  pulls: readonly AssociatedPull[],
  range: DeployedRange | undefined,
): ReferenceSubject[] {
  if (range?.exceeded || pulls.length > MAX_SHIPPED_PULLS) return [];
  return shippedSubjects(ref, pulls, range);
}

/**
 * The deployed commit's own pull requests (those that choose the change type) with the labels
 * they were merged with, not the ones they carry now. Never judged on today's labels: without
 * a reader the gatherer fails.
 */
async function asMerged(
  read: { pulls: DeployedPull[]; range?: DeployedRange },
  request: DeploymentRequest,
  reader: MergeLabelsReader | undefined,
): Promise<{ pulls: DeployedPull[]; range?: DeployedRange }> {
  if (!reader) throw new Error("the labels the pull requests were merged with cannot be read");
  const head = read.range?.commits.find((c) => c.sha === request.sha);
  const own = (p: DeployedPull): boolean => (head ? head.pulls.includes(p.number) : true);
  const pulls = await Promise.all(
    read.pulls.map(async (p) => (own(p) ? { ...p, labels: await reader(request.repo, p) } : p)),
  );
  return { ...read, pulls };
}

/** The merged pull requests that brought the deployed commit, or the whole range when needed. */
async function readPulls(
  octokit: Octokit,
  appId: number,
  request: DeploymentRequest,
  needs: DeploymentNeeds,
  known: AssociatedPull[] | undefined,
  committersOf: CommittersReader,
): Promise<{ pulls: DeployedPull[]; range?: DeployedRange }> {
  const read = needs.range
    ? await readDeployedRange(octokit, request)
    : { pulls: known ?? (await mergedPullsOf(octokit, request.repo, request.sha)) };
  const pulls = await Promise.all(
    read.pulls.map((pull) => withVerdict(octokit, appId, request.repo, pull, needs, committersOf)),
  );
  return { pulls, ...("range" in read ? { range: read.range } : {}) };
}

/**
 * Adds the release-policy verdict when compliant changes are judged, and the committers
 * when a gate excludes them: each a request per pull request, so only when needed.
 */
async function withVerdict(
  octokit: Octokit,
  appId: number,
  repo: RepoRef,
  pull: AssociatedPull,
  needs: DeploymentNeeds,
  committersOf: CommittersReader,
): Promise<DeployedPull> {
  const [policyCheck, committers] = await Promise.all([
    needs.verdicts ? readPolicyCheck(octokit, appId, repo, pull.headSha, pull.number) : undefined,
    needs.committers ? committersOf(repo, pull) : undefined,
  ]);
  return {
    ...pull,
    ...(policyCheck ? { policyCheck } : {}),
    ...(committers
      ? {
          committers: committers.logins,
          committerGaps: { unlinked: committers.unlinked, truncated: committers.truncated },
        }
      : {}),
  };
}

/**
 * The verdict the pull request was merged under: its own entry in the app's check run on its
 * head. The run's overall state speaks for every pull request on that commit, so it counts
 * only for a run written before the app kept each one's verdict.
 */
export async function readPolicyCheck(
  octokit: Octokit,
  appId: number,
  repo: RepoRef,
  headSha: string,
  number: number,
): Promise<PolicyVerdict> {
  const own = await readOwnCheckRun(octokit, repo, headSha, appId);
  if (!own) return "missing";
  // A run listed without its output (never by GitHub) holds no record either.
  const output = own.output as Partial<typeof own.output> | undefined;
  const pulls = readVerdicts(output?.summary);
  if (pulls === undefined) return checkRunState(own.status, own.conclusion);
  const entry = pulls.find((p) => p.number === number);
  return entry ? entry.verdict : "missing";
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
