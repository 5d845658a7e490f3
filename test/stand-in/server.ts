/**
 * A local stand-in for GitHub's REST API (as GitHub Enterprise serves it, under
 * `/api/v3`), for end-to-end tests and the offline demo. Every request is checked
 * against GitHub's OpenAPI description; what the app gets wrong is answered as GitHub
 * would and also recorded as a violation, so a test can assert there were none.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { authenticate, fakeAppJwt } from "./auth.js";
import { GitHubError, type Handler, type HandlerContext, type HandlerResult } from "./handler.js";
import { OpenApi, type Operation } from "./openapi.js";
import type { AppRecord } from "./records.js";
import { handlers } from "./routes/index.js";
import { Urls } from "./shapes.js";
import { StandInState } from "./state.js";

export interface StartOptions {
  /** The clock behind every timestamp the stand-in writes; defaults to the wall clock. */
  clock?: () => Date;
  /** The app under test (its id must match the JWT issuer the app signs with). */
  app?: Partial<AppRecord>;
  /**
   * Check each JSON answer of ours against GitHub's documented response schema and
   * record a mismatch as a violation ("stand-in answer ... breaks the schema"). On by
   * default; a benchmark may turn it off to save the stand-in's CPU.
   */
  validateResponses?: boolean;
  /** Fixed port for a hand-run demo; tests keep the default 0 (an ephemeral port). */
  port?: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  /** `GET /repos/{owner}/{repo}/pulls/{pull_number}`, or null for an unknown route. */
  route: string | null;
  operationId: string | null;
  status: number;
}

export interface Violation {
  method: string;
  path: string;
  reason: string;
  body: unknown;
}

export interface Unmodelled {
  method: string;
  path: string;
  route: string;
  operationId: string;
}

export interface StandIn {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** `http://127.0.0.1:PORT/api/v3`: the `baseUrl` for Octokit. */
  baseUrl: string;
  /** `127.0.0.1:PORT`: the value for `GHE_HOST` (with `GHE_PROTOCOL=http`). */
  gheHost: string;
  state: StandInState;
  violations(): Violation[];
  unmodelled(): Unmodelled[];
  requests(): RequestLogEntry[];
  /** Count of logged requests per route, e.g. `{ "GET /repos/{owner}/{repo}/pulls/{pull_number}": 2 }`. */
  requestCounts(): Record<string, number>;
  /**
   * Answer the next `times` calls of `route` ("METHOD /template" or an operationId) with
   * `status`, nothing applied; `headers` go with the answer (`retry-after`, the rate-limit
   * ones: see `secondaryRateLimit`), after `delayMs` when given.
   */
  failNext(route: string, status: number, options?: FailOptions): void;
  /**
   * The next `times` calls of `route` get no answer: the connection is closed, `after` the
   * call was applied (a create whose answer is lost) or `before` (nothing happened).
   */
  dropNext(route: string, options: { when: "before" | "after"; times?: number }): void;
  /** The next `times` calls of `route` are applied and answered as usual, `ms` late. */
  delayNext(route: string, ms: number, options?: { times?: number }): void;
  /** Forget every failure, drop and delay not yet used up: GitHub has recovered. */
  clearFaults(): void;
  /**
   * Holds the next call of `route` ("METHOD /template") before it is answered, until
   * `release()`: the caller's request stays in flight for as long as a test needs.
   */
  holdNext(route: string): HeldRequest;
  /** Forget the request, violation and unmodelled logs (state stays). */
  clearLogs(): void;
  appJwt(): string;
  installationToken(installationId: number): string;
  close(): Promise<void>;
}

export interface HeldRequest {
  /** Resolves when the held call has arrived (and is waiting). */
  arrived: Promise<void>;
  /** Lets the call through: it is answered as usual. */
  release(): void;
}

interface Hold {
  route: string;
  arrive: () => void;
  released: Promise<void>;
}

const RATE_LIMIT = 5000;
const DOCS = "https://docs.github.com/rest";

