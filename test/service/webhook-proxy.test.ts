// The registration flow's webhook proxy: a channel is created and saved where the restarted
// server finds it, or the operator is told which webhook URL the app will get and the fix.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { createLogger } from "../../src/service/logger.js";
import { prepareWebhookProxy } from "../../src/service/webhook-proxy.js";
import { freePort } from "../support/free-port.js";
import { startSmee, type SmeeStandIn } from "../e2e/smee-stand-in.js";

let smee: SmeeStandIn;
let cwd: string;
beforeAll(async () => {
  smee = await startSmee();
});
afterAll(() => smee.close());
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "webhook-proxy-"));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

async function logged() {
  const sink = new PassThrough();
  let text = "";
  sink.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const log = await createLogger({ LOG_FORMAT: "json", LOG_LEVEL: "info" }, sink);
  const lines = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return text
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string });
  };
  return { log, lines };
}

test("creates a channel, saves it to .env beside what is there, and says so", async () => {
  writeFileSync(join(cwd, ".env"), "# mine\nLOG_LEVEL=debug\nWEBHOOK_PROXY_URL=\n");
  const env: Record<string, string | undefined> = {
    WEBHOOK_PROXY_SERVICE_URL: smee.newChannelUrl,
  };
  const { log, lines } = await logged();
  const before = smee.channels().length;
  await prepareWebhookProxy(env, cwd, log);
  const channel = smee.channels()[before];
  expect(smee.channels()).toHaveLength(before + 1);
  expect(env.WEBHOOK_PROXY_URL).toBe(channel);
  expect(readFileSync(join(cwd, ".env"), "utf8")).toBe(
    `# mine\nLOG_LEVEL=debug\nWEBHOOK_PROXY_URL=${channel}\n`,
  );
  expect(await lines()).toEqual([
    expect.objectContaining({ level: 30, msg: expect.stringContaining(`channel ${channel}`) }),
  ]);
});

test("a channel that is already set is kept", async () => {
  const env = {
    WEBHOOK_PROXY_URL: "https://smee.io/mine",
    WEBHOOK_PROXY_SERVICE_URL: smee.newChannelUrl,
  };
  const { log, lines } = await logged();
  const before = smee.channels().length;
  await prepareWebhookProxy(env, cwd, log);
  expect(smee.channels()).toHaveLength(before);
  expect(existsSync(join(cwd, ".env"))).toBe(false);
  expect((await lines())[0]?.msg).toContain("https://smee.io/mine");
});

test("no proxy service: a warning with the URL the app will get and the fix; Probot does not retry", async () => {
  const env: Record<string, string | undefined> = {
    PORT: "3456",
    WEBHOOK_PROXY_SERVICE_URL: `http://127.0.0.1:${await freePort()}/new`,
  };
  const { log, lines } = await logged();
  await prepareWebhookProxy(env, cwd, log);
  expect(env.WEBHOOK_PROXY_URL).toBeUndefined();
  expect(env.NO_SMEE_SETUP).toBe("true");
  expect(existsSync(join(cwd, ".env"))).toBe(false);
  const [line] = await lines();
  expect(line?.level).toBe(40);
  expect(line?.msg).toMatch(/^no webhook proxy channel could be created at http:\/\/127\.0\.0\.1/);
  expect(line?.msg).toContain("webhook URL http://localhost:3456/");
  expect(line?.msg).toContain("/api/github/webhooks");
});

test("opting out (NO_SMEE_SETUP) creates nothing and says what to change", async () => {
  const env = { NO_SMEE_SETUP: "true", WEBHOOK_PROXY_SERVICE_URL: smee.newChannelUrl };
  const { log, lines } = await logged();
  const before = smee.channels().length;
  await prepareWebhookProxy(env, cwd, log);
  expect(smee.channels()).toHaveLength(before);
  expect((await lines())[0]?.msg).toMatch(/^no webhook proxy is set up: .*WEBHOOK_PROXY_URL/);
});
