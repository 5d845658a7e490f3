// A merge queue entry passes when every pull request it brings passed: each was judged by
// its own release-policy check, under the policy on the default branch, and the group's
// check repeats that verdict on the commit the queue will merge. Pure: facts in, verdict out.
import type { MergeGroupFacts, QueuedPull } from "../facts/merge-group.js";

export interface PullJudgement {
  number: number;
  url: string;
  passed: boolean;
  /** Why, in one sentence: what the pull request's check says, or what is wrong. */
  reason: string;
}

export interface MergeGroupEvaluation {
  /** What enforcing concludes; under an advisory policy the check reports it as neutral. */
  conclusion: "success" | "failure";
  /** The policy's mode is advisory: nothing is blocked (see Evaluation.advisory). */
  advisory?: true;
  pulls: PullJudgement[];
  /** Why the group as a whole could not pass, when no pull request is to blame. */
  problem?: string;
}

export function evaluateMergeGroup(
  facts: MergeGroupFacts,
  mode: { advisory?: true } = {},
): MergeGroupEvaluation {
  if (facts.pulls.length === 0) {
    return {
      ...mode,
      conclusion: "failure",
      pulls: [],
      problem:
        "The merge group's branch does not name a pull request for this base branch, so none could be judged.",
    };
  }
  const pulls = facts.pulls.map((pull) => judge(pull, facts.baseBranch));
  return { ...mode, conclusion: pulls.every((p) => p.passed) ? "success" : "failure", pulls };
}

function judge(pull: QueuedPull, baseBranch: string): PullJudgement {
  const at = { number: pull.number, url: pull.url };
  const head = pull.headSha.slice(0, 7);
  if (pull.state !== "open") {
    return { ...at, passed: false, reason: "It is closed." };
  }
  if (pull.baseBranch !== baseBranch) {
    return {
      ...at,
      passed: false,
      reason: `It targets ${pull.baseBranch}, not ${baseBranch}.`,
    };
  }
  switch (pull.verdict) {
    case "success":
      return { ...at, passed: true, reason: `release-policy passed on its head ${head}.` };
    case "missing":
      return {
        ...at,
        passed: false,
        reason: `Its head ${head} has no release-policy check from this app.`,
      };
    case "pending":
      // The group's check is written once per queue entry: a verdict still being reached
      // cannot pass it, and re-queuing the pull request once its check passes judges again.
      return {
        ...at,
        passed: false,
        reason: `release-policy is still pending on its head ${head}.`,
      };
    case "neutral":
      // An advisory policy's verdict on a pull request that would not pass when enforced.
      return {
        ...at,
        passed: false,
        reason: `release-policy concluded neutral on its head ${head}: advisory, it would not pass under mode: enforce.`,
      };
    default:
      return {
        ...at,
        passed: false,
        reason: `release-policy concluded ${pull.verdict} on its head ${head}.`,
      };
  }
}
