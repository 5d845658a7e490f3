// A Slack or Teams incoming webhook stood in for: it records every POST (path and JSON body)
// and answers with the statuses a test lines up, then 200. Over HTTP on 127.0.0.1 (start()),
// for the real server and the real fetch; or in-process (`fetch`), for tests that load nock:
// nock 15.0 on Node 20 fails every fetch POST it lets through to the network ("unusable"
// body), and its http.request patch outlives the test file that made it within a jest worker,
// so a test file's loopback POSTs fail depending on what ran before it.
import { createServer, type Server } from "node:http";
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
  #url = "http://127.0.0.1:0";

  async start(): Promise<this> {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const answer = this.#answer(
          request.url ?? "",
          Buffer.concat(chunks).toString("utf8"),
          request.headers["content-type"],
        );
        response.writeHead(answer.status, { "content-type": "text/plain" });
        response.end(answer.body);
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

  /** The same receiver without a network: what the app's fetch is replaced with under nock. */
  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    const text = typeof init?.body === "string" ? init.body : "";
    const answer = this.#answer(url.pathname, text, headers.get("content-type") ?? undefined);
    return Promise.resolve(new Response(answer.body, { status: answer.status }));
  };

  #answer(path: string, text: string, contentType: string | undefined) {
    this.received.push({
      path,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      contentType,
    });
    const status = this.down ? 503 : (this.statuses.shift() ?? 200);
    return { status, body: status === 200 ? "ok" : "no_service" };
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
