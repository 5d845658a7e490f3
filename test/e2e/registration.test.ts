// Setting the app up as an operator does, with the real server process: `npm start` without
// credentials registers an app whose webhook URL is a proxy channel (smee, played by a local
// stand-in), Probot's registration writes the credentials to `.env`, and the restarted server
// receives a delivery posted to that channel and answers it with a check run on GitHub (the
// stand-in). And a production start without a usable secret or key stops with one line.
import { jest } from "@jest/globals";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { start, type StandIn } from "../stand-in/server.js";
import { GitHubEvents } from "./github-events.js";
import { freePort, generatePrivateKey, sign, waitFor, WEBHOOK_PATH } from "./server-process.js";
import { startSmee, type SmeeStandIn } from "./smee-stand-in.js";

jest.setTimeout(120_000);

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSX = pathToFileURL(createRequire(join(ROOT, "package.json")).resolve("tsx")).href;
const APP_ID = 5252;
const SECRET = "the-secret-github-generated";
const KEY = generatePrivateKey();

interface Process {
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** `src/server.ts` as `npm start` runs it, in `cwd` (where `.env` and `app.yml` live). */
function runServer(cwd: string, env: Record<string, string>): Process {
  const child = spawn(process.execPath, ["--import", TSX, join(ROOT, "src/server.ts")], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  let ended = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      ended = true;
      resolve(code);
    }),
  );
  return {
    output: () => output,
    exited,
    async stop() {
      if (!ended) child.kill("SIGTERM");
      await exited;
    },
  };
}

async function get(url: string): Promise<{ status: number; text: string; location: string }> {
  const response = await fetch(url, { redirect: "manual" });
  return {
    status: response.status,
    text: await response.text(),
    location: response.headers.get("location") ?? "",
  };
}

