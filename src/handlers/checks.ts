import type { Context } from "probot";
import type { AppDeps } from "./deps.js";
import { CHECK_NAME } from "../facts/checks.js";
import type { RepoRef } from "../facts/types.js";
import { needsFor } from "../pipeline/needs.js";
import { evaluate, handleOnce, repoRefOf, type EventContext, triggerOf } from "./common.js";
import { dropHead, dropRuns, dropStatuses, keptOrFetched } from "../facts/invalidation.js";
import { pullOf } from "../facts/change-record-clients.js";

/**
 * Another check completed. Only a check that some gate names can change an outcome, so
 * any other costs no request once the policy is cached.
 */
export async function onCheckRunCompleted(
  deps: AppDeps,
  context: Context<"check_run.completed">,
): Promise<void> {
  const { check_run: run, repository } = context.payload;
  if (run.app?.id === deps.appId) return; // our own check run echoing back
  const repo = repoRefOf(repository);
  if (!(await gateNamesCheck(deps, context, repo, run.name))) return;
  await handleOnce(deps, context, async () => {
    await dropRuns(deps, repo, run.head_sha);
    // GitHub leaves pull_requests empty for a pull request from a fork: find it by commit.
    if (run.pull_requests.length === 0) {
      return evaluateHeadsOf(deps, context, repo, run.head_sha);
    }
    const numbers = run.pull_requests.map((pr) => pr.number);
    await evaluateAll(deps, context, repo, numbers, run.head_sha);
  });
}

/**
 * A check a gate names was created or re-run: it is pending again. Nothing is evaluated
 * (its completion will be), but the kept check runs no longer say what GitHub shows: the
 * next evaluation, whatever causes it, reads them again.
 */
export async function onCheckRunCreated(
  deps: AppDeps,
  context: Context<"check_run.created">,
): Promise<void> {
  const { check_run: run, repository } = context.payload;
  if (run.app?.id === deps.appId) return;
  const repo = repoRefOf(repository);
  if (!(await gateNamesCheck(deps, context, repo, run.name))) return;
  await dropRuns(deps, repo, run.head_sha);
}

/** The "Re-evaluate" button, or "Re-run" on our check: evaluate afresh. */
export async function onOwnCheckRequested(
  deps: AppDeps,
  context: Context<"check_run.rerequested" | "check_run.requested_action">,
): Promise<void> {
  const { check_run: run, repository } = context.payload;
  if (run.app?.id !== deps.appId || run.name !== CHECK_NAME) return;
  await handleOnce(deps, context, async () => {
    const repo = repoRefOf(repository);
    // A person asked for a fresh look: trust neither a cached policy nor kept facts.
    await deps.policies.invalidateRepo(repo.owner, repo.repo);
    // The change systems send no webhook: the button is how "it is approved now" is said.
    const numbers = [...new Set(run.pull_requests.map((pr) => pr.number))];
    const installation = context.payload.installation?.id;
    for (const number of numbers) {
      deps.changeRecords?.forget({ installation, subject: pullOf(repo, number) });
    }
    await Promise.all(numbers.map((number) => dropHead(deps, repo, number, run.head_sha)));
    await evaluateAll(deps, context, repo, numbers);
  });
}

/** A commit status changed: re-evaluate the open pull requests whose head it is. */
export async function onStatus(deps: AppDeps, context: Context<"status">): Promise<void> {
  const { repository, sha, context: name } = context.payload;
  const repo = repoRefOf(repository);
  if (!(await gateNamesCheck(deps, context, repo, name))) return;
  await handleOnce(deps, context, async () => {
    await dropStatuses(deps, repo, sha);
    await evaluateHeadsOf(deps, context, repo, sha);
  });
}

/** Re-evaluates the open pull requests whose head is this commit (one request finds them). */
async function evaluateHeadsOf(
  deps: AppDeps,
  context: EventContext,
  repo: RepoRef,
  sha: string,
): Promise<void> {
  const { data } = await context.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner: repo.owner,
    repo: repo.repo,
    commit_sha: sha,
  });
  const heads = data.filter((pr) => pr.state === "open" && pr.head.sha === sha);
  await Promise.all(
    heads.map((pr) =>
      evaluate(deps, triggerOf(context, repo), pr.number, pr, {
        settle: true,
      }),
    ),
  );
}

async function gateNamesCheck(
  deps: AppDeps,
  context: EventContext,
  repo: RepoRef,
  name: string,
): Promise<boolean> {
  const loaded = await deps.policies.load(context.octokit, repo.owner, repo.repo, repo);
  return loaded.kind === "valid" && needsFor(loaded.policy, repo.owner).checkNames.includes(name);
}

/** `headSha`: the commit the event is about; a kept pull request with another head is read. */
function evaluateAll(
  deps: AppDeps,
  context: EventContext,
  repo: RepoRef,
  numbers: number[],
  headSha?: string,
): Promise<void[]> {
  return Promise.all(
    [...new Set(numbers)].map((number) =>
      evaluate(
        deps,
        triggerOf(context, repo),
        number,
        keptOrFetched(deps, context.octokit, repo, number, headSha),
        { settle: true },
      ),
    ),
  );
}
