// The registration flow (`npm start` without credentials, outside production): Probot's setup
// pages on Probot's server, as Probot's `run()` serves them, with one addition: the
// registration pages say where the app being registered will send its webhooks (the proxy
// channel, or why there is none and what to set), which Probot's pages do not.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import { Probot, Server } from "probot";
import { webhookProxyNotice, withNotice } from "./setup-notice.js";
import type { WebhookProxyState } from "./webhook-proxy.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
type SetupAppFactory = (options: {
  host: string;
  port: number;
  log: Logger;
}) => () => Promise<Handler>;

/** The pages that show the notice: registration and "use an existing app". */
const PAGES = new Set(["/probot", "/probot/import"]);

/** Starts Probot's registration server with the webhook proxy's state on its pages. */
export async function startSetupMode(
  env: NodeJS.ProcessEnv,
  log: Logger,
  proxy: WebhookProxyState,
): Promise<Server> {
  const server = new Server({
    host: env.HOST || "localhost",
    port: Number(env.PORT) || 3000,
    log,
    // As run() does in setup mode: a Probot that never authenticates.
    Probot: Probot.defaults({ appId: 1, privateKey: "unused in setup mode", log }),
  });
  const setupApp = (await setupAppFactory())({
    host: server.host,
    port: server.port,
    log: log.child({ name: "setup" }),
  });
  await server.loadHandlerFactory(async () => {
    const setup = await setupApp();
    return (req, res) => {
      if (req.method === "GET" && PAGES.has(pathOf(req)))
        addToPage(res, webhookProxyNotice(proxy, addressOf(req)));
      return setup(req, res);
    };
  });
  await server.start();
  return server;
}

/**
 * Probot's registration handler. Probot exports it only inside `run()`, which lets nothing
 * add to its pages; the module is part of the installed Probot, whose version the lock pins.
 */
async function setupAppFactory(): Promise<SetupAppFactory> {
  const index = createRequire(import.meta.url).resolve("probot");
  const url = pathToFileURL(join(dirname(index), "apps", "setup.js")).href;
  const module = (await import(url)) as { setupAppFactory: SetupAppFactory };
  return module.setupAppFactory;
}

/** The page the next handler sends through `res` gets `notice` added. */
function addToPage(res: ServerResponse, notice: string): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((chunk?: unknown, ...rest: unknown[]) =>
    end(typeof chunk === "string" ? withNotice(chunk, notice) : chunk, ...rest)) as typeof res.end;
}

/** The address the page was opened at, as Probot's registration computes it. */
function addressOf(req: IncomingMessage): string {
  const proto = String(req.headers["x-forwarded-proto"] ?? "http").split(",")[0] ?? "http";
  const host = String(req.headers["x-forwarded-host"] ?? req.headers.host ?? "localhost");
  return `${proto}://${host}`;
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?")[0] ?? "/";
}
