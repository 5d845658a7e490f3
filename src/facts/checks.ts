import type { Octokit } from "../github/types.js";
import type { CheckFact, CheckState, RepoRef } from "./types.js";

export type CheckRunData = Awaited<
  ReturnType<Octokit["rest"]["checks"]["listForRef"]>
>["data"]["check_runs"][number];

/**
 * Check runs and commit statuses of one commit. The check-run list is always read: the app
 * finds its own check run in it, so one request serves both purposes. Statuses are read
 * only when a gate names checks.
 */
export async function readChecks(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
  withStatuses: boolean,
): Promise<{ facts: CheckFact[]; runs: CheckRunData[] }> {
  const at = { owner: repo.owner, repo: repo.repo, ref: sha };
  const [runs, statuses] = await Promise.all([
    octokit.paginate(octokit.rest.checks.listForRef, { ...at, filter: "latest", per_page: 100 }),
    withStatuses
      ? octokit.rest.repos.getCombinedStatusForRef({ ...at, per_page: 100 })
      : Promise.resolve(null),
  ]);
  const facts: CheckFact[] = runs.map((run) => ({
    name: run.name,
    source: "check_run",
    state: checkRunState(run.status, run.conclusion),
    url: run.html_url ?? undefined,
  }));
  for (const status of statuses?.data.statuses ?? []) {
    facts.push({
      name: status.context,
      source: "status",
      state: statusState(status.state),
      ...(status.target_url ? { url: status.target_url } : {}),
    });
  }
  return { facts, runs };
}

export function checkRunState(status: string, conclusion: string | null): CheckState {
  if (status !== "completed" || !conclusion) return "pending";
  const known: CheckState[] = [
    "success",
    "neutral",
    "skipped",
    "failure",
    "cancelled",
    "timed_out",
    "action_required",
    "stale",
  ];
  // An unknown future conclusion is treated as a failure: never a pass by accident.
  return known.find((state) => state === conclusion) ?? "failure";
}

export function statusState(state: string): CheckState {
  if (state === "success") return "success";
  if (state === "pending") return "pending";
  return state === "failure" ? "failure" : "error";
}
