// The HTTP side of the change systems (ServiceNow's Table API, Jira's REST API), shared by
// what reads change records (src/facts/change-record-clients.ts) and what writes the work note
// after a deployment (src/effects/change-record-note.ts): configuration from the environment,
// authentication (basic, or ServiceNow's OAuth client-credentials token, cached until just
// before it expires), a timeout on every request, the observer /metrics counts with, and
// error messages that name the system and its answer. Credentials go into request headers and
// the token request's body only: no message here (nor any error) contains them.
//
// The systems are asked as they ask to be asked: after a failed answer's `retry-after` (or a
// 429's or 503's back-off) nothing more is sent to that instance before the time it named
// (src/change-systems/waits.ts), and a 401 to an OAuth token that was revoked or rotated
// before its expiry takes one new token and asks once more.
import type { Store } from "../store/store.js";
import { clockTime, retryAfterMs, Waits } from "./waits.js";

export type ChangeSystemName = "servicenow" | "jira";

export type ServiceNowAuth =
  | { kind: "basic"; user: string; password: string }
  | { kind: "oauth"; clientId: string; clientSecret: string };

export interface ServiceNowConfig {
  url: string;
  auth: ServiceNowAuth;
}

export interface JiraConfig {
  url: string;
  email: string;
  apiToken: string;
}

export interface ChangeSystemsConfig {
  servicenow?: ServiceNowConfig;
  jira?: JiraConfig;
  /** Per request (CHANGE_SYSTEM_TIMEOUT_MS); ClientOptions.timeoutMs wins when both are set. */
  timeoutMs?: number;
}

/** SERVICENOW_URL with SERVICENOW_USER/SERVICENOW_PASSWORD or SERVICENOW_CLIENT_ID/
 * SERVICENOW_CLIENT_SECRET; JIRA_URL with JIRA_EMAIL and JIRA_API_TOKEN. A system left out is
 * not configured: its gates error with a reason saying which variables to set.
 * CHANGE_SYSTEM_TIMEOUT_MS bounds each request; a typo there stops start-up. */
export function changeSystemsFromEnv(env: NodeJS.ProcessEnv): ChangeSystemsConfig {
  const config: ChangeSystemsConfig = {};
  const timeout = env.CHANGE_SYSTEM_TIMEOUT_MS?.trim();
  if (timeout) {
    const ms = Number(timeout);
    if (!Number.isInteger(ms) || ms < 1) {
      throw new Error(
        `CHANGE_SYSTEM_TIMEOUT_MS: "${timeout}" is not a whole number of milliseconds`,
      );
    }
    config.timeoutMs = ms;
  }
  const snow = env.SERVICENOW_URL;
  if (snow) {
    if (env.SERVICENOW_CLIENT_ID && env.SERVICENOW_CLIENT_SECRET) {
      config.servicenow = {
        url: trimSlash(snow),
        auth: {
          kind: "oauth",
          clientId: env.SERVICENOW_CLIENT_ID,
          clientSecret: env.SERVICENOW_CLIENT_SECRET,
        },
      };
    } else if (env.SERVICENOW_USER && env.SERVICENOW_PASSWORD) {
      config.servicenow = {
        url: trimSlash(snow),
        auth: { kind: "basic", user: env.SERVICENOW_USER, password: env.SERVICENOW_PASSWORD },
      };
    }
  }
  if (env.JIRA_URL && env.JIRA_EMAIL && env.JIRA_API_TOKEN) {
    config.jira = {
      url: trimSlash(env.JIRA_URL),
      email: env.JIRA_EMAIL,
      apiToken: env.JIRA_API_TOKEN,
    };
  }
  return config;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, "");

/** The variables that configure a system, for messages that say what to set. */
export function variablesOf(system: ChangeSystemName): string {
  return system === "servicenow"
    ? "SERVICENOW_URL with SERVICENOW_USER and SERVICENOW_PASSWORD (or SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET)"
    : "JIRA_URL, JIRA_EMAIL and JIRA_API_TOKEN";
}

