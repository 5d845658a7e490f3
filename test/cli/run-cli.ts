// Runs the command line in-process, as a test of the commands that read GitHub needs it:
// its output captured, its environment (GITHUB_TOKEN, GITHUB_API_URL) given, not inherited.
import { main } from "../../src/cli/main.js";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; now?: Date },
): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd: options.cwd,
    env: options.env,
    ...(options.now ? { now: () => options.now as Date } : {}),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** What a GitHub stand-in tells of the requests it served, per route. */
interface CountsRequests {
  requestCounts(): Record<string, number>;
}

/** Requests per route the stand-in served while `body` ran. */
export async function requestsDuring(
  github: CountsRequests,
  body: () => Promise<unknown>,
): Promise<Record<string, number>> {
  const before = github.requestCounts();
  await body();
  const after = github.requestCounts();
  return Object.fromEntries(
    Object.entries(after)
      .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}
