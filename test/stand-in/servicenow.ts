// A ServiceNow stand-in on 127.0.0.1: the Table API's change_request reads (answers shaped
// like sysparm_display_value=all, `{ "result": [ … ] }`), sys_choice's state labels, work notes by PATCH of one record
// (kept in `notes`), its error body
// `{ "error": { "message", "detail" }, "status": "failure" }`, and the OAuth token endpoint
// (each token it issues is new, and can be revoked before it expires).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inProcessFetch } from "../support/in-process-fetch.js";

export interface StandInChange {
  number: string;
  short_description: string;
  /** Display values: "Assess", "Scheduled", "Implement", "Canceled"… */
  state: string;
  approval: string;
  /** UTC "2026-03-10 11:00:00". */
  start_date?: string;
  end_date?: string;
  sys_id: string;
}

export interface ServiceNowStandIn {
  url: string;
  changes: Map<string, StandInChange>;
  /**
   * Files or updates one change: the fields given over the record as it stands, or over an
   * approved change in Implement with a title and sys_id of its own.
   */
  put(number: string, fields?: Partial<StandInChange>): StandInChange;
  /** Work notes written (PATCH change_request/{sys_id} with `work_notes`), in order. */
  notes: { sysId: string; number: string; text: string }[];
  /** Every request's method, path and Authorization header, in order. */
  requests: { method: string; path: string; authorization: string | undefined }[];
  /** The change_request state choices sys_choice lists (labels), in order. */
  states: string[];
  /** Answer sys_choice reads with this status instead (403: no read ACL on it). */
  choicesFailWith?: number;
  /** Answer the next table reads with this status instead (401, 403, 429…). */
  failWith?: number;
  /** The `retry-after` a 429 (default "30") or 503 (default none) is answered with. */
  retryAfter?: string;
  /** Tokens the OAuth endpoint issued, in order ("standin-token", "standin-token-2", …). */
  tokens: string[];
  /** Revokes every token issued so far: they are refused (401) from now on. */
  revokeTokens(): void;
  /** The tokens revoked. */
  revoked: Set<string>;
  /** Hold every table read this long before answering: a slow instance. */
  delayMs?: number;
  /** Accepted credentials: "user:password" for basic, and the OAuth client. */
  basic: string;
  client: { id: string; secret: string };
  /** The same stand-in reached in-process, for tests that load nock. */
  fetch: typeof fetch;
  close(): Promise<void>;
}

export async function startServiceNow(): Promise<ServiceNowStandIn> {
  const standIn = {
    url: "",
    changes: new Map<string, StandInChange>(),
    notes: [],
    requests: [],
    tokens: [],
    revoked: new Set<string>(),
    states: [
      "New",
      "Assess",
      "Authorize",
      "Scheduled",
      "Implement",
      "Review",
      "Closed",
      "Canceled",
    ],
    basic: "release-policy:s3cret",
    client: { id: "client-id", secret: "client-secret" },
  } as unknown as ServiceNowStandIn;
  standIn.put = (number, fields = {}) => {
    const change: StandInChange = {
      ...(standIn.changes.get(number) ?? approvedChange(number)),
      ...fields,
    };
    standIn.changes.set(number, change);
    return change;
  };
  standIn.revokeTokens = () => standIn.tokens.forEach((t) => standIn.revoked.add(t));
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(standIn, req, res);
  };
  const server: Server = createServer(listener);
  standIn.fetch = inProcessFetch(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}

function approvedChange(number: string): StandInChange {
  const sysId = `sys-${number}`;
  return {
    number,
    short_description: "Release shop 4.2",
    state: "Implement",
    approval: "Approved",
    sys_id: sysId,
  };
}

