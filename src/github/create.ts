import { statusOf } from "./errors.js";

// Request options for a POST that creates something (a check run, a comment, an issue).
// Octokit's retry plugin repeats a request that failed with a server error or got no answer;
// for a create that answer may be lost after GitHub applied it, and a blind repeat makes a
// second one. Creates are sent once: on a failure the caller looks for what it made (by
// name, marker or label) before creating again. Rate limits are still retried: GitHub
// applied nothing then (src/service/octokit-retry.ts).
export const SEND_ONCE = { request: { retries: 0 } } as const;

/**
 * Sends a create once. When it fails without GitHub saying it refused (no answer, or a
 * server error: it may have been applied), `find` looks for what it would have made; found,
 * that is the outcome. Otherwise the error stands, and the caller's retry creates it then.
 */
export async function createOnce<T>(
  create: () => Promise<T>,
  find: () => Promise<T | undefined>,
): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (!mayHaveApplied(error)) throw error;
    const found = await find().catch(() => undefined);
    if (found === undefined) throw error;
    return found;
  }
}

/** No answer, or a server error: GitHub may have applied the request before it failed. */
export function mayHaveApplied(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status >= 500;
}
