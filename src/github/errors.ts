/** True when GitHub answered 404: the thing does not exist (or the app may not see it). */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

export function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

/** A short, token-free description of a failed request for logs and user-facing reasons. */
export function describeError(error: unknown): string {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  // Octokit reports a request that got no answer (a dropped connection) as status 500
  // without a response: it is not GitHub's answer.
  if (status !== undefined && isUnanswered(error)) return `GitHub did not answer: ${message}`;
  return status ? `GitHub answered ${status}: ${message}` : message;
}

function isUnanswered(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "request" in error &&
    (error as { response?: unknown }).response === undefined
  );
}

/** The parts of an Octokit RequestError that say why GitHub refused, when it answered. */
interface Answered {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

function answerOf(error: unknown): Answered {
  return typeof error === "object" && error !== null ? (error as Answered) : {};
}

function headerOf(error: unknown, name: string): string | undefined {
  const value = answerOf(error).response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/**
 * GitHub refused for the rate: a primary limit (403 or 429 with `x-ratelimit-remaining: 0`),
 * a secondary limit (403 or 429 saying so, or with `retry-after`), or any 429.
 */
export function isRateLimited(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 429) return true;
  if (status !== 403) return false;
  return (
    headerOf(error, "retry-after") !== undefined ||
    headerOf(error, "x-ratelimit-remaining") === "0" ||
    /\b(secondary )?rate limit/i.test(answerOf(error).message ?? "")
  );
}

/**
 * A failure that may pass by itself, so trying again later is right: GitHub's server errors,
 * rate limits, and no answer at all (a dropped connection, a timeout; Octokit reports those
 * as status 500 without a response, or as no status). A 4xx other than a rate limit is the
 * app's or the installation's to fix: trying again would fail the same way.
 */
export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status >= 500 || isRateLimited(error);
}

/**
 * How long GitHub asked to wait before the next request, in milliseconds from `now`:
 * `retry-after` (seconds) first, else the primary limit's `x-ratelimit-reset` (epoch seconds)
 * when the quota is spent, else a minute for a secondary limit that named no time (GitHub's
 * advice). Undefined when the error is no rate limit.
 */
export function retryAfterMs(error: unknown, now: Date): number | undefined {
  if (!isRateLimited(error)) return undefined;
  const after = Number(headerOf(error, "retry-after"));
  if (headerOf(error, "retry-after") !== undefined && Number.isFinite(after)) {
    return Math.max(0, after * 1000);
  }
  const reset = Number(headerOf(error, "x-ratelimit-reset"));
  if (headerOf(error, "x-ratelimit-remaining") === "0" && Number.isFinite(reset)) {
    return Math.max(0, reset * 1000 - now.getTime());
  }
  return 60_000;
}