describe("a development registration", () => {
  let smee: SmeeStandIn;
  let gh: StandIn;
  let conversions: Server;
  const converted: string[] = [];
  let cwd: string;
  const running: Process[] = [];

  beforeAll(async () => {
    smee = await startSmee();
    gh = await start({ app: { id: APP_ID } });
    // github.com's side of the registration: the code from the redirect becomes the app's
    // credentials (POST /app-manifests/{code}/conversions, unauthenticated).
    conversions = createServer((req, res) => {
      const code = /^\/api\/v3\/app-manifests\/([^/]+)\/conversions$/.exec(req.url ?? "")?.[1];
      if (req.method !== "POST" || !code) return void res.writeHead(404).end();
      converted.push(code);
      res.writeHead(201, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: APP_ID,
          slug: "release-policy",
          html_url: "https://github.com/apps/release-policy",
          client_id: "Iv1.0123456789abcdef",
          client_secret: "client-secret",
          webhook_secret: SECRET,
          pem: generatePrivateKey(),
        }),
      );
    });
    await new Promise<void>((resolve) => conversions.listen(0, "127.0.0.1", resolve));
    cwd = mkdtempSync(join(tmpdir(), "release-policy-registration-"));
    // What a clone has where `npm start` runs: the manifest and the package.
    copyFileSync(join(ROOT, "app.yml"), join(cwd, "app.yml"));
    copyFileSync(join(ROOT, "package.json"), join(cwd, "package.json"));
  });

  afterAll(async () => {
    for (const server of running) await server.stop();
    await smee?.close();
    await gh?.close();
    await new Promise((resolve) => conversions?.close(resolve));
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  test("registers a proxy channel as the webhook URL, and the restarted server receives what GitHub sends there", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      GHE_PROTOCOL: "http",
      WEBHOOK_PROXY_SERVICE_URL: smee.newChannelUrl,
      REDELIVERY_INTERVAL: "off",
      DATA_DIR: join(cwd, "data"),
    };
    const conversionsHost = `127.0.0.1:${(conversions.address() as AddressInfo).port}`;
    const setup = runServer(cwd, { ...env, GHE_HOST: conversionsHost });
    running.push(setup);
    const page = await waitFor(
      "the registration page",
      async () => {
        const answer = await get(`${url}/probot`);
        return answer.status === 200 ? answer.text : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, explain: setup.output },
    );

    // The manifest Probot posts to GitHub: its webhook URL is the channel just created.
    const [channel] = smee.channels();
    expect(smee.channels()).toHaveLength(1);
    const manifest = JSON.parse(/name="manifest"[^>]*value='([^']*)'/.exec(page)?.[1] ?? "{}");
    expect(manifest).toMatchObject({
      hook_attributes: { url: channel },
      default_events: expect.arrayContaining(["pull_request", "deployment_protection_rule"]),
    });
    expect(readFileSync(join(cwd, ".env"), "utf8")).toContain(`WEBHOOK_PROXY_URL=${channel}`);
    // The page says so.
    expect(notice(page)).toContain(`the proxy channel <code>${channel}</code>`);
    // "Use an existing app" shows the same URL to paste.
    expect((await get(`${url}/probot/import`)).text).toContain(channel);

    // GitHub redirects back with a code; Probot turns it into credentials in .env.
    const redirect = await get(`${url}/probot/setup?code=registration-code`);
    expect(redirect).toMatchObject({
      status: 302,
      location: "https://github.com/apps/release-policy/installations/new",
    });
    expect(converted).toEqual(["registration-code"]);
    await setup.stop();
    const written = readFileSync(join(cwd, ".env"), "utf8");
    expect(written).toContain(`APP_ID=${APP_ID}`);
    expect(written).toContain(`WEBHOOK_SECRET=${SECRET}`);

    // Restarted with what .env now holds (the environment sets nothing else).
    const app = runServer(cwd, { ...env, GHE_HOST: gh.gheHost });
    running.push(app);
    await waitFor(
      "the server to listen on the channel",
      () => (smee.listeners(channel ?? "") === 1 ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 100, explain: app.output },
    );
    expect(app.output()).not.toContain("could not start");

    // GitHub delivers a pull request to the registered URL: the channel.
    gh.state.addRepo({ owner: "acme", repo: "shop", installationId: 7 });
    gh.state.addFile(
      "acme",
      "shop",
      "main",
      ".github/release-policy.yml",
      'gates:\n  change-record:\n    stage: pull_request\n    require: { pattern: "CHG[0-9]{7}" }\n',
    );
    const pull = gh.state.addPullRequest("acme", "shop", {
      number: 3,
      title: "CHG0000003",
      author: "alice",
    });
    const body = JSON.stringify(new GitHubEvents(gh, "acme", "shop").opened(3).payload);
    const posted = await fetch(channel ?? "", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": "registration-1",
        "x-hub-signature-256": sign(SECRET, body),
      },
      body,
    });
    expect(posted.status).toBe(200);
    const check = await waitFor(
      "the check run of the delivery that came through the proxy",
      () => gh.state.ownCheckRuns("acme", "shop", pull.headSha)[0],
      { timeoutMs: 30_000, explain: app.output },
    );
    expect(check).toMatchObject({ name: "release-policy", conclusion: "success" });
    expect(app.output()).toContain(`${WEBHOOK_PATH} - 200`);

    // Without a proxy, Probot's registration registers `<address>/`: deliveries posted there
    // are verified and received too, and nothing else is served at `/`.
    const second = gh.state.addPullRequest("acme", "shop", {
      number: 4,
      title: "CHG0000004",
      author: "alice",
    });
    const direct = JSON.stringify(new GitHubEvents(gh, "acme", "shop").opened(4).payload);
    const postToRoot = (secret: string, id: string) =>
      fetch(`${url}/`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "pull_request",
          "x-github-delivery": id,
          "x-hub-signature-256": sign(secret, direct),
        },
        body: direct,
      });
    expect((await postToRoot("development", "registration-forged")).status).toBe(400);
    expect((await postToRoot(SECRET, "registration-2")).status).toBe(200);
    expect(
      await waitFor(
        "the check run of the delivery posted to /",
        () => gh.state.ownCheckRuns("acme", "shop", second.headSha)[0],
      ),
    ).toMatchObject({ name: "release-policy", conclusion: "success" });
    expect((await get(`${url}/`)).status).toBe(404);
    expect(gh.violations()).toEqual([]);
  });
});

/** The registration page's webhook section, as text with its tags. */
function notice(page: string): string {
  return /<div id="webhook-proxy"[^>]*>(.*?)<\/div>/s.exec(page)?.[1] ?? "";
}

