/**
 * What every scenario starts from: a fresh stand-in, repositories with a policy, teams, pull
 * requests, and a warm-up pull request per installation (so that the measured window holds
 * neither the installation token nor the first, compiling run of each code path).
 */
import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { createApp } from "../src/app.js";
import { start, type StandIn } from "../test/stand-in/server.js";
import { BenchEvents } from "./events.js";
import type { Tagged } from "./runner.js";

export const APP_ID = 4800;
const POLICY_PATH = ".github/release-policy.yml";
/** Names no team, so that no team membership is cached before the measured window. */
const WARM_UP_POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
  tests:
    stage: pull_request
    require: { checks: [build] }
`;

export async function freshStandIn(): Promise<StandIn> {
  // The stand-in's own answer checks cost its CPU, not the app's; requests are still checked.
  return start({ app: { id: APP_ID }, validateResponses: false });
}

export function addRepo(
  gh: StandIn,
  seed: { owner: string; repo: string; installationId: number; policy: string },
): BenchEvents {
  gh.state.addRepo({ owner: seed.owner, repo: seed.repo, installationId: seed.installationId });
  gh.state.addFile(seed.owner, seed.repo, "main", POLICY_PATH, seed.policy);
  return new BenchEvents(gh, seed.owner, seed.repo);
}

/** A repository per installation with one pull request, opened once before measuring. */
export function warmups(
  gh: StandIn,
  installations: { owner: string; installationId: number }[],
): Tagged[] {
  return installations.map(({ owner, installationId }) => {
    const events = addRepo(gh, { owner, repo: "warm-up", installationId, policy: WARM_UP_POLICY });
    gh.state.addPullRequest(owner, "warm-up", { number: 1, title: "Warm-up", author: "alice" });
    return { webhook: events.opened(1), subject: `${owner}/warm-up#1`, kind: "warm-up" };
  });
}

/**
 * Runs the app in this process with the throttle off, to give pull requests the check runs
 * the app would have written for them already: seeding through the real app keeps the
 * results exactly as it renders them, without waiting a second per write.
 */
export async function prime(gh: StandIn, webhooks: Tagged[]): Promise<void> {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: "prime",
    baseUrl: gh.baseUrl,
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { ...(options.throttle as object | undefined), enabled: false },
    })),
    log: pino({ level: "silent" }),
  });
  await probot.load(createApp({ appId: APP_ID, secret: "prime" }));
  let n = 0;
  const queue = [...webhooks];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      await probot.receive({
        id: `prime-${++n}`,
        name: next.webhook.event,
        payload: next.webhook.payload,
      } as EmitterWebhookEvent);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
