#!/usr/bin/env node
// The release-policy command line. `main` takes its arguments and streams, so tests call it
// directly; the few lines at the bottom are the only ones that touch the real process.
import { realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { EXIT_OK, EXIT_USAGE, type CliIo, type Command } from "./io.js";
import { auditCommand } from "./audit.js";
import { doctorCommand } from "./doctor.js";
import { explainCommand } from "./explain.js";
import { factsCommand } from "./facts.js";
import { simulateCommand } from "./simulate.js";
import { validateCommand } from "./validate.js";

export type { CliIo, Command } from "./io.js";

/** Every verb. Add a command here and it appears in the help and dispatch. */
export const commands: Record<string, Command> = {
  validate: validateCommand,
  explain: explainCommand,
  simulate: simulateCommand,
  facts: factsCommand,
  audit: auditCommand,
  doctor: doctorCommand,
};

/**
 * The version in package.json, which sits two directories up from both src/cli/ and
 * dist/cli/: one number for the app and its command line, never a copy to keep in step.
 */
export async function version(): Promise<string> {
  const manifest: unknown = JSON.parse(
    await readFile(new URL("../../package.json", import.meta.url), "utf8"),
  );
  const value =
    typeof manifest === "object" && manifest !== null && "version" in manifest
      ? manifest.version
      : undefined;
  if (typeof value !== "string") throw new Error("package.json has no version");
  return value;
}

export function helpText(): string {
  const verbs = Object.values(commands);
  const width = Math.max(...verbs.map((c) => c.usage.length));
  return [
    "Usage: release-policy <command> [arguments]",
    "",
    "Commands:",
    ...verbs.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    "",
    "Run release-policy <command> --help for a command's details;",
    "release-policy --version prints the version.",
    "",
  ].join("\n");
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === "--help" || verb === "-h" || verb === "help") {
    io.stdout.write(helpText());
    return EXIT_OK;
  }
  if (verb === "--version") {
    io.stdout.write(`release-policy ${await version()}\n`);
    return EXIT_OK;
  }
  if (verb === undefined) {
    io.stderr.write(helpText());
    return EXIT_USAGE;
  }
  const command = Object.hasOwn(commands, verb) ? commands[verb] : undefined;
  if (!command) {
    io.stderr.write(`release-policy: unknown command "${verb}"\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  return command.run(rest, io);
}

/** True when this module is the program node was started with (directly or via a bin link). */
function isEntryPoint(): boolean {
  const started = process.argv[1];
  if (!started) return false;
  try {
    return realpathSync(started) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const io = {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `release-policy: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = EXIT_USAGE;
    },
  );
}
