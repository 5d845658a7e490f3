// `release-policy doctor`: the app's own settings checked end to end, from the environment
// the server reads, one line per check saying what holds or what to set. Values of settings
// are never printed: only their names.
import { githubCredentials, storeCheck, webhookSecret, type DoctorLine } from "./doctor-app.js";
import { changeSystemChecks } from "./doctor-change-systems.js";
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, readOptions, type CliIo, type Command } from "./io.js";

const HELP = `Usage: release-policy doctor [--change <number>] [--states <a,b>]

Checks the app's settings from the environment the server reads: the GitHub App's
credentials (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH) and WEBHOOK_SECRET; the store
(REDIS_URL answers, or the state file in DATA_DIR opens); and each configured change
system (SERVICENOW_*, JIRA_*): reached, credentials accepted, change records readable,
the states it displays. Prints one line per check: ok, FAIL (with what to set or fix)
or skip. No setting's value is printed.

Options:
  --change <number>  also read this change (CHG0000001, or a Jira key such as OPS-42)
                     and judge its state and approval as a change_record gate does
  --states <a,b>     the states that count, as the gate's \`states\` (default for
                     ServiceNow: Scheduled, Implement; a Jira gate always names them);
                     with --change, they apply to that change's system only

Exit codes: 0 every configured check passes, 1 a check failed, 2 usage error.
`;

interface Options {
  change?: string;
  states?: string[];
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const read = readOptions(args, io, { help: HELP, parse: parseArgs, usage });
  if ("code" in read) return read.code;
  const env = io.env ?? {};
  const lines: DoctorLine[] = [
    githubCredentials(env, io.cwd),
    webhookSecret(env),
    await storeCheck(env, io.cwd),
    ...(await changeSystemChecks(env, { ...read.options, now: io.now?.() ?? new Date() })),
  ];
  const width = Math.max(...lines.map((l) => l.check.length));
  for (const line of lines) {
    io.stdout.write(`${line.status.padEnd(4)}  ${line.check.padEnd(width)}  ${line.text}\n`);
  }
  return lines.some((l) => l.status === "FAIL") ? EXIT_INVALID : EXIT_OK;
}

function parseArgs(args: readonly string[]): Options | string {
  const options: Options = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    const value = args[i + 1];
    if (arg !== "--change" && arg !== "--states") return `unknown argument "${arg}"`;
    if (value === undefined || value === "") return `${arg} needs a value`;
    i += 1;
    if (arg === "--change") options.change = value;
    else
      options.states = value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    if (options.states?.length === 0) return "--states needs at least one state name";
  }
  return options;
}

function usage(io: CliIo, why: string): number {
  io.stderr.write(`release-policy doctor: ${why}\n\n${HELP}`);
  return EXIT_USAGE;
}

export const doctorCommand: Command = {
  usage: "doctor [--change <number>]",
  summary: "Check the app's own settings: GitHub App, webhook secret, store, ServiceNow, Jira",
  run,
};
