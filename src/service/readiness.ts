// Readiness: can the app authenticate as itself? A GitHub App that cannot (wrong APP_ID,
// revoked or wrong key, GitHub unreachable) cannot answer a single webhook, so the instance
// should get no traffic. The answer is cached: probes come every few seconds, GitHub's rate
// limit is per app. A failure is a line of the probe's request log with the reason; its stack
// only at debug level (under Kubernetes a probe comes every few seconds during an outage).
import type { Logger } from "pino";
import { describeError } from "../github/errors.js";

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface ReadinessOptions {
  /** Resolves when the app authenticated as itself (`GET /app` with its JWT). */
  authenticate: () => Promise<void>;
  /** Milliseconds since the epoch; `Date.now` in production. */
  now?: () => number;
  /** How long a success is trusted. */
  okTtlMs?: number;
  /** How long a failure is trusted before asking GitHub again. */
  failedTtlMs?: number;
  /** Where a failed check's error, stack included, goes at debug level. */
  log?: Pick<Logger, "debug">;
}

export class AppReadiness {
  readonly #authenticate: () => Promise<void>;
  readonly #now: () => number;
  readonly #okTtlMs: number;
  readonly #failedTtlMs: number;
  readonly #log: Pick<Logger, "debug"> | undefined;
  #last: { at: number; readiness: Readiness } | undefined;
  #checking: Promise<Readiness> | undefined;

  constructor(options: ReadinessOptions) {
    this.#authenticate = options.authenticate;
    this.#now = options.now ?? Date.now;
    this.#okTtlMs = options.okTtlMs ?? 30_000;
    this.#failedTtlMs = options.failedTtlMs ?? 5_000;
    this.#log = options.log;
  }

  /** The cached answer while it is fresh; otherwise one check, shared by concurrent callers. */
  check(): Promise<Readiness> {
    const last = this.#last;
    if (last && this.#now() - last.at < this.#ttl(last.readiness)) {
      return Promise.resolve(last.readiness);
    }
    this.#checking ??= this.#ask().finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  async #ask(): Promise<Readiness> {
    let readiness: Readiness;
    try {
      await this.#authenticate();
      readiness = { ready: true };
    } catch (error) {
      readiness = {
        ready: false,
        reason: `cannot authenticate as the app: ${describeError(error)}`,
      };
      this.#log?.debug({ err: error }, readiness.reason);
    }
    this.#last = { at: this.#now(), readiness };
    return readiness;
  }

  #ttl(readiness: Readiness): number {
    return readiness.ready ? this.#okTtlMs : this.#failedTtlMs;
  }
}
