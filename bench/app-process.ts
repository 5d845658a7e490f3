/**
 * One measured app process: `probot run <entry>` from sources (through tsx), pointed at the
 * recording proxy, with the bench's probe loaded beside it for CPU and memory readings.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  freePort,
  generatePrivateKey,
  newDataDir,
  sign,
  waitFor,
  WEBHOOK_PATH,
} from "../test/e2e/server-process.js";
import type { ProbeReading, ProbeRequest } from "./probe.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PROBOT_BIN = "node_modules/probot/bin/probot.js";

/** The apps a scenario runs against: ours and the two floors. */
export const ENTRIES = {
  "release-policy": "./src/index.ts",
  "floor: no-op": "./bench/floors/noop.ts",
  "floor: same requests": "./bench/floors/requests.ts",
} as const;
export type AppName = keyof typeof ENTRIES;

export interface Delivered {
  status: number;
  /** performance.now() when the webhook was sent and when the app answered. */
  sent: number;
  answered: number;
}

export interface MeasuredApp {
  deliver(event: string, payload: object): Promise<Delivered>;
  probe(request?: Omit<ProbeRequest, "probe">): Promise<ProbeReading>;
  output(): string;
  stop(): Promise<void>;
}

let deliveries = 0;

export async function startApp(options: {
  name: AppName;
  gheHost: string;
  appId: number;
  env?: Record<string, string>;
}): Promise<MeasuredApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const secret = `bench-${process.pid}`;
  const dataDir = newDataDir();
  const child = spawn(
    process.execPath,
    [
      "--expose-gc",
      "--import",
      "tsx",
      "--import",
      "./bench/probe.ts",
      PROBOT_BIN,
      "run",
      ENTRIES[options.name],
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_ENV: "production",
        APP_ID: String(options.appId),
        PRIVATE_KEY: generatePrivateKey(),
        WEBHOOK_SECRET: secret,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        LOG_FORMAT: "json",
        GHE_HOST: options.gheHost,
        GHE_PROTOCOL: "http",
        // Each run starts from an empty state file of its own, removed when it stops.
        DATA_DIR: dataDir,
        ...options.env,
      },
    },
  );
  let output = "";
  const keep = (chunk: Buffer) => {
    // Only the tail: a burst's warnings must not grow the bench's own memory without end.
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const app: MeasuredApp = {
    deliver: (event, payload) => deliver(url, secret, event, payload),
    probe: (request = {}) => probe(child, request),
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const killed = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killed);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      `${options.name} to answer GET /ping`,
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${output}`);
        const response = await fetch(`${url}/ping`);
        return (await response.text()) === "PONG" ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app;
}

function probe(child: ChildProcess, request: Omit<ProbeRequest, "probe">): Promise<ProbeReading> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the probe did not answer")), 10_000);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message as ProbeReading);
    });
    child.send({ probe: true, ...request } satisfies ProbeRequest);
  });
}

async function deliver(
  url: string,
  secret: string,
  event: string,
  payload: object,
): Promise<Delivered> {
  const body = JSON.stringify(payload);
  const sent = performance.now();
  const response = await fetch(`${url}${WEBHOOK_PATH}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/bench",
      "x-github-event": event,
      "x-github-delivery": `bench-${process.pid}-${++deliveries}`,
      "x-hub-signature-256": sign(secret, body),
    },
    body,
  });
  await response.text();
  return { status: response.status, sent, answered: performance.now() };
}
