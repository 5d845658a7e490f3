/**
 * The app's webhook deliveries in the stand-in: each webhook sent is recorded as GitHub
 * records it, listed newest first with cursor pages, and redelivered with the same body and
 * delivery id. Answers are checked against GitHub's response schema.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startWithProbot } from "./fixtures.js";
import type { StandIn } from "./server.js";
import { signBody } from "./webhooks.js";

const SECRET = "stand-in-hooks";
let standIn: StandIn;
let app: Awaited<ReturnType<Awaited<ReturnType<typeof startWithProbot>>["probot"]["auth"]>>;
let receiver: Server;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  const started = await startWithProbot();
  standIn = started.standIn;
  app = await started.probot.auth();
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const { port } = receiver.address() as AddressInfo;
  standIn.state.hooks.target = { url: `http://127.0.0.1:${port}/hooks`, secret: SECRET };
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await standIn.close();
});

test("webhooks are recorded, listed newest first in cursor pages, and redelivered as sent", async () => {
  const payload = { action: "opened", installation: { id: 42 }, repository: { id: 7 } };
  const sent = await standIn.state.hooks.send("pull_request", payload);
  expect(sent.status).toBe(200);
  standIn.state.hooks.recordSent({
    guid: "lb-503",
    event: "issues",
    body: JSON.stringify({ action: "edited" }),
    statusCode: 503,
  });

  const pages: { guid: string; status: string; status_code: number }[][] = [];
  for await (const { data } of app.paginate.iterator(app.rest.apps.listWebhookDeliveries, {
    per_page: 1,
  }))
    pages.push(data.map(({ guid, status, status_code }) => ({ guid, status, status_code })));
  expect(pages).toEqual([
    [{ guid: "lb-503", status: "Invalid HTTP Response: 503", status_code: 503 }],
    [{ guid: sent.guid, status: "OK", status_code: 200 }],
  ]);

  const first = standIn.state.hooks.attemptsOf(sent.guid)[0];
  const answer = await app.rest.apps.redeliverWebhookDelivery({ delivery_id: first?.id ?? 0 });
  expect(answer.status).toBe(202);
  await standIn.state.hooks.settled();

  expect(received).toHaveLength(2);
  const [original, again] = received;
  expect(again?.body).toBe(original?.body);
  expect(again?.headers["x-github-delivery"]).toBe(sent.guid);
  expect(again?.headers["x-hub-signature-256"]).toBe(signBody(SECRET, JSON.stringify(payload)));
  expect(standIn.state.hooks.attemptsOf(sent.guid).map((a) => a.redelivery)).toEqual([false, true]);
  expect(standIn.violations()).toEqual([]);
});

test("an unknown delivery is not found; nothing listens: failed to connect", async () => {
  await expect(app.rest.apps.redeliverWebhookDelivery({ delivery_id: 1 })).rejects.toMatchObject({
    status: 404,
  });
  const target = standIn.state.hooks.target;
  standIn.state.hooks.target = { url: "http://127.0.0.1:9/hooks", secret: SECRET };
  try {
    expect((await standIn.state.hooks.send("push", {})).status).toBe(0);
  } finally {
    standIn.state.hooks.target = target;
  }
  const { data } = await app.rest.apps.listWebhookDeliveries({ per_page: 1 });
  expect(data[0]).toMatchObject({ event: "push", status: "failed to connect", status_code: 0 });
  expect(standIn.violations()).toEqual([]);
});
