/**
 * A recording proxy in front of the GitHub stand-in. The stand-in logs which route each
 * request took; the proxy adds what a budget needs besides: when each request started and
 * ended, which installation made it, and the body of every write. The two logs are joined
 * by the stand-in's `x-github-request-id` (`STANDIN:<position in its log>`).
 */
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { StandIn } from "../test/stand-in/server.js";

export interface Exchange {
  /** performance.now() when the request arrived and when its answer was sent. */
  start: number;
  end: number;
  method: string;
  path: string;
  /** `GET /repos/{owner}/{repo}/pulls/{pull_number}`; the raw path when the stand-in had none. */
  route: string;
  /** Position in the stand-in's request log (1-based), joined by `resolveRoutes`. */
  standInId: number;
  status: number;
  installationId: number | null;
  /** The JSON body of a write, for telling what it changed. */
  body: unknown;
}

export interface RecordingProxy {
  /** `127.0.0.1:PORT`, for `GHE_HOST`. */
  gheHost: string;
  log: Exchange[];
  /** Names each logged request by the stand-in's route template (one pass, after a run). */
  resolveRoutes(): void;
  /** Requests sent on and not answered yet. */
  inFlight(): number;
  /** performance.now() of the last request seen arriving or ending. */
  lastActivity(): number;
  /** The most requests that were in flight at once. */
  peakInFlight(): number;
  resetPeak(): void;
  close(): Promise<void>;
}

const REQUEST_ID = /^STANDIN:(\d+)$/;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

export async function startProxy(gh: StandIn): Promise<RecordingProxy> {
  const log: Exchange[] = [];
  let inFlight = 0;
  let peak = 0;
  let last = performance.now();
  const server = createServer((req, res) => {
    const start = performance.now();
    last = start;
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    void readBody(req).then((raw) => {
      const method = (req.method ?? "GET").toUpperCase();
      const upstream = httpRequest(
        {
          host: "127.0.0.1",
          port: gh.port,
          method,
          path: req.url,
          headers: { ...req.headers, host: gh.gheHost },
        },
        (answer) => {
          void readBody(answer).then((payload) => {
            const id = REQUEST_ID.exec(String(answer.headers["x-github-request-id"] ?? ""));
            const token = /^(?:token|bearer) (ghs_\S+)$/i.exec(req.headers.authorization ?? "");
            const path = new URL(req.url ?? "/", "http://x").pathname.replace(/^\/api\/v3/, "");
            log.push({
              start,
              end: performance.now(),
              method,
              path,
              route: `${method} ${path}`,
              standInId: id ? Number(id[1]) : 0,
              status: answer.statusCode ?? 0,
              installationId: token?.[1] ? (gh.state.tokenInstallation(token[1]) ?? null) : null,
              body: method === "GET" ? undefined : parseJson(raw),
            });
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(payload);
            inFlight -= 1;
            last = performance.now();
          });
        },
      );
      upstream.on("error", (error) => {
        inFlight -= 1;
        res.writeHead(502);
        res.end(String(error));
      });
      upstream.end(raw);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    gheHost: `127.0.0.1:${port}`,
    log,
    resolveRoutes: () => {
      const routes = gh.requests();
      for (const entry of log) {
        const route = routes[entry.standInId - 1]?.route;
        if (route) entry.route = route;
      }
    },
    inFlight: () => inFlight,
    lastActivity: () => last,
    peakInFlight: () => peak,
    resetPeak: () => {
      peak = inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
