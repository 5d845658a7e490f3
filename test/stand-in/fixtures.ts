/** Shared set-up for the stand-in's own tests: a Probot pointed at a fresh stand-in. */
import { generateKeyPairSync } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { start, type StandIn, type StartOptions } from "./server.js";

/**
 * Retries and throttling would only slow these tests down; the stand-in is local. A
 * function (not an object) so that it wins over the throttle options Probot adds.
 */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object | undefined), enabled: false },
  retry: { enabled: false },
}));

let key: string | undefined;
export function privateKey(): string {
  key ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return key;
}

export const NOW = new Date("2026-03-02T10:00:00Z");

export async function startWithProbot(
  options: StartOptions = {},
): Promise<{ standIn: StandIn; probot: Probot }> {
  const standIn = await start({ clock: () => NOW, ...options });
  const probot = new Probot({
    appId: standIn.state.app.id,
    privateKey: privateKey(),
    baseUrl: standIn.baseUrl,
    Octokit: TestOctokit,
    logLevel: "fatal",
  });
  return { standIn, probot };
}

/** A plain HTTP call, for requests Octokit's auth strategies would not send as written. */
export async function rawRequest(
  standIn: StandIn,
  method: string,
  path: string,
  options: { authorization?: string; body?: unknown } = {},
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { accept: "application/vnd.github+json" };
  if (options.authorization) headers.authorization = options.authorization;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${standIn.baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? undefined : JSON.parse(text) };
}

/** An installation client from a token minted directly, without the app's JWT. */
export function tokenOctokit(standIn: StandIn, token: string): InstanceType<typeof TestOctokit> {
  return new TestOctokit({ baseUrl: standIn.baseUrl, auth: { token }, log: silent });
}

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