/** One request to a change system: which, its HTTP status or "error", and how long it took. */
export type ChangeSystemObserver = (request: {
  system: ChangeSystemName;
  status: string;
  seconds: number;
}) => void;

export interface ClientOptions {
  /** Per request; a slower answer is an error. */
  timeoutMs?: number;
  /** Injected clock for the OAuth token's expiry and the waits the systems ask for. */
  now?: () => number;
  /** Where the waits the systems ask for are shared with the app's other instances. */
  store?: Store;
  fetch?: typeof fetch;
  /** Told of every request a change system answered (or did not): /metrics counts them. */
  observe?: ChangeSystemObserver;
}

/** A failure whose message is safe to show: it names the system's answer, never a secret. */
export class ChangeSystemError extends Error {
  constructor(
    message: string,
    /** The HTTP status, when the system answered. */
    readonly status?: number,
    /** Milliseconds the system asked to wait (`retry-after`), when it said. */
    readonly retryAfterMs?: number,
    /** When the wait the system asked for ends (ms since the epoch): ask no sooner. */
    readonly waitUntil?: number,
  ) {
    super(message);
    this.name = "ChangeSystemError";
  }
}

export interface ChangeSystemClient {
  readonly config: ChangeSystemsConfig;
  /**
   * One authenticated request to a configured system: `path` is appended to its URL. Rejects
   * with a ChangeSystemError when ServiceNow's token cannot be had, and with the fetch's own
   * error (a timeout, a refused connection) when the system cannot be reached.
   */
  request(system: ChangeSystemName, path: string, init?: RequestInit): Promise<Response>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function createChangeSystemClient(
  config: ChangeSystemsConfig,
  options: ClientOptions = {},
): ChangeSystemClient {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const waits = new Waits(now, options.store);
  let token: { value: string; expiresAt: number } | undefined;
  // One token request at a time: callers that find no token all wait for the same one.
  let fetching: Promise<string> | undefined;

  /** One request, unless the system asked to wait; an answer asking to wait is an error. */
  async function timed(system: ChangeSystemName, url: string, init: RequestInit) {
    const base = baseUrl(config, system);
    const instance = `${system}:${base}`;
    const waiting = await waits.until(instance);
    if (waiting !== undefined) {
      throw new ChangeSystemError(
        `${displayName(system)} asked us to wait until ${clockTime(waiting)}`,
        429,
        waiting - now(),
        waiting,
      );
    }
    const started = performance.now();
    const seen = (status: string): void =>
      options.observe?.({ system, status, seconds: (performance.now() - started) / 1000 });
    let response: Response;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      seen("error");
      throw error;
    }
    seen(String(response.status));
    const until = await waits.heard(instance, response);
    if (until === undefined) return response;
    const answer = await answerError(system, response);
    throw new ChangeSystemError(
      `${answer.message.replace(/\.$/, "")}, and asked us to wait until ${clockTime(until)}`,
      response.status,
      until - now(),
      until,
    );
  }

