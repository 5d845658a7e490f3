// The logger: JSON lines as Probot writes them, with every credential path redacted,
// including those inside a real Octokit request error.
import { PassThrough } from "node:stream";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { createLogger, REDACTED } from "../../src/service/logger.js";

const TOKEN = "ghs_installationtoken0123456789abcdef";
const KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecret\n-----END RSA PRIVATE KEY-----";
const SECRET = "webhook-secret-value";

async function capture(env: NodeJS.ProcessEnv = { LOG_FORMAT: "json", LOG_LEVEL: "info" }) {
  const sink = new PassThrough();
  let text = "";
  sink.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const log = await createLogger(env, sink);
  const lines = async (): Promise<Record<string, unknown>[]> => {
    await new Promise((resolve) => setImmediate(resolve));
    return text
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { log, lines, text: () => text };
}

afterAll(() => nock.restore());

test.each([
  [
    "an incoming request's authorization",
    { req: { headers: { authorization: `token ${TOKEN}` } } },
  ],
  ["a webhook signature", { req: { headers: { "x-hub-signature-256": `sha256=${SECRET}` } } }],
  ["a private key", { privateKey: KEY }],
  ["a nested private key", { options: { privateKey: KEY } }],
  ["a webhook secret", { secret: SECRET }],
  ["a nested secret", { options: { webhookSecret: SECRET } }],
  ["a token", { token: TOKEN }],
  ["a nested token", { data: { token: TOKEN } }],
  ["headers of an outgoing request", { request: { headers: { authorization: `token ${TOKEN}` } } }],
])("%s is redacted", async (_what, fields) => {
  const { log, lines, text } = await capture();
  log.info(fields, "something happened");
  const [line] = await lines();
  expect(line?.msg).toBe("something happened");
  expect(text()).toContain(REDACTED);
  expect(text()).not.toContain(TOKEN);
  expect(text()).not.toContain("MIIEsecret");
  expect(text()).not.toContain(SECRET);
});

test("an Octokit request error logged as `err` shows no token", async () => {
  nock.disableNetConnect();
  nock("https://api.github.com")
    .post("/app/installations/77/access_tokens")
    .reply(403, { message: "Forbidden", token: TOKEN });
  const octokit = new ProbotOctokit({
    auth: { token: TOKEN },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  const error = await octokit
    .request("POST /app/installations/{installation_id}/access_tokens", { installation_id: 77 })
    .catch((e: unknown) => e);
  const { log, text } = await capture();
  log.warn({ err: error }, "could not read from GitHub");
  await new Promise((resolve) => setImmediate(resolve));
  expect(text()).toContain("could not read from GitHub");
  expect(text()).toContain("403");
  expect(text()).not.toContain(TOKEN);
});

test("a child logger's bindings (the delivery id) are on every line", async () => {
  const { log, lines } = await capture();
  const event = log.child({ name: "event", id: "delivery-1" });
  event.info("first");
  event.warn({ token: TOKEN }, "second");
  expect((await lines()).map((line) => [line.id, line.msg])).toEqual([
    ["delivery-1", "first"],
    ["delivery-1", "second"],
  ]);
});

test.each<[NodeJS.ProcessEnv, string[]]>([
  [{ LOG_LEVEL: "warn", LOG_FORMAT: "json" }, ["warned"]],
  [{ LOG_LEVEL: "debug", LOG_FORMAT: "json" }, ["debugged", "warned"]],
  // An unknown level falls back to info: debug is dropped, warn kept.
  [{ LOG_LEVEL: "nonsense" as NodeJS.ProcessEnv["LOG_LEVEL"], LOG_FORMAT: "json" }, ["warned"]],
])("LOG_LEVEL from %j", async (env, expected) => {
  const { log, lines } = await capture(env);
  log.debug("debugged");
  log.warn("warned");
  const messages = (await lines()).map((line) => line.msg);
  expect(messages).toEqual(expected);
});

test("an error carrying a webhook delivery shows its id and event name, not its payload", async () => {
  const payload = JSON.stringify({ action: "opened", issue: { body: TOKEN } });
  const delivery = { id: "delivery-9", name: "issues", payload, signature: "sha256=abc" };
  const rejected = Object.assign(new Error("signature does not match"), {
    event: delivery,
    status: 400,
  });
  const aggregate = Object.assign(new AggregateError([rejected], rejected.message), {
    event: rejected,
  });
  const { log, lines, text } = await capture();
  log.error(rejected, "rejected");
  log.error({ err: aggregate }, "rejected again");
  const [first, second] = await lines();
  expect((first?.err as { event: unknown }).event).toEqual({ id: "delivery-9", name: "issues" });
  expect(second?.err).toMatchObject({
    aggregateErrors: [{ event: { id: "delivery-9", name: "issues" } }],
    event: { event: { id: "delivery-9", name: "issues" } },
  });
  expect(text()).not.toContain(TOKEN);
  expect(text()).not.toContain("payload");
  expect(text()).not.toContain("sha256=abc");
});
