// Reading the policy a command judges by (`--policy`, default .github/release-policy.yml):
// bounded in size, parsed and checked, and refused when it extends a base, since a base
// cannot be fetched offline and judging by the file alone would leave out its gates.
import { oversizeProblem, parsePolicy } from "../policy/parse.js";
import { formatProblem } from "../policy/problems.js";
import type { Policy } from "../policy/schema.js";
import { MAX_POLICY_BYTES } from "../policy/types.js";
import { readBoundedFile } from "./files.js";
import { EXIT_INVALID, EXIT_USAGE, type CliIo } from "./io.js";

/** A value, or the exit code the command ends with after saying why there is none. */
export type Outcome<T> = { value: T } | { code: number };

/** The policy at `path`, or the exit code after printing why it cannot be used. */
export async function readPolicyArg(
  verb: string,
  path: string,
  io: CliIo,
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
  if (policy._extends !== undefined) {
    io.stderr.write(
      `release-policy ${verb}: ${path} extends "${policy._extends}", which cannot be fetched offline; ${verb} a policy without _extends (for example the merged one)\n`,
    );
    return { code: EXIT_USAGE };
  }
  return { value: policy };
}

export function cannotRead(verb: string, io: CliIo, path: string, why: string): { code: number } {
  io.stderr.write(`release-policy ${verb}: cannot read ${path}: ${why}\n`);
  return { code: EXIT_USAGE };
}