describe("a development registration when no proxy channel can be created", () => {
  let cwd: string;
  let setup: Process | undefined;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "release-policy-no-proxy-"));
    copyFileSync(join(ROOT, "app.yml"), join(cwd, "app.yml"));
    copyFileSync(join(ROOT, "package.json"), join(cwd, "package.json"));
  });
  afterAll(async () => {
    await setup?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  test("the registration page says the webhook URL GitHub cannot reach, why, and what to set", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // Nothing listens there: the proxy service is out of reach.
    const service = `http://127.0.0.1:${await freePort()}/new`;
    setup = runServer(cwd, {
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      WEBHOOK_PROXY_SERVICE_URL: service,
      REDELIVERY_INTERVAL: "off",
    });
    const page = await waitFor(
      "the registration page",
      async () => {
        const answer = await get(`${url}/probot`);
        return answer.status === 200 ? answer.text : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, explain: setup.output },
    );
    const manifest = JSON.parse(/name="manifest"[^>]*value='([^']*)'/.exec(page)?.[1] ?? "{}");
    expect(manifest).toMatchObject({ hook_attributes: { url: `${url}/` } });
    const text = notice(page);
    expect(text).toContain(`no webhook proxy channel could be created at ${service}`);
    expect(text).toContain(`webhook URL <code>${url}/</code>`);
    expect(text).toContain("<code>WEBHOOK_PROXY_URL</code>");
    expect(text).toContain("<code>PROJECT_DOMAIN</code>");
    // "Use an existing app" says the same.
    expect(notice((await get(`${url}/probot/import`)).text)).toContain(
      "no webhook proxy channel could be created",
    );
  });
});

describe("a production start", () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "release-policy-production-"));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  /** Starts with NODE_ENV=production and `env`: whether it exited or came up, and its output. */
  async function startProduction(env: Record<string, string>) {
    const port = await freePort();
    const server = runServer(cwd, {
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_ID: String(APP_ID),
      LOG_FORMAT: "json",
      // Nothing here talks to GitHub: no recovery pass asking for deliveries.
      REDELIVERY_INTERVAL: "off",
      ...env,
    });
    let ended = false;
    void server.exited.then(() => (ended = true));
    const outcome = await waitFor(
      "the server to exit or answer /ping",
      async () => {
        if (ended) return "exited";
        return (await fetch(`http://127.0.0.1:${port}/ping`)).ok ? "up" : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, explain: server.output },
    );
    await server.stop();
    const lines = server
      .output()
      .split("\n")
      .filter((line) => line.trim() !== "");
    return { outcome, code: await server.exited, lines };
  }

  test.each([
    ["without WEBHOOK_SECRET", { PRIVATE_KEY: KEY }, /WEBHOOK_SECRET is missing/],
    [
      "with Probot's default secret",
      { PRIVATE_KEY: KEY, WEBHOOK_SECRET: "development" },
      /WEBHOOK_SECRET is "development"/,
    ],
    [
      "with a private key GitHub never generated",
      {
        WEBHOOK_SECRET: SECRET,
        PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\\nnot-a-key\\n-----END RSA PRIVATE KEY-----",
      },
      /PRIVATE_KEY does not hold a valid private key/,
    ],
    [
      "with a key file that is not there",
      { WEBHOOK_SECRET: SECRET, PRIVATE_KEY_PATH: "missing.pem" },
      /PRIVATE_KEY_PATH \(missing\.pem\)/,
    ],
  ])("%s exits 1 with one line that names the variable", async (_, env, message) => {
    const { outcome, code, lines } = await startProduction(env);
    expect({ outcome, code }).toEqual({ outcome: "exited", code: 1 });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? "{}") as { level: number; msg: string; err?: unknown };
    expect(line).toMatchObject({ level: 60, msg: expect.stringMatching(message) });
    expect(line.msg).toMatch(/^could not start: /);
    expect(line.err).toBeUndefined();
  });

  test("with its own secret and key starts", async () => {
    const keyFile = join(cwd, "app.pem");
    writeFileSync(keyFile, generatePrivateKey());
    const { outcome, lines } = await startProduction({
      WEBHOOK_SECRET: SECRET,
      PRIVATE_KEY_PATH: keyFile,
    });
    expect(outcome).toBe("up");
    expect(lines.join("\n")).not.toContain('"level":40');
    rmSync(keyFile);
  });
});
