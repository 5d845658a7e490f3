import type { Logger } from "pino";
import { readChangedFiles } from "../facts/pull-request.js";
import { describeError } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import type { RepoRef } from "../facts/types.js";
import { sameName } from "../model/names.js";
import type { Evaluation, GateResult, PolicyProblem } from "../model/result.js";
import { githubPolicySource, readRepoFile } from "../policy/github-source.js";
import { loadPolicy } from "../policy/inherit.js";
import { isOrgBase } from "../policy/required-base.js";
import type { ExtendsTarget } from "../policy/semantics.js";
import { parsePolicy } from "../policy/parse.js";
import { POLICY_PATH, type PolicyFile, type PolicySource } from "../policy/types.js";
import type { Store } from "../store/store.js";

/** What a pull request's own copy of the policy file says, judged at its head commit. */
export interface PolicyEdit {
  /** The PR's copy differs from the default branch's (or removes it). */
  edited: boolean;
  /** The PR deletes the repository's policy file. */
  removed?: true;
  /** Where the PR's copy was read: its problems can be annotated, a base's cannot. */
  location?: string;
  problems: PolicyProblem[];
  /** The copy could not be read: a verdict for now, never kept. */
  unread?: true;
  /** Why it could not be read (never kept either): the pipeline decides whether to retry. */
  cause?: unknown;
}

const EDIT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Validates the policy file as the pull request would leave it, merged with the bases it
 * extends and its organization's required base (read from their default branches), so an
 * edit that would break the merge fails before it is merged. It is only validated, never used: the gates keep coming from the
 * default branch. The verdict is kept per pull request and head commit, so later events on
 * the same commit cost no request. Not per commit alone: whether the pull request changes
 * the file depends on its base, and one pull request's verdict must not be another's.
 */
export async function validatePolicyEdit(input: EditInput & { store: Store }): Promise<PolicyEdit> {
  const { repo, headSha, pullNumber } = input;
  const key = `policy-edit:${repo.owner}/${repo.repo}@${headSha}#${pullNumber}`.toLowerCase();
  const cached = await input.store.get(key);
  if (cached) return JSON.parse(cached) as PolicyEdit;
  const edit = await judge(input);
  // A failed read says nothing about the commit: keeping it would fail the pull request
  // until its next push, whatever "Re-evaluate" is pressed.
  if (!edit.unread) await input.store.set(key, JSON.stringify(edit), EDIT_TTL_MS);
  return edit;
}

interface EditInput {
  octokit: Octokit;
  repo: RepoRef;
  pullNumber: number;
  headSha: string;
  /** The default branch's copy's blob SHA; undefined when the repository has none. */
  defaultSha: string | undefined;
  /** Where the default branch's policy was read from ("owner/repo:path"), bases included. */
  defaultFiles: readonly string[];
  /** The pull request's changed files, when the facts already hold them. */
  changedFiles: string[] | undefined;
  /** Where bases are read from default branches (the policy cache's source); default: GitHub. */
  bases?: PolicySource;
  log: Logger;
}

