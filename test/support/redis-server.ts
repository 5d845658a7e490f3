/**
 * A real Redis for tests: the one REDIS_URL names (CI starts one), or a private
 * `redis-server` on a free loopback port, without persistence, stopped afterwards. Each use
 * gets its own key prefix, so tests sharing one server never see each other's keys.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./free-port.js";

export interface TestRedis {
  url: string;
  /** Unique to this use: pass it to every store and app process of the test. */
  prefix: string;
  /** Deletes this use's keys and stops the server if it was started here. */
  stop(): Promise<void>;
}

const MISSING =
  "redis-server was not found: the Redis tests need a real server. Install Debian's package " +
  "(`apt-get install -y redis-server`) or set REDIS_URL to a server they may use.";

export async function startRedis(): Promise<TestRedis> {
  const prefix = `rp-test:${process.pid}:${randomUUID().slice(0, 8)}:`;
  const given = process.env.REDIS_URL;
  if (given) return { url: given, prefix, stop: () => deleteKeys(given, prefix) };
  const port = await freePort();
  const child = await spawnServer(port);
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    prefix,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A private redis-server the test may kill and start again, on the same port. */
export interface OwnRedis extends TestRedis {
  /** SIGKILL: every connection drops at once, as when the host or the process dies. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (with the data it had, if `persist`). */
  restart(): Promise<void>;
}

/**
 * Always a private server, never the one REDIS_URL names: the test stops it. With
 * `persist`, every write is in an append-only file (in a temporary directory), so a killed
 * server restarts with its data, as a production Redis does; without, it restarts empty.
 */
export async function startOwnRedis(options: { persist?: boolean } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "rp-redis-"));
  const persistence = options.persist
    ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir]
    : [];
  let child = await spawnServer(port, persistence);
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    prefix: `rp-test:${process.pid}:${randomUUID().slice(0, 8)}:`,
    kill,
    async restart() {
      child = await spawnServer(port, persistence);
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function spawnServer(port: number, extra: readonly string[] = []): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extra],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`redis-server did not start within 10 s:\n${output}`));
    }, 10_000);
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const read = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      if (output.includes("Ready to accept connections")) settle();
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("error", (error: NodeJS.ErrnoException) =>
      settle(error.code === "ENOENT" ? new Error(MISSING) : error),
    );
    child.once("exit", (code) => settle(new Error(`redis-server exited with ${code}:\n${output}`)));
  });
  return child;
}

/** Removes every key under `prefix` from a server this test run does not own. */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
