// Drives the real app through probot.receive() with GitHub stood in by nock. Every request
// must match an interceptor the test declared (one that matches none is recorded as such),
// and each event's requests are held to a budget: its writes exactly, its reads counted.
import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createRequire } from "node:module";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { createApp } from "../../src/app.js";
import { MemoryStore } from "../../src/store/memory.js";
import type { Store } from "../../src/store/store.js";
import type { EvaluationTiming } from "../../src/handlers/timing.js";
import type { AppOptions } from "../../src/handlers/deps.js";
import { ManualScheduler } from "../support/manual-scheduler.js";
import { expectWithin, type Budget } from "./budget.js";

export { NOTHING, type Budget } from "./budget.js";

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
  /** Delivers one webhook; resolves with the requests nock saw while it was handled. */
  receive(name: string, payload: object, id?: string): Promise<SeenRequest[]>;
  /**
   * With `sweepIntervalMs`: runs what the app scheduled for the clock's time (its sweep);
   * resolves with the requests nock saw meanwhile.
   */
  runDue(): Promise<SeenRequest[]>;
}

export async function createHarness(
  options: {
    now?: Date;
    store?: Store;
    timing?: Partial<EvaluationTiming>;
    reEvaluation?: AppOptions["reEvaluation"];
    changeSystems?: AppOptions["changeSystems"];
    /** Sweeps the store this often, on a scheduler the test drives (`runDue`). */
    sweepIntervalMs?: number;
    /**
     * Awaited before each request leaves the app's client, where Probot's throttle holds a
     * write until a second after the last: a test holds a write here for as long as it likes.
     */
    beforeSend?: (request: { method: string; url: string }) => Promise<void>;
  } = {},
): Promise<Harness> {
  const scheduler = new ManualScheduler();
  const clock = { now: options.now ?? new Date("2026-11-26T10:00:00Z") };
  const store = options.store ?? new MemoryStore(() => clock.now);
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: SECRET,
    // A function, not an object: Probot passes throttle options of its own, which would
    // replace an object default wholesale and space every write a second apart.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { ...(options.throttle as object | undefined), enabled: false },
    })).plugin((octokit) => {
      const { beforeSend } = options;
      if (beforeSend) octokit.hook.before("request", (request) => beforeSend(request));
    }),
    log: pino({ level: "silent" }),
  });
  await probot.load(
    createApp({
      appId: APP_ID,
      secret: SECRET,
      store,
      clock: () => clock.now,
      // Evaluations run at once and are awaited unless a test is about timing.
      ...(options.timing ? { timing: options.timing } : {}),
      ...(options.reEvaluation ? { reEvaluation: options.reEvaluation } : {}),
      ...(options.changeSystems ? { changeSystems: options.changeSystems } : {}),
      ...(options.sweepIntervalMs !== undefined
        ? { sweepIntervalMs: options.sweepIntervalMs, scheduler }
        : {}),
    }),
  );
  let deliveries = 0;
  return {
    probot,
    store,
    clock,
    receive: (name, payload, id) =>
      seenDuring(() =>
        probot.receive({
          id: id ?? `delivery-${++deliveries}`,
          name,
          payload,
        } as EmitterWebhookEvent),
      ),
    runDue: () => seenDuring(() => scheduler.runDue(clock.now)),
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

/** One request nock saw: matched by an interceptor of `github()`/`api()`, or by none. */
export interface SeenRequest {
  method: string;
  /** Path and query as sent, e.g. "/repos/o/r/pulls/2/reviews?per_page=100". */
  path: string;
  /** The JSON body, when there is one. */
  body?: unknown;
  matched: boolean;
}

const seen: SeenRequest[] = [];

function record(request: Request, matched: boolean, body?: string): void {
  const url = new URL(request.url);
  const parsed = body ? (JSON.parse(body) as unknown) : undefined;
  seen.push({
    method: request.method,
    path: url.pathname + url.search,
    ...(parsed === undefined ? {} : { body: parsed }),
    matched,
  });
}

// A request no interceptor matches is answered 501 by nock, which a handler may swallow
// (an error becomes a failing check): recording it lets a test see it anyway.
nock.emitter.on("no match", (request: Request) => record(request, false));

/** The requests nock saw while `work` ran. */
async function seenDuring(work: () => Promise<unknown>): Promise<SeenRequest[]> {
  const from = seen.length;
  await work();
  return seen.slice(from);
}

/** "METHOD /path?query", how tests name a request. */
export function line(request: Pick<SeenRequest, "method" | "path">): string {
  return `${request.method} ${request.path}`;
}

/** The token request Probot makes before an installation's first API call. */
export const TOKEN_REQUEST = `POST /app/installations/${INSTALLATION_ID}/access_tokens`;

/** nock for api.github.com, with the installation token the app asks for first. */
export function github(): nock.Scope {
  return api()
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
}

/** nock for api.github.com without a token: Probot reuses the token of an earlier event. */
export function api(): nock.Scope {
  return nock(API).on("request", (request: Request, _interceptor: unknown, body: string) =>
    record(request, true, body),
  );
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

/** The example pull request (#2) and the request paths every pipeline test names. */
export const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
export const RUNS = `${REPO_PATH}/commits/${HEAD}/check-runs?filter=latest&per_page=100`;
export const OWN_RUNS = `${REPO_PATH}/commits/${HEAD}/check-runs?check_name=release-policy&filter=latest&per_page=100`;
export const STATUSES = `${REPO_PATH}/commits/${HEAD}/status?per_page=100`;
export const POLICY_AT_HEAD = `${POLICY_URL}?ref=${HEAD}`;
export const PULL = `${REPO_PATH}/pulls/2`;
export const REVIEWS = `${PULL}/reviews?per_page=100`;
export const COMMITS = `${PULL}/commits?per_page=100`;
export const CREATE_RUN = `POST ${REPO_PATH}/check-runs`;
export const UPDATE_RUN = `PATCH ${REPO_PATH}/check-runs/1`;

/** Everything recorded by nock that was not expected fails the test. */
export function cleanNock(): void {
  nock.cleanAll();
  nock.disableNetConnect();
  seen.length = 0;
}

/**
 * The requests one event made held to `budget` (see budget.ts): each answered by the stand-in,
 * the writes exactly those listed and none twice, the reads at most so many. How a test pins
 * what an event costs, so a better fetching plan changes a count rather than every list.
 */
export function expectBudget(made: readonly SeenRequest[], budget: Budget): void {
  expectWithin(
    made.map((request) => ({ line: line(request), matched: request.matched })),
    budget,
  );
}

/**
 * The requests one event made, exactly, as a multiset: requests made in parallel arrive in
 * no fixed order, so both sides are sorted. Only for a test that is about the exact reads;
 * any other pins a budget (`expectBudget`).
 */
export function expectRequests(made: SeenRequest[], expected: string[]): void {
  expect(made.map(line).sort()).toEqual([...expected].sort());
  expect(made.filter((request) => !request.matched)).toEqual([]);
}

/** The JSON body of the one request named `name` ("METHOD /path"). */
export function bodyOf(made: SeenRequest[], name: string): Record<string, unknown> {
  const found = made.filter((request) => line(request) === name);
  if (found.length !== 1) throw new Error(`expected one ${name}, saw ${found.length}`);
  return found[0]?.body as Record<string, unknown>;
}

/** A check run as GitHub lists it once `written` (a create or update body) was applied. */
export function listedCheckRun(
  id: number,
  written: Record<string, unknown>,
  options: { appId?: number; headSha?: string; annotationsCount?: number } = {},
): Record<string, unknown> {
  const output = written.output as { title: string; summary: string; text?: string };
  const annotations = (written.output as { annotations?: unknown[] }).annotations ?? [];
  return {
    id,
    name: "release-policy",
    head_sha: options.headSha ?? written.head_sha,
    status: written.status,
    conclusion: written.conclusion ?? null,
    html_url: `https://github.com/${OWNER}/${REPO}/runs/${id}`,
    app: { id: options.appId ?? APP_ID, slug: "release-policy" },
    output: {
      title: output.title,
      summary: output.summary,
      text: output.text ?? null,
      annotations_count: options.annotationsCount ?? annotations.length,
    },
  };
}
