// `release-policy explain <facts.json>`: evaluates a pull request's recorded facts under a
// policy file and prints the same result tree the check run shows, so a developer can see
// why a change is blocked, or a policy author can try a change to the rules, offline.
import { evaluatePullRequest } from "../evaluate/pull-request.js";
import { describeFactsProblems, pullRequestFactsSchema } from "../facts/recorded.js";
import type { PullRequestFacts } from "../facts/types.js";
import { POLICY_PATH } from "../policy/types.js";
import { renderText } from "../report/text.js";
import { readBoundedFile } from "./files.js";
import {
  EXIT_INVALID,
  EXIT_USAGE,
  exitCodeOf,
  type CliIo,
  type Command,
  readOptions,
} from "./io.js";
import {
  cannotRead,
  LOCAL_REPO,
  readPolicyArg,
  type LocalBases,
  type Outcome,
} from "./policy-arg.js";

/** A pull request's facts are a few kilobytes; a larger file is not one. */
export const MAX_FACTS_BYTES = 1024 * 1024;

const HELP = `Usage: release-policy explain <facts.json> [--policy <file>] [--now <time>] [--json]

Evaluates a pull request's recorded facts (JSON, the shape in docs/policy.md, "Explain a
decision") under a policy file (default: ${POLICY_PATH}) and prints each gate: its
status, why, and how to satisfy it.

  --policy <file>  the policy to judge by
  --bases <dir>    where the bases it extends are: <dir>/<owner>/<repo>/<path>
  --repo <o/r>     the policy's own repository (default: ${LOCAL_REPO})
  --now <time>     evaluate as of this ISO 8601 time (default: now)
  --json           print the result tree as JSON instead of text

A policy with _extends cannot be explained offline: its base policies cannot be fetched.

Exit codes: 0 every gate holds, 1 a gate fails or waits (or the policy or facts are
invalid), 2 usage error or unreadable file.
`;

interface Options {
  factsPath: string;
  policyPath: string;
  bases: LocalBases;
  now?: string;
  json: boolean;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const read = readOptions(args, io, { help: HELP, parse: parseArgs, usage });
  if ("code" in read) return read.code;
  const { options } = read;
  const now = options.now === undefined ? (io.now?.() ?? new Date()) : new Date(options.now);
  if (Number.isNaN(now.getTime())) return usage(io, `--now "${options.now}" is not a time`);
  const policy = await readPolicyArg("explain", options.policyPath, io, options.bases);
  if ("code" in policy) return policy.code;
  const facts = await readFactsArg(options.factsPath, io);
  if ("code" in facts) return facts.code;
  const evaluation = evaluatePullRequest(policy.value, facts.value, now);
  io.stdout.write(
    options.json ? `${JSON.stringify(evaluation, null, 2)}\n` : renderText(evaluation),
  );
  return exitCodeOf(evaluation);
}

function parseArgs(args: readonly string[]): Options | string {
  const positional: string[] = [];
  const options: Partial<Options> = { json: false };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === "--json") options.json = true;
    else if (arg === "--policy" || arg === "--now" || arg === "--bases" || arg === "--repo") {
      const value = args[i + 1];
      if (value === undefined) return `${arg} needs a value`;
      if (arg === "--policy") options.policyPath = value;
      else if (arg === "--bases") options.bases = { ...options.bases, dir: value };
      else if (arg === "--repo") options.bases = { ...options.bases, repo: value };
      else options.now = value;
      i += 1;
    } else if (arg.startsWith("-")) return `unknown option "${arg}"`;
    else positional.push(arg);
  }
  const [factsPath, ...extra] = positional;
  if (factsPath === undefined) return "expected a facts file";
  if (extra.length > 0) return "expected one facts file";
  return {
    factsPath,
    policyPath: options.policyPath ?? POLICY_PATH,
    bases: options.bases ?? {},
    json: options.json ?? false,
    ...(options.now === undefined ? {} : { now: options.now }),
  };
}

function usage(io: CliIo, why: string): number {
  io.stderr.write(`release-policy explain: ${why}\n\n${HELP}`);
  return EXIT_USAGE;
}

async function readFactsArg(path: string, io: CliIo): Promise<Outcome<PullRequestFacts>> {
  const read = await readBoundedFile(path, io.cwd, MAX_FACTS_BYTES);
  if ("error" in read) return cannotRead("explain", io, path, read.error);
  if ("oversize" in read) {
    return cannotRead(
      "explain",
      io,
      path,
      `it is ${read.oversize} bytes; facts files are at most ${MAX_FACTS_BYTES}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (error) {
    io.stdout.write(
      `${path}: not JSON: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return { code: EXIT_INVALID };
  }
  const parsed = pullRequestFactsSchema.safeParse(json);
  if (!parsed.success) {
    for (const line of describeFactsProblems(parsed.error)) io.stdout.write(`${path}: ${line}\n`);
    return { code: EXIT_INVALID };
  }
  return { value: parsed.data };
}

export const explainCommand: Command = {
  usage: "explain <facts.json>",
  summary: "Evaluate a pull request's recorded facts and say why each gate holds or not",
  run,
};
