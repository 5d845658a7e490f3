// Reading the policy a command judges by (`--policy`, default .github/release-policy.yml):
// bounded in size, parsed and checked. A policy that extends a base is resolved from local
// files (`--bases DIR`, laid out as DIR/<owner>/<repo>/<path>), exactly as the app resolves it
// from GitHub (src/policy/inherit.ts); without them it is refused, since judging by the file
// alone would leave out its base's gates.
import { join } from "node:path";
import { loadPolicy } from "../policy/inherit.js";
import { oversizeProblem, parsePolicy } from "../policy/parse.js";
import { formatProblem } from "../policy/problems.js";
import type { Policy } from "../policy/schema.js";
import {
  MAX_POLICY_BYTES,
  POLICY_PATH,
  type LoadedPolicy,
  type PolicySource,
} from "../policy/types.js";
import { readBoundedFile } from "./files.js";
import { EXIT_INVALID, EXIT_USAGE, type CliIo } from "./io.js";

/** A value, or the exit code the command ends with after saying why there is none. */
export type Outcome<T> = { value: T } | { code: number };

/** Where a policy's bases are read offline, and the repository the policy belongs to. */
export interface LocalBases {
  /** DIR holding DIR/<owner>/<repo>/<path> for each base. */
  dir?: string;
  /** "owner/repo" of the policy's own repository (a base named "repo" has its owner). */
  repo?: string;
}

/** The owner/repo a policy is judged for when --repo does not say. */
export const LOCAL_REPO = "local/repo";

/** The policy at `path`, or the exit code after printing why it cannot be used. */
export async function readPolicyArg(
  verb: string,
  path: string,
  io: CliIo,
  bases: LocalBases = {},
): Promise<Outcome<Policy>> {
  const read = await readBoundedFile(path, io.cwd, MAX_POLICY_BYTES);
  if ("error" in read) return cannotRead(verb, io, path, read.error);
  if ("oversize" in read) {
    io.stdout.write(`${formatProblem(oversizeProblem(path, read.oversize))}\n`);
    return { code: EXIT_INVALID };
  }
  const { policy, problems } = parsePolicy({ location: path, text: read.text });
  if (!policy || problems.length > 0) {
    io.stdout.write(`The policy is invalid: no gate was evaluated.\n`);
    for (const problem of problems) io.stdout.write(`${formatProblem(problem)}\n`);
    return { code: EXIT_INVALID };
  }
  // With --bases, a file that extends nothing is loaded too: its owner's base may be required.
  if (policy._extends === undefined && bases.dir === undefined) return { value: policy };
  if (bases.dir === undefined) {
    io.stderr.write(
      `release-policy ${verb}: ${path} extends "${policy._extends}"; give --bases DIR with each base at DIR/<owner>/<repo>/<path> (and --repo OWNER/REPO for this policy's own repository)\n`,
    );
    return { code: EXIT_USAGE };
  }
  return resolveBases(verb, { location: path, text: read.text }, bases.dir, bases.repo, io);
}

/** Loads the policy and its bases the way the app does, reading the bases from `dir`. */
async function resolveBases(
  verb: string,
  own: { location: string; text: string },
  dir: string,
  repoArg: string | undefined,
  io: CliIo,
): Promise<Outcome<Policy>> {
  const outcome = await loadLocally(verb, own, { dir, repo: repoArg }, io);
  if ("code" in outcome) return outcome;
  const loaded = outcome.value;
  if (loaded.kind === "valid") return { value: loaded.policy };
  io.stdout.write(`The policy is invalid: no gate was evaluated.\n`);
  if (loaded.kind === "invalid") {
    for (const problem of loaded.problems) io.stdout.write(`${formatProblem(problem)}\n`);
  }
  return { code: EXIT_INVALID };
}

/**
 * Loads `own` as the app loads its repository's file: merged with the bases it extends and
 * its owner's required base (DIR/<owner>/.github/.github/release-policy.yml), read from
 * `bases.dir`, for the repository `bases.repo` (default local/repo).
 */
export async function loadLocally(
  verb: string,
  own: { location: string; text: string },
  bases: { dir: string; repo?: string | undefined },
  io: CliIo,
): Promise<Outcome<LoadedPolicy>> {
  const { dir, repo: repoArg } = bases;
  const [owner, repo, ...rest] = (repoArg ?? LOCAL_REPO).split("/");
  if (!owner || !repo || rest.length > 0) {
    io.stderr.write(`release-policy ${verb}: --repo "${repoArg}" is not OWNER/REPO\n`);
    return { code: EXIT_USAGE };
  }
  const source: PolicySource = {
    async read(o, r, p) {
      const isOwn = o === owner && r === repo && p === POLICY_PATH;
      if (isOwn) return own;
      // parseExtends has checked the owner, repository and path: no "..", no absolute path.
      const file = await readBoundedFile(join(dir, o, r, p), io.cwd, MAX_POLICY_BYTES);
      return "text" in file ? { location: `${o}/${r}:${p}`, text: file.text } : null;
    },
  };
  return { value: await loadPolicy(source, owner, repo) };
}

export function cannotRead(verb: string, io: CliIo, path: string, why: string): { code: number } {
  io.stderr.write(`release-policy ${verb}: cannot read ${path}: ${why}\n`);
  return { code: EXIT_USAGE };
}