export interface FailOptions {
  times?: number;
  message?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

/**
 * What GitHub answers when a secondary rate limit is hit: 403, its message, `retry-after`.
 * https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api
 */
export function secondaryRateLimit(retryAfterS: number, times = 1): FailOptions {
  return {
    times,
    message:
      "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    headers: { "retry-after": String(retryAfterS) },
  };
}

type Injected =
  | {
      kind: "fail";
      route: string;
      remaining: number;
      status: number;
      message: string;
      headers: Record<string, string>;
      delayMs: number;
    }
  | { kind: "drop-before" | "drop-after"; route: string; remaining: number }
  | { kind: "delay"; route: string; remaining: number; delayMs: number };

interface Outcome extends HandlerResult, Place {
  /** Close the connection instead of answering. */
  drop?: boolean;
  /** Answer this late. */
  delayMs?: number;
}

class Recorder {
  readonly log: RequestLogEntry[] = [];
  readonly violations: Violation[] = [];
  readonly unmodelled: Unmodelled[] = [];
  readonly injected: Injected[] = [];
  readonly used = new Map<string, number>();
  readonly holds: Hold[] = [];
  clear(): void {
    this.log.length = 0;
    this.violations.length = 0;
    this.unmodelled.length = 0;
  }
}

function errorBody(status: number, message: string) {
  return { message, documentation_url: DOCS, status: String(status) };
}

/** One request as read off the socket. */
interface Exchange {
  req: IncomingMessage;
  method: string;
  url: URL;
  /** The path below `/api/v3`, or the whole path when the prefix is missing. */
  path: string;
  raw: string;
  body: unknown;
  unparsable: boolean;
}

/** Where in the API an outcome belongs, for the request log and rate-limit headers. */
interface Place {
  route: string | null;
  operationId: string | null;
  credential?: string;
}

const NOWHERE: Place = { route: null, operationId: null };

async function readExchange(req: IncomingMessage, origin: string): Promise<Exchange> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  const url = new URL(req.url ?? "/", origin);
  const path = url.pathname.startsWith("/api/v3/")
    ? url.pathname.slice("/api/v3".length)
    : url.pathname;
  const exchange = {
    req,
    method: (req.method ?? "GET").toUpperCase(),
    url,
    path,
    raw,
    body: undefined,
    unparsable: false,
  };
  try {
    return { ...exchange, body: raw === "" ? undefined : (JSON.parse(raw) as unknown) };
  } catch {
    return { ...exchange, unparsable: true };
  }
}

class Dispatcher {
  private readonly openapi = OpenApi.load();

  constructor(
    private readonly state: StandInState,
    private readonly urls: Urls,
    private readonly recorder: Recorder,
    private readonly validateResponses: boolean,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const exchange = await readExchange(req, this.urls.web);
    await this.held(exchange);
    const outcome = this.answer(exchange);
    if (outcome.delayMs) await new Promise((resolve) => setTimeout(resolve, outcome.delayMs));
    this.send(res, exchange, outcome);
  }

  private violation(ex: Exchange, status: number, reason: string, place: Place = NOWHERE): Outcome {
    const body = ex.body ?? (ex.raw === "" ? undefined : ex.raw);
    this.recorder.violations.push({ method: ex.method, path: ex.path, reason, body });
    return { ...place, status, json: errorBody(status, `Stand-in: ${reason}`) };
  }

  private unmodelled(
    ex: Exchange,
    place: Place & { route: string; operationId: string },
    what: string,
  ): Outcome {
    this.recorder.unmodelled.push({
      method: ex.method,
      path: ex.path,
      route: place.route,
      operationId: place.operationId,
    });
    return { ...place, status: 501, json: errorBody(501, `Stand-in: ${what} is not modelled`) };
  }

  private answer(ex: Exchange): Outcome {
    if (ex.url.pathname === "/api/graphql") {
      return this.unmodelled(ex, { route: "POST /graphql", operationId: "graphql" }, "GraphQL");
    }
    if (ex.path === ex.url.pathname)
      return this.violation(ex, 404, `${ex.path} is outside the /api/v3 prefix`);
    const match = this.openapi.match(ex.method, ex.path);
    if (match.kind === "no-route") return this.violation(ex, 404, match.reason);
    if (match.kind === "wrong-method") {
      const allowed = match.allowed.join(", ");
      return this.violation(
        ex,
        404,
        `${ex.method} is not an operation of ${match.template} (it has ${allowed})`,
      );
    }
    return this.answerOperation(ex, match.operation, match.params);
  }

