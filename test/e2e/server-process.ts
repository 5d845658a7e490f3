/**
 * Runs the real Release Policy server (the service entry, `src/server.ts`) as a child process against the GitHub
 * stand-in, and talks to it only as GitHub would: signed webhooks over HTTP. Outcomes are
 * read back from the stand-in, by polling it until they show up or a deadline passes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { StandIn } from "../stand-in/server.js";
import { freePort } from "../support/free-port.js";

export { freePort };

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const WEBHOOK_PATH = "/api/github/webhooks";

/**
 * Which build of the app to run: the TypeScript sources through tsx (no build step, so a
 * test always runs the current code) or the compiled `dist/` that ships.
 */
export type Entry = "src" | "dist";

export interface ServerOptions {
  standIn: StandIn;
  secret: string;
  entry?: Entry;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  /** How long start-up may take before giving up (tsx compiles on the fly). */
  startTimeoutMs?: number;
  /** More environment for the process (e.g. REDIS_URL); nothing else is inherited. */
  env?: Record<string, string>;
  /**
   * The server's DATA_DIR, where its state file lives. Unset: a fresh temporary directory,
   * removed when the server stops. Pass one (from `newDataDir()`) to start a server again
   * over the state of one that stopped or was killed; the test then removes it.
   */
  dataDir?: string;
}

/** An empty directory for a server's state file; whoever asks removes it. */
export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), "release-policy-e2e-"));
}

export interface Delivery {
  id: string;
  status: number;
  body: string;
}

export interface AppServer {
  url: string;
  /** The server's DATA_DIR. */
  dataDir: string;
  /** Signs and posts one webhook; resolves with Probot's answer. */
  deliver(event: string, payload: object, options?: DeliverOptions): Promise<Delivery>;
  /** What the process wrote to stderr/stdout so far, for failure messages. */
  output(): string;
  /** Sends `signal` without waiting; `exited` tells how the process ended. */
  signal(signal: NodeJS.Signals): void;
  /** The exit code (null when a signal killed it), once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface DeliverOptions {
  id?: string;
  /** Sign with another secret (to test that forged deliveries are refused). */
  secret?: string;
}

/** A fresh RSA key in the PKCS#1 PEM form GitHub hands out for apps. */
export function generatePrivateKey(): string {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
}

/** `sha256=<hex>`: GitHub's X-Hub-Signature-256 of a body. */
export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Describes the state seen last, for the timeout message. */
  explain?: () => string;
}

/**
 * Polls `probe` until it returns a value other than undefined; throws with `what` and the
 * last seen state once the deadline passes. Waiting on an outcome, not on the clock.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const interval = options.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      const seen = options.explain ? `\n${options.explain()}` : "";
      throw new Error(`timed out waiting for ${what}${cause}${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

function spawnServer(
  options: ServerOptions,
  port: number,
  privateKey: string,
  dataDir: string,
): ChildProcess {
  const entry = options.entry ?? "src";
  const args = entry === "src" ? ["--import", "tsx", "./src/server.ts"] : ["./dist/server.js"];
  return spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "test",
      APP_ID: String(options.standIn.state.app.id),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: options.secret,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: options.logLevel ?? "warn",
      LOG_FORMAT: "json",
      GHE_HOST: options.standIn.gheHost,
      GHE_PROTOCOL: "http",
      // Off unless a test is about it: a pass lists and redelivers on its own schedule, which
      // would add requests to tests that count them.
      REDELIVERY_INTERVAL: "off",
      DATA_DIR: dataDir,
      ...options.env,
    },
  });
}

/** Starts the server and resolves once `GET /ping` answers PONG. */
export async function startServer(options: ServerOptions): Promise<AppServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = options.dataDir ?? newDataDir();
  const child = spawnServer(options, port, generatePrivateKey(), dataDir);
  // The app's webhook URL as GitHub knows it: where the stand-in sends and redelivers.
  options.standIn.state.hooks.target = { url: `${url}${WEBHOOK_PATH}`, secret: options.secret };
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exited = code;
      resolve(code);
    }),
  );
  const server: AppServer = {
    url,
    dataDir,
    output: () => output,
    signal: (signal) => void child.kill(signal),
    exited: exit,
    async deliver(event, payload, deliverOptions = {}) {
      const sent = await deliver(url, options.secret, event, payload, deliverOptions);
      // GitHub's record of the delivery (GET /app/hook/deliveries), unless the test forged it.
      if (deliverOptions.secret === undefined)
        options.standIn.state.hooks.recordSent({
          guid: sent.id,
          event,
          body: JSON.stringify(payload),
          statusCode: sent.status,
        });
      return sent;
    },
    async stop() {
      if (exited === undefined) child.kill("SIGTERM");
      const killed = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exit;
      clearTimeout(killed);
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    // A process that exited ends the wait at once (a probe that throws would be retried).
    const up = await waitFor(
      "the server to answer GET /ping",
      async () => {
        if (exited !== undefined) return false;
        const response = await fetch(`${url}/ping`);
        return (await response.text()) === "PONG" ? true : undefined;
      },
      { timeoutMs: options.startTimeoutMs ?? 60_000, intervalMs: 100 },
    );
    if (!up) throw new Error(`server exited with ${exited}`);
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output}`, {
      cause: error,
    });
  }
  return server;
}

let deliveries = 0;

async function deliver(
  url: string,
  secret: string,
  event: string,
  payload: object,
  options: DeliverOptions,
): Promise<Delivery> {
  const id = options.id ?? `e2e-${process.pid}-${++deliveries}`;
  const body = JSON.stringify(payload);
  const response = await fetch(`${url}${WEBHOOK_PATH}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/e2e",
      "x-github-event": event,
      "x-github-delivery": id,
      "x-hub-signature-256": sign(options.secret ?? secret, body),
    },
    body,
  });
  return { id, status: response.status, body: await response.text() };
}
