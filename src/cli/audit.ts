// `release-policy audit OWNER/REPO --since DATE`: the release decisions of a period, from
// GitHub alone (no app store needed): deployments with their statuses, the app's decision
// and the run's approvers, and the release records opened. What is read, and its bounds, is
// in audit-read.ts; here the arguments and the two output formats.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { readAudit, TooMuch, type Audit, type Period } from "./audit-read.js";
import { connect, githubFailed, parseRepo, type RepoTarget } from "./github.js";
import { EXIT_OK, EXIT_USAGE, type CliIo, type Command, readOptions } from "./io.js";

const HELP = `Usage: release-policy audit <owner/repo> --since <date> [--until <date>] [--format json|csv] [--out <file>]

Writes the release decisions of a period, read from GitHub: each deployment created in it
(environment, ref, commit, who created it, its statuses), the decision this app gave for
it (its commit status release-policy/<environment>), who approved its workflow run, and
the release records (issues labelled release-record) opened in it.

  --since <date>   start of the period: 2026-11-01 (midnight UTC) or an ISO 8601 time
                   with an offset (2026-11-01T09:00+01:00)
  --until <date>   end of the period, exclusive for a time, the whole day for a date
                   (default: now)
  --format <f>     json (default): one object with deployments and releaseRecords;
                   csv: one row per deployment (release records only in json)
  --out <file>     write it here (default: print it)

Reads GitHub with the token in GITHUB_TOKEN, which is never printed; GITHUB_API_URL names
a GitHub Enterprise API (default https://api.github.com).

Exit codes: 0 written, 2 usage error (no GITHUB_TOKEN, a period too long to read, a file
that cannot be written), 3 GitHub refused or failed a request.
`;

type Format = "json" | "csv";

interface Options {
  target: RepoTarget;
  since: string;
  until?: string;
  format: Format;
  out?: string;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const read = readOptions(args, io, { help: HELP, parse: parseArgs, usage });
  if ("code" in read) return read.code;
  const { options } = read;
  const period = periodOf(options, io.now?.() ?? new Date());
  if (typeof period === "string") return usage(io, period);
  const client = connect("audit", io);
  if ("code" in client) return client.code;
  const { owner, repo } = options.target;
  let audit: Audit;
  try {
    audit = await readAudit(client.value, options.target, period);
  } catch (error) {
    if (error instanceof TooMuch) {
      io.stderr.write(`release-policy audit: ${error.message}\n`);
      return EXIT_USAGE;
    }
    return githubFailed("audit", io, `the history of ${owner}/${repo}`, error);
  }
  const text = options.format === "csv" ? renderCsv(audit) : `${JSON.stringify(audit, null, 2)}\n`;
  if (options.out === undefined) {
    io.stdout.write(text);
    return EXIT_OK;
  }
  try {
    await writeFile(resolve(io.cwd, options.out), text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    io.stderr.write(`release-policy audit: cannot write ${options.out}: ${why}\n`);
    return EXIT_USAGE;
  }
  io.stderr.write(
    `Wrote ${options.out}: ${count(audit.deployments.length, "deployment")} and ${count(audit.releaseRecords.length, "release record")} of ${owner}/${repo} from ${audit.since} to ${audit.until}\n`,
  );
  return EXIT_OK;
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** The CSV's columns, in order; docs/policy.md ("Audit a period") describes each. */
export const CSV_COLUMNS = [
  "deployment_id",
  "created_at",
  "environment",
  "ref",
  "sha",
  "task",
  "creator",
  "state",
  "state_at",
  "decision",
  "decision_description",
  "decided_at",
  "run_id",
  "approvers",
  "rejected_by",
] as const;

/** One row per deployment, oldest first (RFC 4180 quoting, lines ending in \n). */
export function renderCsv(audit: Audit): string {
  const rows = audit.deployments.map((d) => {
    const latest = d.statuses.at(-1);
    const row: Record<(typeof CSV_COLUMNS)[number], string> = {
      deployment_id: String(d.id),
      created_at: d.createdAt,
      environment: d.environment,
      ref: d.ref,
      sha: d.sha,
      task: d.task,
      creator: d.creator ?? "",
      state: d.state ?? "",
      state_at: latest?.at ?? "",
      decision: d.decision?.state ?? "",
      decision_description: d.decision?.description ?? "",
      decided_at: d.decision?.at ?? "",
      run_id: d.runId === null ? "" : String(d.runId),
      approvers: d.approvers?.join(" ") ?? "",
      rejected_by: d.rejectedBy?.join(" ") ?? "",
    };
    return CSV_COLUMNS.map((column) => cell(row[column]));
  });
  return [[...CSV_COLUMNS], ...rows].map((cells) => `${cells.join(",")}\n`).join("");
}

/**
 * A CSV cell. Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe: descriptions and refs are written by whoever deploys, and an audit file is
 * opened by someone else.
 */
function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** A date alone is its midnight, UTC; `end` makes it the next midnight (the whole day). */
function instantOf(text: string, end: boolean): Date | undefined {
  const date = DATE.exec(text);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const at = new Date(Date.UTC(year, month - 1, day + (end ? 1 : 0)));
    // 2026-02-30 would roll over into March: refused rather than read as another day.
    const check = new Date(Date.UTC(year, month - 1, day));
    return check.getUTCMonth() === month - 1 && check.getUTCDate() === day ? at : undefined;
  }
  if (!TIME.test(text)) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

function periodOf(options: Options, now: Date): Period | string {
  const since = instantOf(options.since, false);
  if (!since)
    return `--since "${options.since}" is not a date (2026-11-01) or a time with an offset (2026-11-01T09:00Z)`;
  const until = options.until === undefined ? now : instantOf(options.until, true);
  if (!until)
    return `--until "${options.until}" is not a date (2026-11-30) or a time with an offset (2026-11-30T18:00Z)`;
  if (until.getTime() <= since.getTime()) {
    return `the period is empty: --until (${until.toISOString()}) is not after --since (${since.toISOString()})`;
  }
  return { since, until };
}

function parseArgs(args: readonly string[]): Options | string {
  const positional: string[] = [];
  const values: Partial<Record<"--since" | "--until" | "--format" | "--out", string>> = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === "--since" || arg === "--until" || arg === "--format" || arg === "--out") {
      const value = args[i + 1];
      if (value === undefined) return `${arg} needs a value`;
      values[arg] = value;
      i += 1;
    } else if (arg.startsWith("-")) return `unknown option "${arg}"`;
    else positional.push(arg);
  }
  const [named, ...extra] = positional;
  if (named === undefined) return "expected a repository: OWNER/REPO";
  if (extra.length > 0) return "expected one repository";
  const target = parseRepo(named);
  if (!target) return `"${named}" is not a repository: expected OWNER/REPO (acme/shop)`;
  const since = values["--since"];
  if (since === undefined) return "--since is required: the start of the period (2026-11-01)";
  const format = values["--format"] ?? "json";
  if (format !== "json" && format !== "csv") return `--format "${format}": expected json or csv`;
  return {
    target,
    since,
    format,
    ...(values["--until"] === undefined ? {} : { until: values["--until"] }),
    ...(values["--out"] === undefined ? {} : { out: values["--out"] }),
  };
}

function usage(io: CliIo, why: string): number {
  io.stderr.write(`release-policy audit: ${why}\n\n${HELP}`);
  return EXIT_USAGE;
}

export const auditCommand: Command = {
  usage: "audit <owner/repo> --since <date>",
  summary: "Write a period's deployments, decisions, approvers and release records from GitHub",
  run,
};
