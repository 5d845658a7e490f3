// Notifications, composed: the outbox, the listener of deployment decisions, and the watch of
// freezes, from the options the app is built with (src/app-deps.ts adds them). Without
// `notifications` in the options the app still listens: a policy's `notify` then finds every
// variable unset and says so in the log and /metrics, rather than nothing happening silently.
// Each variable posts only for the owners its NOTIFY_SCOPE_<VARIABLE> lists (policy/notify-scope.ts).
import type { Logger } from "pino";
import { DEFAULT_RETRY_BASE_MS } from "./github/back-off.js";
import type { Octokit } from "./github/types.js";
import type { AppOptions } from "./handlers/deps.js";
import { NotificationOutbox, webhookUrl } from "./holds/notification-outbox.js";
import { repeatEvery, type Scheduler } from "./holds/scheduler.js";
import { DEFAULT_SWEEP_INTERVAL_MS } from "./holds/sweep.js";
import type { DeploymentListener } from "./pipeline/deployment-listeners.js";
import {
  checkFreezes,
  notificationListener,
  type NotificationDeps,
} from "./pipeline/notifications.js";
import type { PolicyCache } from "./policy/cache.js";
import { isNotifyVariable } from "./policy/notify.js";
import { NOTIFY_SCOPE_PREFIX } from "./policy/notify-scope.js";
import type { Clock, Store } from "./store/store.js";

/**
 * Only the variables a policy may name, and the operator's scope of each: the rest of the
 * environment never reaches the sender.
 */
export function notifyEnvOf(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).flatMap(([name, value]) =>
      (isNotifyVariable(name) || name.startsWith(NOTIFY_SCOPE_PREFIX)) && value !== undefined
        ? [[name, value]]
        : [],
    ),
  );
}

export interface Notifications {
  listener: DeploymentListener;
  /** Sends what a previous process left, then looks at freezes and due messages every interval. */
  start: (intervalMs?: number) => void;
}

export function buildNotifications(input: {
  options: AppOptions;
  store: Store;
  clock: Clock;
  scheduler: Scheduler;
  policies: PolicyCache;
  log: Logger;
  auth: (installationId: number) => Promise<Octokit>;
}): Notifications {
  const { options, store, clock, scheduler, policies, log } = input;
  const settings = options.notifications;
  const env = notifyEnvOf(settings?.env ?? {});
  const outbox = new NotificationOutbox({
    store,
    now: clock,
    scheduler,
    env,
    log,
    baseMs: settings?.retryBaseMs ?? options.reEvaluation?.baseMs ?? DEFAULT_RETRY_BASE_MS,
    ...(settings?.attempts !== undefined ? { attempts: settings.attempts } : {}),
    ...(settings?.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    ...(settings?.observe ? { observe: settings.observe } : {}),
    ...(settings?.fetch ? { fetch: settings.fetch } : {}),
  });
  const deps: NotificationDeps = {
    store,
    now: clock,
    outbox,
    policyOf: async (watched) => {
      const octokit = await input.auth(watched.installationId);
      const loaded = await policies.load(
        octokit,
        watched.repo.owner,
        watched.repo.repo,
        watched.repo,
      );
      return loaded.kind === "valid" ? loaded.policy : null;
    },
  };
  // Each part on its own: a failed freeze watch must not keep due messages waiting.
  const look = async (): Promise<void> => {
    for (const [what, part] of [
      ["freeze watch", () => checkFreezes(deps, log)],
      ["sending due messages", () => outbox.deliverDue()],
    ] as const) {
      try {
        await part();
      } catch (error) {
        log.warn({ err: error }, `notifications: ${what} failed; trying again next interval`);
      }
    }
  };
  return {
    listener: notificationListener(deps),
    start: (intervalMs = DEFAULT_SWEEP_INTERVAL_MS) => {
      announce(env, log);
      // What a previous process left unsent goes out now; then freezes and retries are
      // looked at every interval, by every instance (claims and leases keep it once).
      repeatEvery(scheduler, clock, intervalMs, look);
    },
  };
}

/**
 * Says at start which webhook variables are set (names only: the values are secrets), and
 * warns of one that holds no http(s) URL, before a message is due.
 */
function announce(env: Readonly<Record<string, string>>, log: Logger): void {
  const names = Object.keys(env).filter(isNotifyVariable).sort();
  for (const name of names) {
    const target = webhookUrl(env, name);
    if ("problem" in target)
      log.warn(`notifications: ${target.problem}; messages for it will not be sent`);
    if (!env[`${NOTIFY_SCOPE_PREFIX}${name}`]?.trim())
      log.warn(
        `notifications: ${name} has no ${NOTIFY_SCOPE_PREFIX}${name}: no repository may use it; set it to the owners whose repositories may (e.g. ${NOTIFY_SCOPE_PREFIX}${name}=acme)`,
      );
  }
  if (names.length > 0) log.info({ variables: names }, "notifications: webhook variables set");
}
