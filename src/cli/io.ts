// What every command shares: the streams it writes to, its shape, and the exit codes.
// Kept apart from main.ts so commands never import the module that imports them.
import type { Evaluation } from "../model/result.js";

/** Where a command writes, and the directory relative paths are read from. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  cwd: string;
  /** The current time; commands that evaluate default to it. Injected by tests. */
  now?: () => Date;
  /**
   * The environment the commands that read GitHub take their settings from (GITHUB_TOKEN,
   * GITHUB_API_URL, RETRY_BASE_MS); the process's own when run as a program. Absent: none.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  /** "validate [file]": the verb and its arguments, as the help shows them. */
  usage: string;
  summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Success: the policy is valid. */
export const EXIT_OK = 0;
/** The input is wrong: the policy has problems. */
export const EXIT_INVALID = 1;
/** The invocation is wrong: bad arguments, or a file that cannot be read. */
export const EXIT_USAGE = 2;
/** GitHub refused or failed a request: nothing was written. */
export const EXIT_GITHUB = 3;

/** What a judged evaluation exits with: 0 when every applicable gate holds, else 1. */
export function exitCodeOf(evaluation: Evaluation): number {
  const blocked = evaluation.gates.some((g) => g.status !== "pass" && g.status !== "skipped");
  return evaluation.conclusion === "success" && !blocked ? EXIT_OK : EXIT_INVALID;
}

/**
 * A command's options from its arguments, or the exit code once its help (--help) or a
 * usage error (what `parse` refused, then `usage`) has been printed.
 */
export function readOptions<T>(
  args: readonly string[],
  io: CliIo,
  command: {
    help: string;
    parse: (args: readonly string[]) => T | string;
    usage: (io: CliIo, why: string) => number;
  },
): { options: T } | { code: number } {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(command.help);
    return { code: EXIT_OK };
  }
  const options = command.parse(args);
  return typeof options === "string" ? { code: command.usage(io, options) } : { options };
}
