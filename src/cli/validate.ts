// `release-policy validate [file|pattern]...`: checks policy files offline (one repository's,
// or every repository's of an organisation at once) and prints each problem as
// file:line:column, so editors and CI logs link straight to it.
import { ungatedWarnings } from "../policy/coverage.js";
import { oversizeProblem, readPolicy } from "../policy/parse.js";
import { formatProblem } from "../policy/problems.js";
import { MAX_POLICY_BYTES, POLICY_PATH, type PolicyFile } from "../policy/types.js";
import { readBoundedFile } from "./files.js";
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from "./io.js";
import { expandPolicyPaths } from "./policy-files.js";

const HELP = `Usage: release-policy validate [file|pattern]...

Checks release policy files (default: ${POLICY_PATH}). A pattern (quote it) is matched
against the files under its directory, node_modules and .git left out, e.g.
  release-policy validate 'checkouts/*/.github/release-policy.yml'
Prints "OK" and the number of gates for each valid file, else one line per problem:
  file:line:column: key.path: what is wrong
With several files, a last line counts them.

Warnings do not make a file invalid; each is a line with "warning:" before its message,
e.g. when every deployment gate of an environment leaves out one change type (when/unless),
so that kind of change reaches the environment unchecked.

A file with _extends is checked on its own: its base policies cannot be fetched offline,
so names they may define are not reported, nor warnings (its bases may add gates); the
app checks the merged policy.

Exit codes: 0 every file valid, 1 problems found, 2 usage error, an unreadable file or a
pattern that matches no file (every file is still checked).
`;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }
  const option = args.find((a) => a.startsWith("-"));
  if (option !== undefined) {
    io.stderr.write(`release-policy validate: unknown option "${option}"\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const { paths, unmatched } = await expandPolicyPaths(
    args.length === 0 ? [POLICY_PATH] : args,
    io.cwd,
  );
  for (const pattern of unmatched) {
    io.stderr.write(`release-policy validate: no file matches ${pattern}\n`);
  }
  const codes: number[] = unmatched.map(() => EXIT_USAGE);
  for (const path of paths) codes.push(await check(path, io));
  if (paths.length > 1) io.stdout.write(`${tally(codes.slice(unmatched.length))}\n`);
  // The worst outcome decides: an unreadable file or an empty pattern is never a pass.
  return Math.max(EXIT_OK, ...codes);
}

async function check(path: string, io: CliIo): Promise<number> {
  const read = await readBoundedFile(path, io.cwd, MAX_POLICY_BYTES);
  if ("error" in read) {
    io.stderr.write(`release-policy validate: cannot read ${path}: ${read.error}\n`);
    return EXIT_USAGE;
  }
  if ("oversize" in read) {
    io.stdout.write(`${formatProblem(oversizeProblem(path, read.oversize))}\n`);
    return EXIT_INVALID;
  }
  return report({ location: path, text: read.text }, io);
}

function report(file: PolicyFile, io: CliIo): number {
  const { policy, problems, locator } = readPolicy(file);
  if (policy?._extends !== undefined) {
    io.stderr.write(
      `note: ${file.location} extends "${policy._extends}", which cannot be fetched offline; this file was checked on its own\n`,
    );
  }
  if (!policy || !locator || problems.length > 0) {
    for (const problem of problems) io.stdout.write(`${formatProblem(problem)}\n`);
    return EXIT_INVALID;
  }
  const warnings = policy._extends === undefined ? ungatedWarnings(policy, locator) : [];
  for (const warning of warnings) {
    io.stdout.write(`${formatProblem({ ...warning, message: `warning: ${warning.message}` })}\n`);
  }
  const gates = Object.keys(policy.gates ?? {}).length;
  const warned =
    warnings.length === 0
      ? ""
      : `, ${warnings.length} ${warnings.length === 1 ? "warning" : "warnings"}`;
  io.stdout.write(`OK ${file.location}: ${gates} ${gates === 1 ? "gate" : "gates"}${warned}\n`);
  return EXIT_OK;
}

/** "3 files: 2 valid, 1 invalid, 0 unreadable" */
function tally(codes: readonly number[]): string {
  const count = (code: number): number => codes.filter((c) => c === code).length;
  return `${codes.length} files: ${count(EXIT_OK)} valid, ${count(EXIT_INVALID)} invalid, ${count(EXIT_USAGE)} unreadable`;
}

export const validateCommand: Command = {
  usage: "validate [file|pattern]...",
  summary: `Check policy files (default: ${POLICY_PATH})`,
  run,
};