  /** Authentication, then validation, then an injected failure, then the handler. */
  private answerOperation(
    ex: Exchange,
    operation: Operation,
    params: Record<string, string>,
  ): Outcome {
    const at = { route: `${ex.method} ${operation.template}`, operationId: operation.operationId };
    const auth = authenticate(this.state, ex.req.headers.authorization, operation.template);
    if (!auth.ok) return this.violation(ex, 401, auth.reason, at);
    const place = { ...at, credential: auth.credential };
    if (ex.unparsable) return this.violation(ex, 400, "Problems parsing JSON", place);
    const problems = [
      ...this.openapi.checkParameters(operation, params, ex.url.searchParams),
      ...this.openapi.checkBody(operation, ex.body),
    ];
    if (problems.length > 0) {
      return this.violation(
        ex,
        422,
        `Invalid request for ${operation.operationId}: ${problems.join("; ")}`,
        place,
      );
    }
    const injected = this.takeInjected(at.route, at.operationId);
    if (injected?.kind === "fail")
      return {
        ...place,
        status: injected.status,
        json: errorBody(injected.status, injected.message),
        headers: injected.headers,
        delayMs: injected.delayMs,
      };
    if (injected?.kind === "drop-before") return { ...place, status: 0, drop: true };
    const handler = handlers[operation.operationId];
    if (!handler)
      return this.unmodelled(ex, place, `${operation.operationId} (${at.route}) is valid but`);
    const ctx: HandlerContext = {
      state: this.state,
      urls: this.urls,
      params,
      query: ex.url.searchParams,
      body: ex.body,
      accept: ex.req.headers.accept ?? "application/json",
      caller: auth.caller,
      url: ex.url,
    };
    const result = { ...place, ...this.run(ex, handler, ctx, operation, place) };
    if (injected?.kind === "drop-after") return { ...result, drop: true };
    if (injected?.kind === "delay") return { ...result, delayMs: injected.delayMs };
    return result;
  }

  private run(
    ex: Exchange,
    handler: Handler,
    ctx: HandlerContext,
    operation: Operation,
    place: Place,
  ): HandlerResult {
    try {
      const result = handler(ctx);
      if (this.validateResponses && result.json !== undefined && result.status < 300) {
        const problems = this.openapi.checkResponse(operation, result.status, result.json);
        const reason = `stand-in answer to ${operation.operationId} breaks the schema: ${problems.join("; ")}`;
        if (problems.length > 0) this.violation(ex, result.status, reason, place);
      }
      return result;
    } catch (error) {
      if (error instanceof GitHubError) {
        if (error.violation) return this.violation(ex, error.status, error.message, place);
        return { status: error.status, json: errorBody(error.status, error.message) };
      }
      const detail = error instanceof Error ? error.stack : String(error);
      return this.violation(
        ex,
        500,
        `stand-in error in ${operation.operationId}: ${detail}`,
        place,
      );
    }
  }

  /** Waits while a hold set by `holdNext` covers this call's route; takes the hold. */
  private async held(ex: Exchange): Promise<void> {
    const match = this.openapi.match(ex.method, ex.path);
    if (match.kind !== "operation") return;
    const route = `${ex.method} ${match.operation.template}`;
    const index = this.recorder.holds.findIndex((hold) => hold.route === route);
    const [hold] = index < 0 ? [] : this.recorder.holds.splice(index, 1);
    if (!hold) return;
    hold.arrive();
    await hold.released;
  }

  private takeInjected(route: string, operationId: string): Injected | undefined {
    const found = this.recorder.injected.find(
      (i) => i.remaining > 0 && (i.route === route || i.route === operationId),
    );
    if (found) found.remaining -= 1;
    return found;
  }

