// A Jira Cloud stand-in on 127.0.0.1: POST /rest/api/3/issue/{key}/comment (kept in
// `comments`, answered 201 with the comment), GET /rest/api/3/issue/{key} answering
// `{ "key", "fields": { "summary", "status": { "name" }, … } }`, 404 with
// `{ "errorMessages": [ … ], "errors": {} }`, GET /rest/api/3/myself and /rest/api/3/status,
// basic auth with email:api-token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inProcessFetch } from "../support/in-process-fetch.js";
import { readBody, send } from "./servicenow.js";

export interface StandInIssue {
  key: string;
  summary: string;
  status: string;
  /** Custom fields by id ("customfield_10032": "2026-03-10T11:00:00.000+0000"). */
  custom?: Record<string, string>;
}

export interface JiraStandIn {
  url: string;
  issues: Map<string, StandInIssue>;
  requests: { path: string; query: string; authorization: string | undefined }[];
  /** Comments added (POST /rest/api/3/issue/{key}/comment): the ADF body and properties. */
  comments: { key: string; body: unknown; properties: unknown }[];
  failWith?: number;
  /** The `retry-after` a 429 is answered with (default "30"). */
  retryAfter?: string;
  credentials: string;
  /** The status names GET /rest/api/3/status lists. */
  statuses: string[];
  /** The same stand-in reached in-process, for tests that load nock. */
  fetch: typeof fetch;
  close(): Promise<void>;
}

export async function startJira(): Promise<JiraStandIn> {
  const standIn = {
    url: "",
    issues: new Map<string, StandInIssue>(),
    requests: [],
    comments: [],
    credentials: "bot@example.com:api-token",
    statuses: ["Open", "Awaiting approval", "Approved", "Done", "Declined"],
  } as unknown as JiraStandIn;
  const listener = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    const url = new URL(req.url ?? "/", standIn.url);
    standIn.requests.push({
      path: url.pathname,
      query: url.search,
      authorization: req.headers.authorization,
    });
    if (
      req.headers.authorization !== `Basic ${Buffer.from(standIn.credentials).toString("base64")}`
    ) {
      return send(res, 401, { errorMessages: ["You are not authenticated."], errors: {} });
    }
    if (standIn.failWith === 429) {
      return send(
        res,
        429,
        { errorMessages: ["Rate limit exceeded."], errors: {} },
        { "retry-after": standIn.retryAfter ?? "30" },
      );
    }
    if (standIn.failWith)
      return send(res, standIn.failWith, { errorMessages: ["Failure."], errors: {} });
    if (url.pathname === "/rest/api/3/myself") {
      return send(res, 200, { accountId: "app", emailAddress: "bot@example.com" });
    }
    if (url.pathname === "/rest/api/3/status") {
      return send(
        res,
        200,
        standIn.statuses.map((name, i) => ({ id: String(i + 1), name })),
      );
    }
    const [, key, comment] =
      /^\/rest\/api\/3\/issue\/([^/]+)(\/comment)?$/.exec(url.pathname) ?? [];
    const issue = key ? standIn.issues.get(decodeURIComponent(key)) : undefined;
    if (comment && issue && req.method === "POST") {
      const { body, properties } = JSON.parse(text || "{}") as Record<string, unknown>;
      standIn.comments.push({ key: issue.key, body, properties });
      const id = String(10000 + standIn.comments.length);
      return send(res, 201, {
        self: `${standIn.url}/rest/api/3/issue/10001/comment/${id}`,
        id,
        author: { accountId: "app", displayName: "Release Policy" },
        body,
        created: "2026-03-10T12:00:00.000+0000",
        updated: "2026-03-10T12:00:00.000+0000",
        jsdPublic: false,
      });
    }
    if (!issue) {
      return send(res, 404, {
        errorMessages: ["Issue does not exist or you do not have permission to see it."],
        errors: {},
      });
    }
    send(res, 200, {
      id: "10001",
      key: issue.key,
      fields: { summary: issue.summary, status: { name: issue.status }, ...(issue.custom ?? {}) },
    });
  };
  const server: Server = createServer((req, res) => void listener(req, res));
  standIn.fetch = inProcessFetch((req, res) => void listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}
