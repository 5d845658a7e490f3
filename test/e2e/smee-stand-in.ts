/**
 * A local stand-in for smee.io, the webhook proxy of Probot's development flow, speaking the
 * protocol smee-client 5 speaks: `HEAD /new` answers a redirect to a fresh channel; `GET
 * /<channel>` is the channel's event stream; a `POST /<channel>` (GitHub delivering) is sent
 * to every listener as one message: the request's headers, with its JSON body as `body` and
 * its query as `query`. Nothing is stored: a delivery with no listener is lost, as on smee.io.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SmeeStandIn {
  /** `HEAD` here creates a channel (WEBHOOK_PROXY_SERVICE_URL). */
  newChannelUrl: string;
  /** Channels created so far, as full URLs. */
  channels(): string[];
  /** How many event streams listen on `channel` now. */
  listeners(channel: string): number;
  close(): Promise<void>;
}

export async function startSmee(): Promise<SmeeStandIn> {
  const streams = new Map<string, Set<ServerResponse>>();
  let base = "";
  const server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", base);
    if (url.pathname === "/new") {
      const channel = `${base}/channel-${streams.size + 1}`;
      streams.set(new URL(channel).pathname, new Set());
      res.writeHead(307, { location: channel }).end();
      return;
    }
    const listening = streams.get(url.pathname);
    if (!listening) {
      res.writeHead(404).end();
      return;
    }
    if (req.method === "GET") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      res.write("event: ready\ndata: {}\n\n");
      listening.add(res);
      req.on("close", () => listening.delete(res));
      return;
    }
    if (req.method === "POST") {
      let text = "";
      for await (const chunk of req) text += (chunk as Buffer).toString("utf8");
      const message = {
        ...req.headers,
        body: JSON.parse(text) as unknown,
        query: Object.fromEntries(url.searchParams),
        timestamp: Date.now(),
      };
      for (const stream of listening) stream.write(`data: ${JSON.stringify(message)}\n\n`);
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    res.writeHead(405).end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    newChannelUrl: `${base}/new`,
    channels: () => [...streams.keys()].map((path) => `${base}${path}`),
    listeners: (channel) => streams.get(new URL(channel).pathname)?.size ?? 0,
    close: () =>
      new Promise((resolve) => {
        for (const set of streams.values()) for (const stream of set) stream.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
