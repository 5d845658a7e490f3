import type { Logger } from "pino";
import { describeError } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import type { RepoRef } from "../facts/types.js";
import type { Evaluation, GateResult, PolicyProblem } from "../evaluate/types.js";
import { readRepoFile } from "../policy/github-source.js";
import { parsePolicy } from "../policy/parse.js";
import { POLICY_PATH } from "../policy/types.js";
import type { Store } from "../store/store.js";

/** What a pull request's own copy of the policy file says, judged at its head commit. */
export interface PolicyEdit {
  /** The PR's copy differs from the default branch's. */
  edited: boolean;
  problems: PolicyProblem[];
  /** The copy could not be read: a verdict for now, never kept. */
  unread?: true;
}

const EDIT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Validates the policy file as the pull request would leave it. It is only validated, never
 * used: the gates keep coming from the default branch. The verdict is kept per head commit,
 * so later events on the same commit cost no request.
 */
export async function validatePolicyEdit(input: {
  octokit: Octokit;
  store: Store;
  repo: RepoRef;
  headSha: string;
  defaultSha: string | undefined;
  log: Logger;
}): Promise<PolicyEdit> {
  const key = `policy-edit:${input.repo.owner}/${input.repo.repo}@${input.headSha}`.toLowerCase();
  const cached = await input.store.get(key);
  if (cached) return JSON.parse(cached) as PolicyEdit;
  const edit = await judge(input);
  // A failed read says nothing about the commit: keeping it would fail the pull request
  // until its next push, whatever "Re-evaluate" is pressed.
  if (!edit.unread) await input.store.set(key, JSON.stringify(edit), EDIT_TTL_MS);
  return edit;
}

async function judge(input: {
  octokit: Octokit;
  repo: RepoRef;
  headSha: string;
  defaultSha: string | undefined;
  log: Logger;
}): Promise<PolicyEdit> {
  const { repo, headSha } = input;
  try {
    const file = await readRepoFile(input.octokit, { ...repo, path: POLICY_PATH, ref: headSha });
    if (!file || file.sha === input.defaultSha) return { edited: false, problems: [] };
    return { edited: true, problems: parsePolicy(file).problems };
  } catch (error) {
    input.log.warn({ err: error }, "could not read the pull request's policy file");
    return {
      edited: true,
      unread: true,
      problems: [
        {
          file: `${repo.owner}/${repo.repo}:${POLICY_PATH}`,
          line: 1,
          column: 1,
          path: "",
          message: `Could not read this pull request's copy of the policy: ${describeError(error)}`,
        },
      ],
    };
  }
}

/** Adds a `policy-file` gate: a pull request cannot merge a policy that would not load. */
export function withPolicyEdit(evaluation: Evaluation, edit: PolicyEdit): Evaluation {
  if (!edit.edited) return evaluation;
  const gate = policyFileGate(edit);
  const gates = [gate, ...evaluation.gates];
  const passes = gate.status === "pass" || evaluation.conclusion === "failure";
  return { ...evaluation, gates, conclusion: passes ? evaluation.conclusion : "failure" };
}

function policyFileGate(edit: PolicyEdit): GateResult {
  const head = { id: "policy-file", stage: "pull_request" };
  const details = edit.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
  if (edit.unread) {
    // Nothing is known about the file, so nothing is annotated; the read is retried.
    return {
      ...head,
      status: "error",
      reason: edit.problems[0]?.message ?? `Could not read this pull request's ${POLICY_PATH}.`,
      fix: 'Press "Re-evaluate" on this check once GitHub is reachable again.',
    };
  }
  if (edit.problems.length === 0) {
    return {
      ...head,
      status: "pass",
      reason: `This pull request changes ${POLICY_PATH}; the new file is valid. It takes effect once merged.`,
      details,
    };
  }
  return {
    ...head,
    status: "fail",
    reason: `This pull request changes ${POLICY_PATH}, and the new file has ${edit.problems.length} problem(s).`,
    fix: "Fix the lines annotated on this check, then push.",
    details,
  };
}
