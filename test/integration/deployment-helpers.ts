// Drives the app's deployment side through probot.receive(), with GitHub stood in by nock and
// time driven by hand: a clock the test sets and a scheduler whose due tasks run on request.
import { generateKeyPairSync } from "node:crypto";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/app.js";
import type { AppOptions } from "../../src/handlers/deps.js";
import type { Store } from "../../src/store/store.js";
import { INSTALLATION_ID } from "../fixtures/deployment/payloads.js";

export const APP_ID = 4343;
export const API = "https://api.github.com";
export const REPO_PATH = "/repos/acme/shop";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

import { ManualScheduler } from "../support/manual-scheduler.js";

export { ManualScheduler };

export interface DeploymentHarness {
  probot: Probot;
  clock: { now: Date };
  scheduler: ManualScheduler;
  receive(name: string, payload: object, id?: string): Promise<void>;
}

let deliveries = 0;

/** A fresh app instance over `store`: a second one over the same store is a restart. */
export async function startApp(
  store: Store,
  clock: { now: Date },
  scheduler = new ManualScheduler(),
  extra: Pick<
    AppOptions,
    | "sweepIntervalMs"
    | "changeSystems"
    | "changeSystemFetch"
    | "deploymentListeners"
    | "notifications"
  > = {},
): Promise<DeploymentHarness> {
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: "deployment-test-secret",
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { ...(options.throttle as object | undefined), enabled: false },
    })),
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
  });
  const options: AppOptions = {
    appId: APP_ID,
    secret: "deployment-test-secret",
    store,
    clock: () => clock.now,
    scheduler,
    ...extra,
  };
  await probot.load(createApp(options));
  return {
    probot,
    clock,
    scheduler,
    async receive(name, payload, id) {
      deliveries += 1;
      await probot.receive({ id: id ?? `dep-${deliveries}`, name, payload } as EmitterWebhookEvent);
    },
  };
}

/** nock for api.github.com, answering the installation token request first. */
export function githubWithToken(): nock.Scope {
  return nock(API)
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
}

export function policyContents(text: string) {
  return {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(text),
    name: "release-policy.yml",
    path: ".github/release-policy.yml",
    sha: "policysha",
    content: Buffer.from(text).toString("base64"),
  };
}

export const POLICY_PATH_URL = `${REPO_PATH}/contents/.github%2Frelease-policy.yml`;
/**
 * acme's base policy, which it does not have. acme is an organization, so its base is read
 * once (then kept) to learn whether it is required of every repository.
 */
export const ORG_BASE_URL = "/repos/acme/.github/contents/.github%2Frelease-policy.yml";

/** The merged pull request GitHub lists for the deployed commit. */
export function mergedPull(sha: string, labels: string[] = [], author = "author") {
  return {
    number: 7,
    title: "Ship the thing",
    html_url: "https://github.com/acme/shop/pull/7",
    user: { login: author },
    labels: labels.map((name) => ({ name })),
    merged_at: "2026-03-09T10:00:00Z",
    merge_commit_sha: sha,
    head: { sha: "feedfeedfeedfeedfeedfeedfeedfeedfeedfeed", ref: "feature" },
    base: { ref: "main" },
    state: "closed",
  };
}

/** The app's own release-policy check run on a pull request's head. */
export function policyCheckRuns(conclusion: string) {
  return {
    total_count: 1,
    check_runs: [
      {
        id: 1,
        name: "release-policy",
        status: "completed",
        conclusion,
        app: { id: APP_ID },
        html_url: "https://github.com/acme/shop/runs/1",
      },
    ],
  };
}

/**
 * Keeps the JSON body of each protection rule answer and each commit status the app sends
 * through `scope`, in order.
 */
export function recordWrites(
  scope: nock.Scope,
  into: { answers: Record<string, unknown>[]; statuses: Record<string, unknown>[] },
): nock.Scope {
  return scope.on("request", (request: Request, _interceptor: unknown, body: string) => {
    const path = new URL(request.url).pathname;
    if (request.method !== "POST" || !body) return;
    if (path.endsWith("/deployment_protection_rule")) into.answers.push(JSON.parse(body));
    else if (path.includes("/statuses/")) into.statuses.push(JSON.parse(body));
  });
}

/** One entry of GitHub's record of a run's deployment reviews. */
export interface RunReview {
  user: string;
  state: "approved" | "rejected";
  environments: string[];
}

/**
 * GitHub's record of a run's deployment reviews (`GET .../actions/runs/{id}/approvals`): a
 * test adds a review here as GitHub would, before its webhook is sent (or instead of it).
 */
export class RunReviews {
  readonly list: RunReview[] = [];

  add(user: string, state: RunReview["state"] = "approved", environment = "production"): void {
    this.list.push({ user, state, environments: [environment] });
  }

  /** Answers the approvals route of `runId` on `scope` from the list, as often as asked. */
  serve(scope: nock.Scope, runId: number): nock.Scope {
    return scope.get(`${REPO_PATH}/actions/runs/${runId}/approvals`).reply(() => [
      200,
      this.list.map((review) => ({
        environments: review.environments.map((name, i) => ({ id: i + 1, name })),
        state: review.state,
        user: { login: review.user, id: review.user.length, type: "User" },
        comment: "",
      })),
    ]);
  }
}
