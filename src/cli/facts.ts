// `release-policy facts OWNER/REPO#N`: records a real pull request's facts, for `explain`.
// The same reads as the app's: the policy from the default branch (src/policy/inherit.ts
// through github-source.ts) says what its pull-request gates need (src/evaluate/needs.ts),
// and the app's gatherer (src/facts/pull-request.ts) reads exactly that. What only the app
// knows (its signed checklist ticks, who pushed) is left out and said so.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pullRequestNeeds } from "../evaluate/needs.js";
import {
  changeSystemsFromEnv,
  createChangeRecordReader,
  type ChangeSystemsConfig,
} from "../facts/change-record-clients.js";
import { FactCache } from "../facts/fact-cache.js";
import { gatherPullRequestFacts } from "../facts/pull-request.js";
import { describeFactsProblems, pullRequestFactsSchema } from "../facts/recorded.js";
import { teamReader } from "../facts/teams.js";
import type { PullRequestFacts, RepoRef } from "../facts/types.js";
import type { Octokit } from "../github/types.js";
import { githubPolicySource } from "../policy/github-source.js";
import { loadPolicy } from "../policy/inherit.js";
import { formatProblem } from "../policy/problems.js";
import {
  MAX_POLICY_BYTES,
  POLICY_PATH,
  type LoadedPolicy,
  type PolicyFile,
  type PolicySource,
} from "../policy/types.js";
import { MemoryStore } from "../store/memory.js";
import { readBoundedFile } from "./files.js";
import { connect, githubFailed, parsePull, type RepoTarget } from "./github.js";
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo, type Command, readOptions } from "./io.js";
import { cannotRead } from "./policy-arg.js";

const HELP = `Usage: release-policy facts <owner/repo#number> [--out <file>] [--policy <file>]

Records a pull request's facts from GitHub, as the app gathers them, in the file format
explain reads: the policy on the repository's default branch says what its pull-request
gates need, and nothing else is read. Then: release-policy explain <file>.

  --out <file>     write the facts here (default: print them)
  --policy <file>  gather what this policy file's gates need instead (a policy author's
                   draft); the bases it extends are read from GitHub

Reads GitHub with the token in GITHUB_TOKEN, which is never printed; GITHUB_API_URL names
a GitHub Enterprise API (default https://api.github.com).
Change records (change_record gates) are read from ServiceNow or Jira with the app's own
variables (SERVICENOW_URL with SERVICENOW_USER/SERVICENOW_PASSWORD or SERVICENOW_CLIENT_ID/
SERVICENOW_CLIENT_SECRET; JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN; CHANGE_SYSTEM_TIMEOUT_MS);
a system left unset is recorded as not configured.

Not recorded: checklist ticks (the app signs them with its own secret) and who pushed the
head commit (the app learns it from push events); a note says when a gate needs them.

Exit codes: 0 written, 1 no policy or an invalid one, 2 usage error (no GITHUB_TOKEN, a
file that cannot be read or written), 3 GitHub refused or failed a request.
`;

interface Options {
  target: RepoTarget & { number: number };
  out?: string;
  policyPath?: string;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const read = readOptions(args, io, { help: HELP, parse: parseArgs, usage });
  if ("code" in read) return read.code;
  const { options } = read;
  const client = connect("facts", io);
  if ("code" in client) return client.code;
  // The app's own settings: change_record gates read the same ServiceNow or Jira it does.
  let changeSystems: ChangeSystemsConfig;
  try {
    changeSystems = changeSystemsFromEnv(io.env ?? {});
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    io.stderr.write(`release-policy facts: ${why}\n`);
    return EXIT_USAGE;
  }
  let draft: PolicyFile | undefined;
  if (options.policyPath !== undefined) {
    const read = await readBoundedFile(options.policyPath, io.cwd, MAX_POLICY_BYTES);
    if ("error" in read) return cannotRead("facts", io, options.policyPath, read.error).code;
    if ("oversize" in read) {
      const why = `it is ${read.oversize} bytes; a policy is at most ${MAX_POLICY_BYTES}`;
      return cannotRead("facts", io, options.policyPath, why).code;
    }
    draft = { location: options.policyPath, text: read.text };
  }
  const { owner, repo, number } = options.target;
  let reading = `the repository ${owner}/${repo}`;
  try {
    const octokit = client.value;
    const { data: repository } = await octokit.rest.repos.get({ owner, repo });
    const ref: RepoRef = {
      owner: repository.owner.login,
      repo: repository.name,
      defaultBranch: repository.default_branch,
    };
    reading = `the release policy of ${owner}/${repo}`;
    const loaded = await loadPolicy(policySource(octokit, ref, draft), ref.owner, ref.repo, {
      organization: repository.owner.type === "Organization",
    });
    if (loaded.kind !== "valid") return unusablePolicy(io, ref, loaded);
    reading = `the pull request ${owner}/${repo}#${number}`;
    const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
    const needs = pullRequestNeeds(loaded.policy, ref.owner);
    // One command, one look: nothing is kept, so a plain in-memory store serves the caches.
    const store = new MemoryStore();
    const now = io.now ?? (() => new Date());
    const gathered = await gatherPullRequestFacts({
      octokit,
      repo: ref,
      pr,
      needs,
      teams: teamReader(octokit, store),
      checklist: { ticks: {} },
      cache: new FactCache(store, now),
      isOwnRun: () => false,
      changeRecords: createChangeRecordReader(changeSystems, { now: () => now().getTime() }),
    });
    const facts = recordable(gathered.facts);
    const checked = pullRequestFactsSchema.safeParse(facts);
    if (!checked.success) {
      io.stderr.write(`release-policy facts: GitHub's answers do not fit the facts file:\n`);
      for (const line of describeFactsProblems(checked.error)) io.stderr.write(`  ${line}\n`);
      return EXIT_INVALID;
    }
    const written = await output(io, options.out, `${JSON.stringify(checked.data, null, 2)}\n`);
    if (written !== EXIT_OK) return written;
    if (needs.checklistItems.length > 0) {
      io.stderr.write(
        "note: checklist ticks are not recorded (the app signs them with its own secret): every item reads as unticked; add the ticks the checklist comment shows under checklist.ticks to judge with them\n",
      );
    }
    if (needs.pusher) {
      io.stderr.write(
        "note: who pushed the head commit is not recorded (the app learns it from push events): a gate that excludes the pusher sets one approval aside\n",
      );
    }
    const policyAt = loaded.files[0]?.location ?? `${ref.owner}/${ref.repo}:${POLICY_PATH}`;
    const file = options.out ?? "<file>";
    io.stderr.write(
      `Recorded ${owner}/${repo}#${number} at ${pr.head.sha.slice(0, 7)}, reading what the gates of ${policyAt} need.\n` +
        `Next: release-policy explain ${file} (in a checkout of ${ref.owner}/${ref.repo}'s ${ref.defaultBranch}, or with --policy)\n`,
    );
    return EXIT_OK;
  } catch (error) {
    return githubFailed("facts", io, reading, error);
  }
}

