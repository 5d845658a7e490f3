import type { Octokit } from "../github/types.js";
import { CHECK_STATES, type CheckFact, type CheckState, type RepoRef } from "./types.js";

/** The name of the app's own check run on pull requests and merge groups. */
export const CHECK_NAME = "release-policy";

export type CheckRunData = Awaited<
  ReturnType<Octokit["rest"]["checks"]["listForRef"]>
>["data"]["check_runs"][number];

/**
 * The app's own check run as GitHub shows it: what deciding whether to write needs. Kept
 * with the commit's check facts, so an evaluation whose checks did not change reads nothing.
 */
export interface ShownRun {
  id: number;
  name: string;
  app: { id: number } | null;
  status: string;
  conclusion: string | null;
  output: {
    title: string | null;
    summary: string | null;
    text: string | null;
    annotations_count: number;
  };
}

/** The app's own check run among a commit's check runs (same name, same app). */
export function findOwnCheckRun(runs: CheckRunData[], appId: number): CheckRunData | undefined {
  return runs.find((run) => isOwnCheckRun(run, appId));
}

/**
 * Only this app can write a check run under its id, so its record cannot be forged by
 * another workflow that names a check `release-policy`.
 */
export function isOwnCheckRun(run: Pick<ShownRun, "name" | "app">, appId: number): boolean {
  return run.name === CHECK_NAME && run.app?.id === appId;
}

/** The app's check run on a commit as GitHub lists it now (one request). */
export async function readOwnCheckRun(
  octokit: Octokit,
  repo: RepoRef,
  headSha: string,
  appId: number,
): Promise<CheckRunData | undefined> {
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    owner: repo.owner,
    repo: repo.repo,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: "latest",
    per_page: 100,
  });
  return findOwnCheckRun(runs, appId);
}

/** A commit's check runs, as the gates see them, and the app's own run among them. */
export interface CommitRuns {
  facts: CheckFact[];
  own?: ShownRun;
}

/**
 * The commit's check runs, and the app's own run (`isOwn`) among them: one request serves
 * both the gates and the decision whether to write.
 */
export async function readRuns(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
  isOwn: (run: CheckRunData) => boolean,
): Promise<CommitRuns> {
  const runs = await listRuns(octokit, repo, sha);
  const own = runs.find(isOwn);
  return { facts: runs.map(runFact), ...(own ? { own: shownRun(own) } : {}) };
}

function listRuns(octokit: Octokit, repo: RepoRef, sha: string): Promise<CheckRunData[]> {
  const at = { owner: repo.owner, repo: repo.repo, ref: sha };
  return octokit.paginate(octokit.rest.checks.listForRef, {
    ...at,
    filter: "latest",
    per_page: 100,
  });
}

/** The commit's statuses (the latest per context), as check facts. */
export async function readStatuses(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
): Promise<CheckFact[]> {
  const { data } = await octokit.rest.repos.getCombinedStatusForRef({
    owner: repo.owner,
    repo: repo.repo,
    ref: sha,
    per_page: 100,
  });
  return data.statuses.map((status) => ({
    name: status.context,
    source: "status",
    state: statusState(status.state),
    ...(status.target_url ? { url: status.target_url } : {}),
  }));
}

function runFact(run: CheckRunData): CheckFact {
  return {
    name: run.name,
    source: "check_run",
    ...(run.app?.slug ? { app: run.app.slug } : {}),
    state: checkRunState(run.status, run.conclusion),
    url: run.html_url ?? undefined,
  };
}

/** Only the fields the app compares: a listed run's other fields are large and unused. */
export function shownRun(run: CheckRunData): ShownRun {
  return {
    id: run.id,
    name: run.name,
    app: run.app ? { id: run.app.id } : null,
    status: run.status,
    conclusion: run.conclusion,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotations_count,
    },
  };
}

export function checkRunState(status: string, conclusion: string | null): CheckState {
  if (status !== "completed" || !conclusion) return "pending";
  // A check run's conclusion is any state but a commit status's "error" and "pending"; an
  // unknown future conclusion is treated as a failure: never a pass by accident.
  const known = CHECK_STATES.find(
    (state) => state === conclusion && state !== "error" && state !== "pending",
  );
  return known ?? "failure";
}

export function statusState(state: string): CheckState {
  if (state === "success") return "success";
  if (state === "pending") return "pending";
  return state === "failure" ? "failure" : "error";
}
