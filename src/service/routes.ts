// The service's own HTTP routes, next to Probot's webhook path:
//   GET /healthz  200 while the process runs (liveness)
//   GET /readyz   200 when the app can authenticate as itself, else 503 with the reason
//   GET /metrics  Prometheus text format; with METRICS_TOKEN set, only to `Bearer <token>`
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { Readiness } from "./readiness.js";

export interface RouteOptions {
  readiness: () => Promise<Readiness>;
  registry: Registry;
  /** When set, /metrics answers only requests that carry `Authorization: Bearer <token>`. */
  metricsToken?: string;
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
        if (!readiness.ready) res.err = probeFailure(readiness.reason);
        json(res, readiness.ready ? 200 : 503, readiness);
        return true;
      }
      case "/metrics": {
        if (!authorized(req, options.metricsToken)) {
          res
            .writeHead(401, { "www-authenticate": 'Bearer realm="metrics"' })
            .end("metrics need Authorization: Bearer <METRICS_TOKEN>\n");
          return true;
        }
        const text = await options.registry.metrics();
        res.writeHead(200, { "content-type": options.registry.contentType }).end(text);
        return true;
      }
      default:
        return false;
    }
  };
}

/**
 * The request log's error for a failed probe: the reason, without a stack. Without it the
 * request log writes an error of its own whose stack says nothing; the cause's stack is
 * logged at debug level where the check failed.
 */
function probeFailure(reason: string): Error {
  const error = new Error(reason);
  delete error.stack;
  return error;
}

/** No token configured, or the request's bearer token is it (compared in constant time). */
function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
  if (given === undefined) return false;
  // Digests have one length, so timingSafeEqual never throws and the length does not leak.
  return timingSafeEqual(digest(given), digest(token));
}

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?")[0] ?? "/";
}

function json(res: ServerResponse, status: number, body: object): void {
  res
    .writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
    .end(JSON.stringify(body));
}
