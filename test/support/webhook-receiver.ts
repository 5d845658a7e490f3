// A Slack or Teams incoming webhook stood in for on 127.0.0.1: it records every POST (path and
// JSON body) and answers with the statuses a test lines up, then 200.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  body: Record<string, unknown>;
  contentType: string | undefined;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Statuses for the next requests, in order; 200 once they run out. */
  statuses: number[] = [];
  /** While set, every request fails with 503: a receiver that is down. */
  down = false;
  #server: Server | undefined;
  #url = "";

  async start(): Promise<this> {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        this.received.push({
          path: request.url ?? "",
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          contentType: request.headers["content-type"],
        });
        const status = this.down ? 503 : (this.statuses.shift() ?? 200);
        response.writeHead(status, { "content-type": "text/plain" });
        response.end(status === 200 ? "ok" : "no_service");
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${port}`;
    return this;
  }

  /** The webhook URL for one channel: each path is a channel. */
  url(path: string): string {
    return `${this.#url}${path}`;
  }

  /** What arrived on one path, in order. */
  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    );
  }
}

/**
 * fetch over node:http, for tests that also use nock: nock 15.0 on Node 20 lets a loopback
 * GET through but fails every fetch POST it passes through ("unusable" body), while
 * http.request passes. Only what postJson uses is supported (a string body, a timeout
 * signal); the real fetch is tested where nock is not loaded (test/effects, test/e2e).
 */
export const loopbackFetch: typeof fetch = (input, init) =>
  new Promise<Response>((resolve, reject) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const sent = httpRequest(
      url,
      { method: init?.method ?? "GET", headers, signal: init?.signal ?? undefined },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve(
            new Response(Buffer.concat(chunks), {
              status: res.statusCode ?? 500,
              headers: res.headers as Record<string, string>,
            }),
          ),
        );
      },
    );
    sent.on("error", reject);
    sent.end(typeof init?.body === "string" ? init.body : undefined);
  });
