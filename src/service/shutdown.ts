// Graceful shutdown: stop taking webhooks, let the ones in flight finish (each write they
// make completes, so nothing is left half-written), then report whether that happened in
// time. Kubernetes sends SIGTERM and waits terminationGracePeriodSeconds before SIGKILL:
// the bound here must be shorter.
import type { Logger } from "pino";
import type { InFlight } from "./in-flight.js";

export interface DrainOptions {
  /** The HTTP server: `stop()` closes the listener and waits for open connections. */
  server: { stop(): Promise<void> };
  /** Makes responses in progress close their connections, so that `stop()` ends with them. */
  connections?: { closeConnections(): void };
  inFlight: InFlight;
  log: Logger;
  /** How long in-flight webhooks may take. */
  timeoutMs: number;
  /** Resolves after `ms`; a timer by default (tests pass one they control). */
  after?: (ms: number) => Promise<void>;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/** True when every in-flight webhook finished within the bound. */
export async function drain(options: DrainOptions): Promise<boolean> {
  const { log, inFlight } = options;
  const after = options.after ?? sleep;
  log.info({ inFlight: inFlight.size }, "shutting down: finishing the webhooks in flight");
  options.connections?.closeConnections();
  const stopped = options.server.stop().catch((error: unknown) => {
    log.warn({ err: error }, "the HTTP server did not close cleanly");
  });
  const finished = Promise.all([stopped, inFlight.idle()]).then(() => true);
  const clean = await Promise.race([finished, after(options.timeoutMs).then(() => false)]);
  if (clean) log.info("stopped: no webhook in flight");
  else
    log.error(
      { inFlight: inFlight.size, timeoutMs: options.timeoutMs },
      "shutdown timed out with webhooks still in flight",
    );
  return clean;
}

/** SHUTDOWN_TIMEOUT_MS, when it is a positive number of milliseconds. */
export function shutdownTimeoutOf(env: NodeJS.ProcessEnv): number {
  const value = Number(env.SHUTDOWN_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_SHUTDOWN_TIMEOUT_MS;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
