// One POST to an incoming webhook with the real fetch (nock is not loaded here), against a
// receiver on 127.0.0.1: what counts as sent, what is tried again, what is given up, and that
// the URL (a secret) never appears in what is reported.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { postJson, retryAfterOf } from "../../src/effects/chat-webhook.js";
import { webhookUrl } from "../../src/holds/notification-outbox.js";

type Reply = { status: number; body?: string; headers?: Record<string, string>; hang?: boolean };

let server: Server;
let base = "";
let next: Reply = { status: 200 };
const bodies: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      bodies.push(body);
      if (next.hang) return;
      response.writeHead(next.status, next.headers ?? {});
      response.end(next.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  bodies.length = 0;
});

const SECRET_PATH = "/services/T000/B000/secret-token";

/** A port nobody listens on (fetch refuses port 1 before connecting). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("postJson", () => {
  it("sends the JSON and counts any 2xx as sent", async () => {
    next = { status: 202 };
    expect(await postJson(base + SECRET_PATH, { text: "hi" })).toEqual({
      kind: "sent",
      status: 202,
    });
    expect(bodies).toEqual(['{"text":"hi"}']);
  });

  it("tries a server error or a rate limit again, after the wait the receiver names", async () => {
    next = { status: 503, body: "<html>busy</html>" };
    expect(await postJson(base + SECRET_PATH, {})).toEqual({
      kind: "retry",
      why: "HTTP 503",
      status: 503,
    });
    next = { status: 429, headers: { "retry-after": "30" } };
    expect(await postJson(base + SECRET_PATH, {})).toEqual({
      kind: "retry",
      why: "HTTP 429",
      status: 429,
      retryAfterMs: 30_000,
    });
  });

  it("gives up on a refusal, with Slack's word for it, and on a redirect", async () => {
    next = { status: 404, body: "no_service" };
    expect(await postJson(base + SECRET_PATH, {})).toEqual({
      kind: "give-up",
      why: "HTTP 404 no_service",
      status: 404,
    });
    next = { status: 302, headers: { location: "https://elsewhere.example/" } };
    expect(await postJson(base + SECRET_PATH, {})).toMatchObject({ kind: "give-up", status: 302 });
  });

  it("a receiver that does not answer in time, or is not there, is tried again; the URL is never told", async () => {
    next = { status: 200, hang: true };
    const slow = await postJson(base + SECRET_PATH, {}, { timeoutMs: 50 });
    expect(slow).toEqual({ kind: "retry", why: "timed out" });
    const refused = await postJson(`http://127.0.0.1:${await closedPort()}${SECRET_PATH}`, {});
    expect(refused).toEqual({ kind: "retry", why: "network error (ECONNREFUSED)" });
    expect(JSON.stringify([slow, refused])).not.toContain("secret");
  });
});

describe("retryAfterOf", () => {
  it("reads seconds or an HTTP date", () => {
    const now = Date.parse("2026-03-10T12:00:00Z");
    expect(retryAfterOf("2", now)).toBe(2000);
    expect(retryAfterOf("Tue, 10 Mar 2026 12:01:00 GMT", now)).toBe(60_000);
    expect(retryAfterOf("soon", now)).toBeUndefined();
    expect(retryAfterOf(null, now)).toBeUndefined();
  });
});

describe("webhookUrl", () => {
  it("takes an http(s) URL from the variable, and says what is wrong otherwise, never the value", () => {
    const env = {
      SLACK_OK: " https://hooks.slack.com/services/T/B/x ",
      SLACK_TOKEN: "xoxb-not-a-url",
      SLACK_FTP: "ftp://files.example/secret",
    };
    expect(webhookUrl(env, "SLACK_OK")).toEqual({ url: "https://hooks.slack.com/services/T/B/x" });
    expect(webhookUrl(env, "SLACK_MISSING")).toEqual({ problem: "SLACK_MISSING is not set" });
    expect(webhookUrl(env, "SLACK_TOKEN")).toEqual({ problem: "SLACK_TOKEN does not hold a URL" });
    expect(webhookUrl(env, "SLACK_FTP")).toEqual({
      problem: "SLACK_FTP holds a ftp: URL, not an http(s) one",
    });
  });
});
