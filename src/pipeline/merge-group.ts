import type { Logger } from "pino";
import { upsertCheckRun, type CheckRunWrite } from "../effects/check-run.js";
import { readOwnCheckRun } from "../facts/checks.js";
import { modeOf } from "../evaluate/mode.js";
import { evaluateMergeGroup } from "../evaluate/merge-group.js";
import { shownRun } from "../facts/checks.js";
import { gatherMergeGroupFacts, type MergeGroupRequest } from "../facts/merge-group.js";
import { describeError } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import type { CheckRunOutput } from "../report/check-run.js";
import {
  renderInvalidPolicyMergeGroup,
  renderMergeGroupCheck,
  renderUnjudgedMergeGroup,
} from "../report/merge-group.js";
import type { PipelineDeps } from "./pull-request.js";

export interface MergeGroupResult {
  /** "skipped": the repository has no policy, and the app stays quiet as on its pull requests. */
  checkRun: CheckRunWrite | "skipped";
  output?: CheckRunOutput;
  /** Why the group could not be judged: its check fails and says so. */
  failure?: unknown;
}

/**
 * Gather → evaluate → report for one merge queue entry: the `release-policy` check on the
 * merge group's head commit. Every failure on the way becomes a failing check that says
 * why; nothing the app could not read passes.
 */
export async function runMergeGroupPipeline(
  deps: Pick<PipelineDeps, "appId" | "policies">,
  input: { octokit: Octokit; log: Logger; request: MergeGroupRequest },
): Promise<MergeGroupResult> {
  const { octokit, log, request } = input;
  const { repo } = request;
  let output: CheckRunOutput;
  let failure: { error: unknown } | undefined;
  try {
    const loaded = await deps.policies.load(octokit, repo.owner, repo.repo, repo);
    if (loaded.kind === "none") {
      log.debug("no release policy: staying quiet on the merge group");
      return { checkRun: "skipped" };
    }
    output =
      loaded.kind === "invalid"
        ? renderInvalidPolicyMergeGroup()
        : renderMergeGroupCheck(
            evaluateMergeGroup(
              await gatherMergeGroupFacts({ octokit, appId: deps.appId, request }),
              modeOf(loaded.policy),
            ),
          );
  } catch (error) {
    failure = { error };
    output = renderUnjudgedMergeGroup(describeError(error));
  }
  // One check run per merge group commit: a redelivered or repeated event rewrites nothing.
  const existing = await readOwnCheckRun(octokit, repo, request.headSha, deps.appId);
  const { write } = await upsertCheckRun({
    octokit,
    repo,
    headSha: request.headSha,
    output,
    existing: existing ? shownRun(existing) : undefined,
    appId: deps.appId,
    // "Re-evaluate" judges pull requests; a merge group is judged again by queuing anew.
    actions: [],
  });
  log.info(
    { headSha: request.headSha, conclusion: output.conclusion, write },
    "merge group judged",
  );
  return { checkRun: write, output, ...(failure ? { failure: failure.error } : {}) };
}
