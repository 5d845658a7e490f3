// Several connections reach the one Redis: the store's and the write throttle's (Probot's,
// two of its own). An outage is reported once, whichever connection sees it first, and its
// end once, when every connection that failed is ready again; not once per reconnect attempt.
import type { Logger } from "pino";

export const REDIS_UNREACHABLE =
  "Redis is unreachable: webhooks fail and no deployment is approved until it is back";
export const REDIS_BACK = "Redis is reachable again";

export interface RedisOutage {
  /** A connection (named by `source`) failed; the first failure of an outage is logged. */
  failed(source: string, error: unknown): void;
  /** A connection is ready; the outage is over once every source that failed is. */
  ready(source: string): void;
}

export function redisOutage(log: Pick<Logger, "info" | "error">): RedisOutage {
  const failing = new Set<string>();
  return {
    failed(source, error) {
      if (failing.size === 0) log.error({ err: error, source }, REDIS_UNREACHABLE);
      failing.add(source);
    },
    ready(source) {
      if (!failing.delete(source) || failing.size > 0) return;
      log.info(REDIS_BACK);
    },
  };
}
