// The service's own HTTP routes, next to Probot's webhook path:
//   GET /healthz  200 while the process runs (liveness)
//   GET /readyz   200 when the app can authenticate as itself, else 503 with the reason
//   GET /metrics  Prometheus text format
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { Readiness } from "./readiness.js";

export interface RouteOptions {
  readiness: () => Promise<Readiness>;
  registry: Registry;
}

/** A Probot `addHandler` handler: answers its three paths, leaves every other request. */
export function serviceRoutes(options: RouteOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    switch (pathOf(req)) {
      case "/healthz":
        json(res, 200, { status: "ok" });
        return true;
      case "/readyz": {
        const readiness = await options.readiness();
        json(res, readiness.ready ? 200 : 503, readiness);
        return true;
      }
      case "/metrics": {
        const text = await options.registry.metrics();
        res.writeHead(200, { "content-type": options.registry.contentType }).end(text);
        return true;
      }
      default:
        return false;
    }
  };
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?")[0] ?? "/";
}

function json(res: ServerResponse, status: number, body: object): void {
  res
    .writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
    .end(JSON.stringify(body));
}
