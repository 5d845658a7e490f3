import type { Logger } from "pino";
import { describeError } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import type { RepoRef } from "../facts/types.js";
import type { Evaluation, PolicyProblem } from "../evaluate/types.js";
import { readRepoFile } from "../policy/github-source.js";
import { parsePolicy } from "../policy/parse.js";
import { POLICY_PATH } from "../policy/types.js";
import type { Store } from "../store/store.js";

/** What a pull request's own copy of the policy file says, judged at its head commit. */
export interface PolicyEdit {
  /** The PR's copy differs from the default branch's. */
  edited: boolean;
  problems: PolicyProblem[];
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
  await input.store.set(key, JSON.stringify(edit), EDIT_TTL_MS);
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
  const ok = edit.problems.length === 0;
  const gate = {
    id: "policy-file",
    stage: "pull_request",
    status: ok ? ("pass" as const) : ("fail" as const),
    reason: ok
      ? `This pull request changes ${POLICY_PATH}; the new file is valid. It takes effect once merged.`
      : `This pull request changes ${POLICY_PATH}, and the new file has ${edit.problems.length} problem(s).`,
    ...(ok ? {} : { fix: "Fix the lines annotated on this check, then push." }),
    details: edit.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`),
  };
  const gates = [gate, ...evaluation.gates];
  const conclusion = ok || evaluation.conclusion === "failure" ? evaluation.conclusion : "failure";
  return { ...evaluation, gates, conclusion };
}
