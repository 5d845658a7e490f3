// Which failed requests the service's GitHub clients try again by themselves, and when.
//
// - A rate limit (primary or secondary, 403 or 429 naming it) means GitHub did not apply the
//   request: every request, writes and creates too, waits for the time GitHub names
//   (`retry-after`, `x-ratelimit-reset`) and is sent again, up to RATE_LIMIT_RETRIES times.
//   Probot's own handler retries no secondary limit, so a throttled write was simply lost.
// - A server error or a dropped connection may come after GitHub applied the request:
//   Octokit's retry plugin repeats reads and updates (they are idempotent), after 1, 4 and 9
//   units of RETRY_BASE_MS. Creates opt out (`request: { retries: 0 }`, src/github/create.ts)
//   and look for what they made before making it again.
// - A wait longer than RATE_LIMIT_MAX_WAIT_S is not spent holding a request: the evaluation
//   fails, says why, and is re-evaluated once the limit resets (src/pipeline/re-evaluation.ts).
import type { ProbotOctokit } from "probot";

export const RATE_LIMIT_RETRIES = 3;
export const RATE_LIMIT_MAX_WAIT_S = 60;

type OctokitClass = typeof ProbotOctokit;

interface LimitedRequest {
  method: string;
  url: string;
}

interface Logging {
  log: { warn: (message: string) => void };
}

/** The throttling plugin's handlers: true tells it to wait `retryAfter` seconds and resend. */
export function retryRateLimit(
  retryAfter: number,
  request: LimitedRequest,
  octokit: Logging,
  retryCount: number,
): boolean {
  const retry = retryCount < RATE_LIMIT_RETRIES && retryAfter <= RATE_LIMIT_MAX_WAIT_S;
  octokit.log.warn(
    `Rate limit on ${request.method} ${request.url}: ${
      retry
        ? `retrying in ${retryAfter} s (retry ${retryCount + 1} of ${RATE_LIMIT_RETRIES})`
        : "not retrying the request"
    }`,
  );
  return retry;
}

/**
 * `Base` with the retries above. A function default, because Probot passes throttle options
 * of its own (with a secondary-limit handler that never retries) that would replace ours.
 */
export function retryingOctokit(Base: OctokitClass, retryBaseMs: number): OctokitClass {
  return Base.defaults((options: Record<string, unknown>) => ({
    ...options,
    retry: { ...(options.retry as object | undefined), retryAfterBaseValue: retryBaseMs },
    throttle: {
      ...(options.throttle as object | undefined),
      onRateLimit: retryRateLimit,
      onSecondaryRateLimit: retryRateLimit,
    },
  }));
}
