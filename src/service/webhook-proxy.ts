// The development webhook proxy (the Probot convention): GitHub cannot reach a laptop, so a
// registration started by `npm start` without credentials registers a smee.io channel as the
// app's webhook URL, and the server, once it has credentials, forwards that channel's
// deliveries to its own webhook path (Probot does the forwarding when WEBHOOK_PROXY_URL is
// set). The channel is created here, before Probot's registration flow starts, rather than
// by Probot: its "use an existing app" page reads WEBHOOK_PROXY_URL before it would create
// one (and shows none), and when no channel can be created the operator learns what the
// registered webhook URL will be and how to fix it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";

type Env = Record<string, string | undefined>;

/** Where the app being registered will send its webhooks, for the registration page. */
export type WebhookProxyState =
  /** A channel: created now (and saved to `.env`) or named by WEBHOOK_PROXY_URL. */
  | { kind: "channel"; url: string; created: boolean }
  /** No channel: the app gets `<address>/` as its webhook URL; `why` says why. */
  | { kind: "none"; why: string };

/** Where channels are created unless WEBHOOK_PROXY_SERVICE_URL names another smee server. */
export const DEFAULT_PROXY_SERVICE_URL = "https://smee.io/new";

/** Probot's own reasons not to create a channel (a Glitch project, an explicit opt-out). */
function proxyWanted(env: Env): boolean {
  return !env.WEBHOOK_PROXY_URL && !env.PROJECT_DOMAIN && env.NO_SMEE_SETUP !== "true";
}

/**
 * In the registration flow outside production: makes sure WEBHOOK_PROXY_URL names a channel
 * (created now and saved to `.env`, where the restarted server finds it), or says why the
 * registered webhook URL will not reach this server. Never stops start-up: registering
 * without a proxy is still possible, and the log says what to change afterwards.
 */
export async function prepareWebhookProxy(
  env: Env,
  cwd: string,
  log: Logger,
): Promise<WebhookProxyState> {
  if (!proxyWanted(env)) {
    if (env.WEBHOOK_PROXY_URL) {
      log.info(`GitHub will deliver webhooks to ${env.WEBHOOK_PROXY_URL} (WEBHOOK_PROXY_URL)`);
      return { kind: "channel", url: env.WEBHOOK_PROXY_URL, created: false };
    }
    const why = "no webhook proxy is set up";
    log.warn(unreachable(env, why));
    return { kind: "none", why };
  }
  const service = env.WEBHOOK_PROXY_SERVICE_URL || DEFAULT_PROXY_SERVICE_URL;
  let channel: string;
  try {
    // A development dependency: an image built without them has no use for a proxy.
    const { SmeeClient } = await import("smee-client");
    channel = await SmeeClient.createChannel({ newChannelUrl: service });
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    const why = `no webhook proxy channel could be created at ${service} (${cause})`;
    log.warn(unreachable(env, why));
    // Probot would try smee.io again, and only say it could not.
    env.NO_SMEE_SETUP = "true";
    return { kind: "none", why };
  }
  env.WEBHOOK_PROXY_URL = channel;
  saveToDotEnv(cwd, "WEBHOOK_PROXY_URL", channel);
  log.info(
    `created the webhook proxy channel ${channel} and saved it to .env as WEBHOOK_PROXY_URL: ` +
      "the app you register sends its webhooks there, and this server forwards them to itself " +
      "once it restarts with the app's credentials",
  );
  return { kind: "channel", url: channel, created: true };
}

/** The warning for a registration whose webhook URL will not reach this server. */
function unreachable(env: Env, why: string): string {
  const local = `http://localhost:${env.PORT || 3000}/`;
  return (
    `${why}: the app you register gets the webhook URL ${local} (or the address you open ` +
    "the registration page at), which GitHub cannot reach unless it is public. Set " +
    "WEBHOOK_PROXY_URL to a channel from https://smee.io/new and restart, or, after " +
    "registering, set the app's webhook URL to https://<public host>/api/github/webhooks."
  );
}

/** Adds or replaces one `KEY=value` line of `.env`, keeping every other line. */
function saveToDotEnv(cwd: string, key: string, value: string): void {
  const path = join(cwd, ".env");
  let lines: string[] = [];
  try {
    lines = readFileSync(path, "utf8").split("\n");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const kept = lines.filter((line) => !line.startsWith(`${key}=`));
  while (kept.length > 0 && kept[kept.length - 1]?.trim() === "") kept.pop();
  writeFileSync(path, [...kept, `${key}=${value}`].join("\n") + "\n");
}