async function judge(input: EditInput): Promise<PolicyEdit> {
  const { repo, headSha } = input;
  try {
    const file = await readRepoFile(input.octokit, { ...repo, path: POLICY_PATH, ref: headSha });
    if (file?.sha === input.defaultSha) return unedited;
    // The copies differ: the pull request changed the file, or the default branch moved on
    // since it branched off. Only the first is an edit to judge.
    if (!(await touchesPolicy(input))) return unedited;
    if (!file) return { edited: true, removed: true, problems: [] };
    // Judged alone only when no base can be above it: it extends none, and its owner is
    // known not to be an organization (whose base may be required of it).
    const alone = parsePolicy(file);
    const problems =
      alone.policy?._extends === undefined && repo.organization === false
        ? alone.problems
        : await mergedProblems(input, file);
    return { edited: true, location: file.location, problems };
  } catch (error) {
    input.log.warn({ err: error }, "could not read the pull request's policy file");
    return {
      edited: true,
      unread: true,
      cause: error,
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

const unedited: PolicyEdit = { edited: false, problems: [] };

/** Whether the pull request's diff includes the policy file (its changed files, read if need be). */
async function touchesPolicy(input: EditInput): Promise<boolean> {
  const files =
    input.changedFiles ??
    (await readChangedFiles(input.octokit, {
      owner: input.repo.owner,
      repo: input.repo.repo,
      pull_number: input.pullNumber,
    }));
  return files.includes(POLICY_PATH);
}

/** Problems of the PR's copy merged with its bases: the copy stands in for the repository's file. */
async function mergedProblems(input: EditInput, head: PolicyFile): Promise<PolicyProblem[]> {
  const { repo } = input;
  const defaults = input.bases ?? githubPolicySource(input.octokit);
  const own = (owner: string, name: string, path: string): boolean =>
    owner.toLowerCase() === repo.owner.toLowerCase() &&
    name.toLowerCase() === repo.repo.toLowerCase() &&
    path === POLICY_PATH;
  const overlay: PolicySource = {
    read: (owner, name, path) =>
      own(owner, name, path) ? Promise.resolve(head) : defaults.read(owner, name, path),
  };
  const refuseBase = (at: ExtendsTarget) => refusedBase(repo, input.defaultFiles, at);
  const loaded = await loadPolicy(overlay, repo.owner, repo.repo, { ...repo, refuseBase });
  return loaded.kind === "invalid" ? loaded.problems : [];
}

/**
 * Why a pull request's copy may not name `at` as a base, or undefined when it may. Whoever can
 * open a pull request (from a fork too) reads its check, and the app can read files that
 * person cannot: so the copy may extend only what its check may show, which is this
 * repository's own files, its organization's base policy (shown on every check of the
 * organization's repositories), and the bases the default branch's policy already reads
 * (shown on the same check when they break). Any other file is refused unread, so the check
 * says the same whether it exists, is private, or is no policy at all.
 */
function refusedBase(
  repo: RepoRef,
  defaultFiles: readonly string[],
  at: ExtendsTarget,
): string | undefined {
  if (sameName(at.owner, repo.owner) && (sameName(at.repo, repo.repo) || isOrgBase(at))) {
    return undefined;
  }
  const key = (owner: string, name: string, path: string) =>
    `${owner.toLowerCase()}/${name.toLowerCase()}:${path}`;
  const read = defaultFiles.map((location) => {
    const colon = location.indexOf(":");
    const [owner = "", name = ""] = location.slice(0, colon).split("/");
    return key(owner, name, location.slice(colon + 1));
  });
  if (read.includes(key(at.owner, at.repo, at.path))) return undefined;
  return `${at.owner}/${at.repo}:${at.path} cannot be used as a base from a pull request: a pull request's policy may extend only this repository's files, its organization's .github policy and the bases the default branch's policy already reads, so that its check never shows another repository's file`;
}

/** The problems that belong to the pull request's own copy, which a check can annotate. */
export function annotatableProblems(edit: PolicyEdit): PolicyProblem[] {
  return edit.unread ? [] : edit.problems.filter((p) => p.file === edit.location);
}

/** Adds a `policy-file` gate: a pull request cannot merge a policy that would not load. */
export function withPolicyEdit(evaluation: Evaluation, edit: PolicyEdit): Evaluation {
  if (!edit.edited) return evaluation;
  const gate = policyFileGate(edit);
  const gates = [gate, ...evaluation.gates];
  if (gate.status === "pass") return { ...evaluation, gates };
  // A policy file that cannot be used blocks even in advisory mode: merged, it would make
  // every check fail and every deployment be rejected (fail closed), advisory or not.
  const enforced: Evaluation = { ...evaluation, gates, conclusion: "failure" };
  delete enforced.advisory;
  return enforced;
}

function policyFileGate(edit: PolicyEdit): GateResult {
  const head = { id: "policy-file", stage: "pull_request" };
  const details = edit.problems.map((p) =>
    p.file === edit.location
      ? `${p.line}:${p.column} ${p.path}: ${p.message}`
      : `${p.file}:${p.line}:${p.column} ${p.path}: ${p.message}`,
  );
  if (edit.unread) {
    // Nothing is known about the file, so nothing is annotated; the read is retried.
    return {
      ...head,
      status: "error",
      reason: edit.problems[0]?.message ?? `Could not read this pull request's ${POLICY_PATH}.`,
      fix: 'Press "Re-evaluate" on this check once GitHub is reachable again.',
    };
  }
  if (edit.removed) {
    return {
      ...head,
      status: "pass",
      reason: `This pull request deletes ${POLICY_PATH}; once merged, the repository follows its organization's policy, if there is one, or none.`,
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
