// `release-policy validate [file|pattern]...`: checks policy files offline (one repository's,
// or every repository's of an organisation at once) and prints each problem as
// file:line:column, so editors and CI logs link straight to it. With --bases, each file is
// merged with its bases and its organization's required base, as the app loads it.
import { relative, resolve, sep } from "node:path";
import { ungatedWarnings } from "../policy/coverage.js";
import { oversizeProblem, readPolicy } from "../policy/parse.js";
import type { PolicyProblem } from "../model/result.js";
import { formatProblem } from "../policy/problems.js";
import { MAX_POLICY_BYTES, POLICY_PATH, type PolicyFile } from "../policy/types.js";
import { readBoundedFile } from "./files.js";
import { loadLocally } from "./policy-arg.js";
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from "./io.js";
import { expandPolicyPaths } from "./policy-files.js";
import { workflowCommand } from "./workflow-commands.js";

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

Options:
  --bases <dir>    check each file merged as the app merges it: with the bases it extends
                   and its owner's required base, read from <dir>/<owner>/<repo>/<path>
                   (an organization's base at <dir>/<owner>/.github/.github/release-policy.yml)
  --repo <o/r>     with --bases: the files' own repository (default: OWNER/REPO for a
                   file at <dir>/OWNER/REPO/.github/release-policy.yml, else local/repo)
  --format <f>     text (default) or github: each problem as a GitHub Actions workflow
                   command, ::error file=<path>,line=<l>,col=<c>,title=<key>::<message>
                   (warnings as ::warning), which annotates the line at fault; the default
                   when GITHUB_ACTIONS=true

Exit codes: 0 every file valid, 1 problems found, 2 usage error, an unreadable file or a
pattern that matches no file (every file is still checked).
`;

const FORMATS = ["text", "github"] as const;
type Format = (typeof FORMATS)[number];

interface Options {
  patterns: string[];
  bases?: { dir: string; repo?: string };
  format?: Format;
}

function parseArgs(args: readonly string[]): Options | string {
  const patterns: string[] = [];
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--bases" || arg === "--repo" || arg === "--format") {
      const value = args[++i];
      if (value === undefined || value.startsWith("-")) return `${arg} needs a value`;
      values[arg] = value;
    } else if (arg.startsWith("-")) return `unknown option "${arg}"`;
    else patterns.push(arg);
  }
  const { "--bases": dir, "--repo": repo, "--format": format } = values;
  if (repo !== undefined && dir === undefined) return "--repo needs --bases";
  if (format !== undefined && !isFormat(format)) {
    return `--format must be ${FORMATS.join(" or ")}, not "${format}"`;
  }
  const options: Options = { patterns };
  if (dir !== undefined) options.bases = repo === undefined ? { dir } : { dir, repo };
  if (format !== undefined) options.format = format;
  return options;
}

function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/** How problems are printed: as file:line:col lines, or as GitHub Actions annotations. */
interface Printer {
  problem(problem: PolicyProblem): string;
  warning(problem: PolicyProblem): string;
}

const PRINTERS: Record<Format, Printer> = {
  text: {
    problem: formatProblem,
    warning: (p) => formatProblem({ ...p, message: `warning: ${p.message}` }),
  },
  github: {
    problem: (p) => workflowCommand("error", p),
    warning: (p) => workflowCommand("warning", p),
  },
};

/** --format, else github inside a GitHub Actions job (which sets GITHUB_ACTIONS=true). */
function printerFor(options: Options, io: CliIo): Printer {
  const format = options.format ?? (io.env?.["GITHUB_ACTIONS"] === "true" ? "github" : "text");
  return PRINTERS[format];
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }
  const options = parseArgs(args);
  if (typeof options === "string") {
    io.stderr.write(`release-policy validate: ${options}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const { paths, unmatched } = await expandPolicyPaths(
    options.patterns.length === 0 ? [POLICY_PATH] : options.patterns,
    io.cwd,
  );
  for (const pattern of unmatched) {
    io.stderr.write(`release-policy validate: no file matches ${pattern}\n`);
  }
  const codes: number[] = unmatched.map(() => EXIT_USAGE);
  const print = printerFor(options, io);
  for (const path of paths) codes.push(await check(path, io, print, options.bases));
  if (paths.length > 1) io.stdout.write(`${tally(codes.slice(unmatched.length))}\n`);
  // The worst outcome decides: an unreadable file or an empty pattern is never a pass.
  return Math.max(EXIT_OK, ...codes);
}

async function check(
  path: string,
  io: CliIo,
  print: Printer,
  bases: Options["bases"],
): Promise<number> {
  const read = await readBoundedFile(path, io.cwd, MAX_POLICY_BYTES);
  if ("error" in read) {
    io.stderr.write(`release-policy validate: cannot read ${path}: ${read.error}\n`);
    return EXIT_USAGE;
  }
  if ("oversize" in read) {
    io.stdout.write(`${print.problem(oversizeProblem(path, read.oversize))}\n`);
    return EXIT_INVALID;
  }
  const file = { location: path, text: read.text };
  if (!bases) return report(file, io, print);
  const repo = bases.repo ?? repoOfCheckout(path, bases.dir, io.cwd);
  return reportMerged(file, repo === undefined ? bases : { ...bases, repo }, io, print);
}

/**
 * "OWNER/REPO" for a file at <dir>/OWNER/REPO/.github/release-policy.yml: the bases' layout
 * is that of an organization's repositories checked out side by side, so each one's own file
 * is judged as its repository's, with its owner's required base.
 */
function repoOfCheckout(path: string, dir: string, cwd: string): string | undefined {
  const inside = relative(resolve(cwd, dir), resolve(cwd, path)).split(sep);
  const [owner, repo, ...rest] = inside;
  const isOwnFile = rest.join("/") === POLICY_PATH && owner !== ".." && owner !== undefined;
  return isOwnFile && repo !== undefined ? `${owner}/${repo}` : undefined;
}

/** The file merged with its bases and its owner's required base, as the app would load it. */
async function reportMerged(
  file: PolicyFile,
  bases: NonNullable<Options["bases"]>,
  io: CliIo,
  print: Printer,
): Promise<number> {
  const outcome = await loadLocally("validate", file, bases, io);
  if ("code" in outcome) return outcome.code;
  const loaded = outcome.value;
  if (loaded.kind !== "valid") {
    const problems = loaded.kind === "invalid" ? loaded.problems : [];
    for (const problem of problems) io.stdout.write(`${print.problem(problem)}\n`);
    return EXIT_INVALID;
  }
  const gates = Object.keys(loaded.policy.gates ?? {}).length;
  io.stdout.write(`OK ${file.location}: ${gates} ${gates === 1 ? "gate" : "gates"}, merged\n`);
  return EXIT_OK;
}

function report(file: PolicyFile, io: CliIo, print: Printer): number {
  const { policy, problems, locator } = readPolicy(file);
  if (policy?._extends !== undefined) {
    io.stderr.write(
      `note: ${file.location} extends "${policy._extends}", which cannot be fetched offline; this file was checked on its own\n`,
    );
  }
  if (!policy || !locator || problems.length > 0) {
    for (const problem of problems) io.stdout.write(`${print.problem(problem)}\n`);
    return EXIT_INVALID;
  }
  const warnings = policy._extends === undefined ? ungatedWarnings(policy, locator) : [];
  for (const warning of warnings) io.stdout.write(`${print.warning(warning)}\n`);
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