  private send(res: ServerResponse, ex: Exchange, outcome: Outcome): void {
    if (outcome.drop) {
      // Logged with status 0: the caller got no answer, whatever was applied.
      const { route, operationId } = outcome;
      this.recorder.log.push({
        method: ex.method,
        path: ex.path,
        query: ex.url.search,
        route,
        operationId,
        status: 0,
      });
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = {
      ...this.rateLimitHeaders(outcome.credential),
      "x-github-request-id": `STANDIN:${this.recorder.log.length + 1}`,
      "x-github-api-version-selected": "2022-11-28",
      "x-github-media-type": "github.v3; format=json",
      ...outcome.headers,
    };
    let payload = "";
    if (outcome.text !== undefined) {
      payload = outcome.text;
      headers["content-type"] ??= "text/plain; charset=utf-8";
    } else if (outcome.json !== undefined && outcome.status !== 204) {
      payload = JSON.stringify(outcome.json);
      headers["content-type"] = "application/json; charset=utf-8";
    }
    const { route, operationId, status } = outcome;
    this.recorder.log.push({
      method: ex.method,
      path: ex.path,
      query: ex.url.search,
      route,
      operationId,
      status,
    });
    res.writeHead(status, headers);
    res.end(payload);
  }

  private rateLimitHeaders(credential: string | undefined): Record<string, string> {
    const used = credential === undefined ? 0 : (this.recorder.used.get(credential) ?? 0) + 1;
    if (credential !== undefined) this.recorder.used.set(credential, used);
    const reset = Math.floor(new Date(this.state.now()).getTime() / 1000) + 3600;
    return {
      "x-ratelimit-limit": String(RATE_LIMIT),
      "x-ratelimit-remaining": String(Math.max(0, RATE_LIMIT - used)),
      "x-ratelimit-used": String(used),
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-resource": "core",
    };
  }
}

export async function start(options: StartOptions = {}): Promise<StandIn> {
  const state = new StandInState({ clock: options.clock, app: options.app });
  const recorder = new Recorder();
  // Requests arrive only after listen() resolves, by which time `dispatcher` is set.
  const server = createServer((req, res) => {
    dispatcher.handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`stand-in failure: ${String(error)}`);
    });
  });
  // Keep-alive sockets would hold close() open for seconds after a test.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const dispatcher = new Dispatcher(
    state,
    new Urls(url),
    recorder,
    options.validateResponses ?? true,
  );
  return {
    url,
    port,
    baseUrl: `${url}/api/v3`,
    gheHost: `127.0.0.1:${port}`,
    state,
    violations: () => structuredClone(recorder.violations),
    unmodelled: () => structuredClone(recorder.unmodelled),
    requests: () => structuredClone(recorder.log),
    requestCounts: () => {
      const counts: Record<string, number> = {};
      for (const entry of recorder.log)
        counts[entry.route ?? `${entry.method} ${entry.path}`] =
          (counts[entry.route ?? `${entry.method} ${entry.path}`] ?? 0) + 1;
      return counts;
    },
    failNext: (route, status, opts = {}) => {
      recorder.injected.push({
        kind: "fail",
        route,
        status,
        message: opts.message ?? `Stand-in: injected ${status}`,
        remaining: opts.times ?? 1,
        headers: opts.headers ?? {},
        delayMs: opts.delayMs ?? 0,
      });
    },
    dropNext: (route, opts) => {
      recorder.injected.push({
        kind: opts.when === "after" ? "drop-after" : "drop-before",
        route,
        remaining: opts.times ?? 1,
      });
    },
    delayNext: (route, ms, opts = {}) => {
      recorder.injected.push({ kind: "delay", route, remaining: opts.times ?? 1, delayMs: ms });
    },
    clearFaults: () => {
      recorder.injected.length = 0;
    },
    holdNext: (route) => {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      recorder.holds.push({ route, arrive, released });
      return { arrived, release };
    },
    clearLogs: () => recorder.clear(),
    appJwt: () => fakeAppJwt(state),
    installationToken: (installationId) => state.issueToken(installationId).token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
