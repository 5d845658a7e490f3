// Drives the real app through probot.receive() with GitHub stood in by nock. Every test
// declares the exact requests it expects; nock fails on any other, and `done()` on any
// expected request that was not made.
import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createRequire } from "node:module";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { createApp } from "../../src/app.js";
import { MemoryStore } from "../../src/store/memory.js";
import type { Store } from "../../src/store/store.js";

export const APP_ID = 4242;
export const INSTALLATION_ID = 77;
export const SECRET = "test-secret-not-used-in-production";
export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const API = "https://api.github.com";
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export interface Harness {
  probot: Probot;
  store: Store;
  clock: { now: Date };
  receive(name: string, payload: object, id?: string): Promise<void>;
}

export async function createHarness(options: { now?: Date; store?: Store } = {}): Promise<Harness> {
  const clock = { now: options.now ?? new Date("2026-11-26T10:00:00Z") };
  const store = options.store ?? new MemoryStore(() => clock.now);
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: SECRET,
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
    log: pino({ level: "silent" }),
  });
  await probot.load(createApp({ appId: APP_ID, secret: SECRET, store, clock: () => clock.now }));
  let deliveries = 0;
  return {
    probot,
    store,
    clock,
    receive: (name, payload, id) =>
      probot.receive({
        id: id ?? `delivery-${++deliveries}`,
        name,
        payload,
      } as EmitterWebhookEvent),
  };
}

type Example = { name: string; examples: Record<string, unknown>[] };
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Example[];

/** A real webhook payload from GitHub's published examples, with our installation. */
export function example(name: string, action?: string): Record<string, unknown> {
  const family = examples.find((e) => e.name === name);
  const payload = family?.examples.find((e) => action === undefined || e.action === action);
  if (!payload) throw new Error(`no example for ${name}.${action}`);
  const copy = structuredClone(payload);
  copy.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  return copy;
}

/** nock for api.github.com, with the installation token the app asks for first. */
export function github(): nock.Scope {
  return nock(API)
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
}

/** The policy file's contents response, as GitHub's contents API answers it. */
export function contents(text: string, sha = "policysha1") {
  return {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(text),
    name: "release-policy.yml",
    path: ".github/release-policy.yml",
    sha,
    content: Buffer.from(text).toString("base64"),
  };
}

export const POLICY_URL = `${REPO_PATH}/contents/.github%2Frelease-policy.yml`;

/** Everything recorded by nock that was not expected fails the test. */
export function cleanNock(): void {
  nock.cleanAll();
  nock.disableNetConnect();
}