/**
 * The policy files as the app reads them, from default branches; with a draft, the
 * repository's own file is the draft instead.
 */
function policySource(octokit: Octokit, ref: RepoRef, draft?: PolicyFile): PolicySource {
  const github = githubPolicySource(octokit);
  if (!draft) return github;
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  return {
    read: (owner, repo, path) =>
      same(owner, ref.owner) && same(repo, ref.repo) && path === POLICY_PATH
        ? Promise.resolve(draft)
        : github.read(owner, repo, path),
  };
}

function unusablePolicy(
  io: CliIo,
  ref: RepoRef,
  loaded: Exclude<LoadedPolicy, { kind: "valid" }>,
): number {
  if (loaded.kind === "none") {
    io.stderr.write(
      `release-policy facts: ${ref.owner}/${ref.repo} has no release policy (${POLICY_PATH} on its default branch, or its owner's .github repository's), so no gate says what to gather; give one with --policy <file>\n`,
    );
    return EXIT_INVALID;
  }
  io.stdout.write(`The policy is invalid: no fact was gathered.\n`);
  for (const problem of loaded.problems) io.stdout.write(`${formatProblem(problem)}\n`);
  return EXIT_INVALID;
}

/**
 * The facts as the file holds them. The file names the repository only by owner, name and
 * default branch; a review still pending has no time (only its author sees it, and it
 * counts for nothing), so it is left out.
 */
function recordable(facts: PullRequestFacts): PullRequestFacts {
  const { owner, repo, defaultBranch } = facts.repo;
  return {
    ...facts,
    repo: { owner, repo, defaultBranch },
    reviews: facts.reviews.filter((review) => review.submittedAt !== ""),
  };
}

async function output(io: CliIo, out: string | undefined, text: string): Promise<number> {
  if (out === undefined) {
    io.stdout.write(text);
    return EXIT_OK;
  }
  try {
    await writeFile(resolve(io.cwd, out), text);
    return EXIT_OK;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    io.stderr.write(`release-policy facts: cannot write ${out}: ${why}\n`);
    return EXIT_USAGE;
  }
}

function parseArgs(args: readonly string[]): Options | string {
  const positional: string[] = [];
  let out: string | undefined;
  let policyPath: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === "--out" || arg === "--policy") {
      const value = args[i + 1];
      if (value === undefined) return `${arg} needs a value`;
      if (arg === "--out") out = value;
      else policyPath = value;
      i += 1;
    } else if (arg.startsWith("-")) return `unknown option "${arg}"`;
    else positional.push(arg);
  }
  const [named, ...extra] = positional;
  if (named === undefined) return "expected a pull request: OWNER/REPO#NUMBER";
  if (extra.length > 0) return "expected one pull request";
  const target = parsePull(named);
  if (!target) return `"${named}" is not a pull request: expected OWNER/REPO#NUMBER (acme/shop#42)`;
  return {
    target,
    ...(out === undefined ? {} : { out }),
    ...(policyPath === undefined ? {} : { policyPath }),
  };
}

function usage(io: CliIo, why: string): number {
  io.stderr.write(`release-policy facts: ${why}\n\n${HELP}`);
  return EXIT_USAGE;
}

export const factsCommand: Command = {
  usage: "facts <owner/repo#number>",
  summary: "Record a pull request's facts from GitHub, for explain",
  run,
};
