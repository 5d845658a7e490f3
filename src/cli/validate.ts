// `release-policy validate [file]`: checks one policy file offline and prints each problem
// as file:line:column, so editors and CI logs link straight to it.
import { oversizeProblem, parsePolicy } from "../policy/parse.js";
import { formatProblem } from "../policy/problems.js";
import { MAX_POLICY_BYTES, POLICY_PATH, type PolicyFile } from "../policy/types.js";
import { readBoundedFile } from "./files.js";
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from "./io.js";

const HELP = `Usage: release-policy validate [file]

Checks a release policy file (default: ${POLICY_PATH}).
Prints "OK" and the number of gates when it is valid, else one line per problem:
  file:line:column: key.path: what is wrong

A file with _extends is checked on its own: its base policies cannot be fetched offline,
so names they may define are not reported; the app checks the merged policy.

Exit codes: 0 valid, 1 problems found, 2 usage error or unreadable file.
`;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }
  const option = args.find((a) => a.startsWith("-"));
  if (option !== undefined || args.length > 1) {
    const why = option !== undefined ? `unknown option "${option}"` : "expected at most one file";
    io.stderr.write(`release-policy validate: ${why}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const path = args[0] ?? POLICY_PATH;
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
  const { policy, problems } = parsePolicy(file);
  if (policy?._extends !== undefined) {
    io.stderr.write(
      `note: ${file.location} extends "${policy._extends}", which cannot be fetched offline; this file was checked on its own\n`,
    );
  }
  if (!policy || problems.length > 0) {
    for (const problem of problems) io.stdout.write(`${formatProblem(problem)}\n`);
    return EXIT_INVALID;
  }
  const gates = Object.keys(policy.gates ?? {}).length;
  io.stdout.write(`OK ${file.location}: ${gates} ${gates === 1 ? "gate" : "gates"}\n`);
  return EXIT_OK;
}

export const validateCommand: Command = {
  usage: "validate [file]",
  summary: `Check a policy file (default: ${POLICY_PATH})`,
  run,
};