async function handle(
  s: ServiceNowStandIn,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", s.url);
  s.requests.push({
    method: req.method ?? "",
    path: url.pathname,
    authorization: req.headers.authorization,
  });
  const body = await readBody(req);
  if (req.method === "POST" && url.pathname === "/oauth_token.do") {
    const form = new URLSearchParams(body);
    if (form.get("client_id") !== s.client.id || form.get("client_secret") !== s.client.secret) {
      return send(res, 401, { error: "access_denied", error_description: "access_denied" });
    }
    const token = s.tokens.length === 0 ? "standin-token" : `standin-token-${s.tokens.length + 1}`;
    s.tokens.push(token);
    return send(res, 200, { access_token: token, token_type: "Bearer", expires_in: 1799 });
  }
  const record = /^\/api\/now\/table\/change_request\/([^/]+)$/.exec(url.pathname)?.[1];
  const choices = url.pathname === "/api/now/table/sys_choice";
  if (url.pathname !== "/api/now/table/change_request" && !record && !choices) {
    return failure(res, 400, "Invalid table", "");
  }
  const auth = req.headers.authorization ?? "";
  const basic = `Basic ${Buffer.from(s.basic).toString("base64")}`;
  const bearer = /^Bearer (.+)$/.exec(auth)?.[1];
  const issued = bearer !== undefined && s.tokens.includes(bearer) && !s.revoked.has(bearer);
  if (auth !== basic && !issued) {
    return failure(res, 401, "User Not Authenticated", "Required to provide Auth information");
  }
  if (choices) return stateChoices(s, url, res);
  if (s.failWith === 403) return failure(res, 403, "User Not Authorized", "ACL denied");
  if (s.failWith === 429) {
    return failure(res, 429, "Too Many Requests", "Rate limit exceeded", {
      "retry-after": s.retryAfter ?? "30",
    });
  }
  if (s.failWith === 503 && s.retryAfter !== undefined) {
    return failure(res, 503, "Service Unavailable", "", { "retry-after": s.retryAfter });
  }
  if (s.failWith) return failure(res, s.failWith, "Failure", "");
  if (record !== undefined) return writeNote(s, decodeURIComponent(record), req, body, res);
  if (s.delayMs) await new Promise((resolve) => setTimeout(resolve, s.delayMs));
  const number = /^number=(.+)$/.exec(url.searchParams.get("sysparm_query") ?? "")?.[1];
  const change = number ? s.changes.get(number) : undefined;
  send(res, 200, { result: change ? [displayAll(change)] : [] });
}

/** sys_choice rows of change_request's state (the only choice list the stand-in holds). */
function stateChoices(s: ServiceNowStandIn, url: URL, res: ServerResponse): void {
  if (s.choicesFailWith) return failure(res, s.choicesFailWith, "User Not Authorized", "ACL");
  const query = url.searchParams.get("sysparm_query") ?? "";
  const wanted = query.includes("name=change_request") && query.includes("element=state");
  const rows = s.states.map((label, i) => ({ label, value: String(i - 5), inactive: "false" }));
  send(res, 200, { result: wanted ? rows : [] });
}

/** PATCH of one change request: only `work_notes` is taken, as a journal entry. */
function writeNote(
  s: ServiceNowStandIn,
  sysId: string,
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
): void {
  if (req.method !== "PATCH" && req.method !== "PUT") {
    return failure(res, 405, "Method not Supported", "");
  }
  const change = [...s.changes.values()].find((c) => c.sys_id === sysId);
  if (!change) {
    return failure(
      res,
      404,
      "No Record found",
      "Record doesn't exist or ACL restricts the record retrieval",
    );
  }
  const fields = JSON.parse(body || "{}") as { work_notes?: unknown };
  if (typeof fields.work_notes === "string" && fields.work_notes !== "") {
    s.notes.push({ sysId, number: change.number, text: fields.work_notes });
  }
  // Without sysparm_display_value the Table API answers plain values, limited to
  // sysparm_fields when given; work_notes reads back empty (journal fields do).
  const all: Record<string, string> = { ...change, work_notes: "" };
  const wanted = url(req).searchParams.get("sysparm_fields")?.split(",");
  send(res, 200, {
    result: wanted ? Object.fromEntries(wanted.map((f) => [f, all[f] ?? ""])) : all,
  });
}

const url = (req: IncomingMessage): URL => new URL(req.url ?? "/", "http://127.0.0.1");

/** Every field as sysparm_display_value=all gives it. */
function displayAll(c: StandInChange): Record<string, { display_value: string; value: string }> {
  const v = (display: string, value = display) => ({ display_value: display, value });
  return {
    number: v(c.number),
    short_description: v(c.short_description),
    state: v(c.state, c.state.toLowerCase()),
    approval: v(c.approval, c.approval.toLowerCase()),
    start_date: v(c.start_date ?? "", c.start_date ?? ""),
    end_date: v(c.end_date ?? "", c.end_date ?? ""),
    sys_id: v(c.sys_id),
  };
}

function failure(
  res: ServerResponse,
  status: number,
  message: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  send(res, status, { error: { message, detail }, status: "failure" }, headers);
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