  async function newToken(sn: ServiceNowConfig, auth: ServiceNowOAuth): Promise<string> {
    const response = await timed("servicenow", `${sn.url}/oauth_token.do`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
      }).toString(),
    });
    if (!response.ok) {
      throw new ChangeSystemError(
        `its OAuth token endpoint answered ${response.status}`,
        response.status,
      );
    }
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== "string") {
      throw new ChangeSystemError("its OAuth token endpoint gave no access_token");
    }
    const seconds = typeof body.expires_in === "number" ? body.expires_in : 300;
    // Renew a little early so a token never expires between check and use.
    token = { value: body.access_token, expiresAt: now() + Math.max(0, seconds - 30) * 1000 };
    return token.value;
  }

  async function serviceNowAuth(sn: ServiceNowConfig): Promise<string> {
    if (sn.auth.kind === "basic") return basic(sn.auth.user, sn.auth.password);
    if (token && token.expiresAt > now()) return `Bearer ${token.value}`;
    fetching ??= newToken(sn, sn.auth).finally(() => (fetching = undefined));
    return `Bearer ${await fetching}`;
  }

  async function send(system: ChangeSystemName, path: string, init: RequestInit) {
    const headers = new Headers(init.headers);
    if (!headers.has("accept")) headers.set("accept", "application/json");
    let base: string;
    if (system === "servicenow") {
      const sn = config.servicenow;
      if (!sn) throw new ChangeSystemError(`ServiceNow is not configured`);
      headers.set("authorization", await serviceNowAuth(sn));
      base = sn.url;
    } else {
      const jira = config.jira;
      if (!jira) throw new ChangeSystemError(`Jira is not configured`);
      headers.set("authorization", basic(jira.email, jira.apiToken));
      base = jira.url;
    }
    const authorization = headers.get("authorization") ?? "";
    return { response: await timed(system, `${base}${path}`, { ...init, headers }), authorization };
  }

  return {
    config,
    async request(system, path, init = {}) {
      const first = await send(system, path, init);
      const oauth = system === "servicenow" && config.servicenow?.auth.kind === "oauth";
      if (first.response.status !== 401 || !oauth) return first.response;
      // A token revoked or rotated before its expiry: drop it (unless a newer one replaced it
      // meanwhile), take a new one, and ask once more. A second 401 is the caller's to report.
      await first.response.body?.cancel();
      if (token && first.authorization === `Bearer ${token.value}`) token = undefined;
      return (await send(system, path, init)).response;
    },
  };
}

type ServiceNowOAuth = Extract<ServiceNowAuth, { kind: "oauth" }>;

function baseUrl(config: ChangeSystemsConfig, system: ChangeSystemName): string {
  return (system === "servicenow" ? config.servicenow?.url : config.jira?.url) ?? "";
}

function displayName(system: ChangeSystemName): string {
  return system === "servicenow" ? "ServiceNow" : "Jira";
}

/**
 * A failure a later attempt may not meet: no answer, a timeout, 408, 429, 5xx. A refusal
 * (401, 403, 404 of the endpoint) or a token that cannot be had waits for a person.
 */
export function isPassingFailure(error: unknown): boolean {
  if (!(error instanceof ChangeSystemError)) return true;
  const status = error.status;
  return status === undefined ? false : status === 408 || status === 429 || status >= 500;
}

/** Why a request failed, in words safe to show: the system's answer, a timeout, no answer. */
export function describeFailure(error: unknown): string {
  if (error instanceof ChangeSystemError) return error.message;
  const timedOut =
    (error instanceof DOMException || error instanceof Error) && error.name === "TimeoutError";
  if (timedOut) return "it did not answer in time";
  return "it could not be reached";
}

/**
 * A failed answer as an error naming the status and the system's own message. This client
 * turns an answer that asked the app to wait into an error itself: its callers never see one.
 */
export async function answerError(
  system: ChangeSystemName,
  response: Response,
): Promise<ChangeSystemError> {
  const message =
    system === "servicenow" ? await serviceNowMessage(response) : await jiraMessage(response);
  return new ChangeSystemError(
    `${displayName(system)} answered ${response.status}${message ? `: ${message}` : ""}`,
    response.status,
    // Read for a client that hands on such an answer as it came.
    retryAfterMs(response.headers.get("retry-after"), Date.now()),
  );
}

function basic(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
}

/** ServiceNow's error body: `{ "error": { "message", "detail" }, "status": "failure" }`. */
async function serviceNowMessage(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as {
    error?: { message?: unknown };
  } | null;
  return typeof body?.error?.message === "string" ? body.error.message : "";
}

/** Jira's error body: `{ "errorMessages": [ … ], "errors": { … } }`. */
async function jiraMessage(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { errorMessages?: unknown } | null;
  const messages = Array.isArray(body?.errorMessages)
    ? body.errorMessages.filter((m) => typeof m === "string")
    : [];
  return messages.join("; ");
}
