// What the process logs when something is refused: a failed readiness probe is one line with
// the reason and no stack, and a badly signed webhook leaves nothing of its payload in the log
// beyond its delivery id and event name.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(90_000);

const SECRET = "e2e-quiet-logs-secret";
const PAYLOAD_TEXT = "ghp_payloadTextThatLooksLikeAToken0123456789";

let gh: StandIn;
let server: AppServer;

beforeAll(async () => {
  gh = await start({ app: { id: 5151 } });
  server = await startServer({ standIn: gh, secret: SECRET, logLevel: "info" });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

/** The JSON lines the process wrote after `from` characters of its output. */
function linesAfter(from: number): Record<string, unknown>[] {
  return server
    .output()
    .slice(from)
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test("a failed readiness probe is one line with the reason and no stack", async () => {
  gh.failNext("GET /app", 500, { message: "GitHub is down" });
  const from = server.output().length;
  const response = await fetch(`${server.url}/readyz`);
  expect(response.status).toBe(503);
  const probeLines = () => linesAfter(from).filter((entry) => /\/readyz/.test(String(entry.msg)));
  await waitFor("the probe's log line", () => probeLines()[0]);
  const lines = probeLines();
  expect(lines).toHaveLength(1);
  expect(lines[0]?.msg).toMatch(/^GET \/readyz 503 /);
  expect(lines[0]?.err).toMatchObject({
    message: expect.stringContaining(
      "cannot authenticate as the app: GitHub answered 500: GitHub is down",
    ) as unknown,
    stack: "",
  });
  expect(server.output().slice(from)).not.toMatch(/\bat \S+ \(/);
});

test("a badly signed webhook is logged with its delivery id and event name, not its payload", async () => {
  const from = server.output().length;
  const delivery = await server.deliver(
    "issues",
    { action: "opened", issue: { title: "hello", body: PAYLOAD_TEXT } },
    { secret: "not-the-secret", id: "forged-delivery-1" },
  );
  expect(delivery.status).toBe(400);
  await waitFor("the request's log line", () =>
    linesAfter(from).find((entry) => String(entry.msg).startsWith("POST /api/github/webhooks 400")),
  );
  const text = server.output().slice(from);
  expect(text).toContain("forged-delivery-1");
  expect(text).toContain('"name":"issues"');
  expect(text).not.toContain(PAYLOAD_TEXT);
  expect(text).not.toContain("hello");
  expect(text).not.toContain('"payload"');
});
