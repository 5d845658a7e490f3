// Starts the service: Probot's server (or, without credentials outside production, Probot's
// registration flow), our logger and metrics, and graceful shutdown on SIGTERM and SIGINT.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { run, type Probot } from "probot";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Logger } from "pino";
import { releasePolicyWith } from "../index.js";
import { redeliveryIntervalOf } from "../deliveries/schedule.js";
import { storeFromEnv } from "../store-from-env.js";
import type { Store } from "../store/store.js";
import { InFlight } from "./in-flight.js";
import { OpenResponses } from "./open-responses.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { startRecovery } from "./recovery.js";
import { instrumentedOctokit, serviceApp } from "./service.js";
import { retryingOctokit } from "./octokit-retry.js";
import { redisOutage } from "../redis-outage.js";
import { throttleOverRedis } from "./throttle-redis.js";
import { retryBaseMsOf } from "../github/back-off.js";
import { drain, shutdownTimeoutOf } from "./shutdown.js";
import { checkStartEnv, hasCredentials, isProduction, StartCheckFailed } from "../start-checks.js";
import { startSetupMode } from "./setup-mode.js";
import { prepareWebhookProxy } from "./webhook-proxy.js";

export async function startService(): Promise<void> {
  applyDotEnv();
  const log = await createLogger(process.env);
  // Before Probot reads the environment: a server with credentials but without its own webhook
  // secret, or with a key that cannot be read, never starts.
  for (const warning of setting(log, () => checkStartEnv(process.env, process.cwd())))
    log.warn(warning);
  // The registration flow (no credentials yet) registers a webhook URL that reaches us, and
  // its page says which.
  const setupMode = !isProduction(process.env) && !hasCredentials(process.env, process.cwd());
  const proxy = setupMode ? await prepareWebhookProxy(process.env, process.cwd(), log) : undefined;
  const redeliveryInterval = setting(log, () => redeliveryIntervalOf(process.env));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const inFlight = new InFlight();
  const metrics = createMetrics(registry, () => inFlight.size);
  const connections = new OpenResponses();
  connections.watch();
  // Evaluations that run after their webhook was answered count as in flight: shutdown
  // drains them like handlers.
  const track = (work: () => Promise<void>) => inFlight.run(work);
  // One report of a Redis outage for the store's connection and the write throttle's.
  const outage = redisOutage(log);
  // Set once Probot loads the app, which it does not in setup (registration) mode.
  let loaded: { app: Probot; store: Store } | undefined;
  const appFn = serviceApp(
    (app, options) => {
      const state = storeFromEnv(process.env, app.log, process.cwd(), outage);
      loaded = { app, store: state.store };
      return releasePolicyWith({
        ...state,
        metrics: metrics.decisions,
        changeSystemMetrics: metrics.changeSystems,
        notifications: { observe: metrics.notifications },
        timing: { track },
      })(app, options);
    },
    { metrics, inFlight, metricsToken: process.env.METRICS_TOKEN },
  );
  const before = process.listeners("SIGINT");
  // Requests that GitHub refused for the rate, or that got no answer, are tried again.
  const Octokit = throttleOverRedis(
    retryingOctokit(instrumentedOctokit(metrics.github), retryBaseMsOf(process.env)),
    outage,
  );
  const started = proxy ? startSetupMode(process.env, log, proxy) : run(appFn, { log, Octokit });
  const server = await started.catch((error: unknown) => {
    log.fatal({ err: error }, "could not start");
    throw new StartFailed(error);
  });
  // run() stops on SIGINT without waiting for handlers in flight: ours replaces it.
  for (const listener of process.listeners("SIGINT")) {
    if (!before.includes(listener)) process.off("SIGINT", listener);
  }
  // Once the server is up, so that what GitHub redelivers finds it listening.
  const recovery =
    loaded && redeliveryInterval !== "off"
      ? startRecovery({
          ...loaded,
          log,
          metrics: metrics.redeliveries,
          intervalMs: redeliveryInterval,
          track,
        })
      : undefined;
  if (loaded && !recovery)
    log.info("failed webhook deliveries are not redelivered (REDELIVERY_INTERVAL=off)");
  onShutdownSignal(log, (signal) => {
    // No new pass; the one running stops before its next request and is drained below.
    void recovery?.stop();
    return drain({
      server,
      inFlight,
      connections,
      log,
      timeoutMs: shutdownTimeoutOf(process.env),
    }).then(async (clean) => {
      // Only once nothing writes: a webhook still in flight would fail on a closed store.
      if (clean) await closeStore(loaded?.store, log);
      log.info({ signal, clean }, "exiting");
      return clean ? 0 : 1;
    });
  });
}

/** Closes the state file (its WAL checkpointed) or the Redis connection; a failure is logged. */
async function closeStore(store: Store | undefined, log: Logger): Promise<void> {
  try {
    await store?.close?.();
  } catch (error) {
    log.warn({ err: error }, "the store did not close cleanly");
  }
}

/** A setting read from the environment; a bad one stops start-up with the reason logged. */
function setting<T>(log: Logger, read: () => T): T {
  try {
    return read();
  } catch (error) {
    // A failed start check is the operator's to fix: its one line says how, without a stack.
    if (error instanceof StartCheckFailed) log.fatal(`could not start: ${error.message}`);
    else log.fatal({ err: error }, `could not start: ${(error as Error).message}`);
    throw new StartFailed(error);
  }
}

/** Start-up failed, and the logger has said why. */
export class StartFailed extends Error {
  constructor(cause: unknown) {
    super("could not start", { cause });
  }
}

/**
 * The first SIGTERM or SIGINT drains, then exits with its code; a second one exits at once
 * (an operator pressing Ctrl-C twice means it).
 */
function onShutdownSignal(log: Logger, stop: (signal: NodeJS.Signals) => Promise<number>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting without waiting");
      exitSoon(1);
      return;
    }
    stopping = true;
    void stop(signal).then(exitSoon);
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}

/** Exits once the log lines written so far have left the process. */
function exitSoon(code: number): void {
  setImmediate(() => process.stdout.write("", () => process.exit(code)));
}

/** `.env` in the working directory, applied as Probot applies it (its values win). */
function applyDotEnv(): void {
  let text: string;
  try {
    text = readFileSync(join(process.cwd(), ".env"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  Object.assign(process.env, parseEnv(text));
}
