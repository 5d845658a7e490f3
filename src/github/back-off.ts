// How long to wait before trying GitHub again. One unit (RETRY_BASE_MS, 1 s by default)
// scales every back-off of the app, so tests can shrink them all at once; waits GitHub names
// itself (`retry-after`, a rate limit's reset) are never shortened.

export const DEFAULT_RETRY_BASE_MS = 1000;

/** A failed evaluation is tried again this many times before it is left to the next event. */
export const RE_EVALUATION_ATTEMPTS = 8;

/** `RETRY_BASE_MS` from the environment; a value that is not a positive number is refused. */
export function retryBaseMsOf(env: NodeJS.ProcessEnv): number {
  const raw = env.RETRY_BASE_MS?.trim();
  if (!raw) return DEFAULT_RETRY_BASE_MS;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`RETRY_BASE_MS must be a positive number of milliseconds, not "${raw}"`);
  }
  return value;
}

/**
 * The wait before re-evaluation number `attempt` (1, 2, …): 10 units, doubling, at most
 * 600 (10 minutes by default), and never sooner than GitHub asked (`retryAfter`).
 */
export function reEvaluationDelayMs(baseMs: number, attempt: number, retryAfterMs = 0): number {
  const backOff = Math.min(600, 10 * 2 ** (attempt - 1)) * baseMs;
  return Math.max(backOff, retryAfterMs);
}
