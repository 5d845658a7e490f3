// Slack and Teams notifications through probot.receive(): GitHub stood in by nock, the two
// incoming webhooks by a receiver the app's fetch reaches in-process (nock lets no fetch POST
// through; test/support/webhook-receiver.ts; the real fetch to a loopback receiver is tested in
// test/effects and test/e2e), time and the sending driven by hand (the clock and the
// ManualScheduler), so retries are tested without waiting on the wall clock.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type { NotifyChannel, NotifyOutcome } from "../../src/holds/notification-outbox.js";
import { MemoryStore } from "../../src/store/memory.js";
import {
  deploymentReviewApproved,
  deploymentReviewRejected,
  protectionRuleRequested,
} from "../fixtures/deployment/payloads.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";
import { startApp, type DeploymentHarness } from "./deployment-helpers.js";
import { ANSWER, bodyOf, OPEN, RUN_ID, SHA, STATUS, World } from "./deployment-world.js";

const NOTIFY = "notify: { slack: SLACK_PRODUCTION_WEBHOOK, teams: TEAMS_PRODUCTION_WEBHOOK }";
const POLICY = `
environments:
  staging: {}
  production:
    ${NOTIFY}
gates:
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { users: [rm1] } } }
`;

const requested = (deploymentId = 55) =>
  protectionRuleRequested({ runId: RUN_ID, environment: "production", sha: SHA, deploymentId });
const approvedBy = (approver: string) => {
  world.runReviews.add(approver);
  return deploymentReviewApproved({ runId: RUN_ID, environment: "production", approver });
};

let receiver: WebhookReceiver;
let world: World;
let outcomes: [NotifyChannel, NotifyOutcome][];

beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
  receiver = new WebhookReceiver();
  outcomes = [];
});
afterEach(() => {
  world.close();
  nock.cleanAll();
});

/** An app whose environment holds the two webhook URLs (or what `env` says instead). */
function start(
  policy = POLICY,
  options: { env?: Record<string, string>; sweepIntervalMs?: number; at?: Date } = {},
): Promise<DeploymentHarness> {
  world = new World(policy);
  return startApp(new MemoryStore(), { now: options.at ?? OPEN }, undefined, {
    ...(options.sweepIntervalMs !== undefined ? { sweepIntervalMs: options.sweepIntervalMs } : {}),
    notifications: {
      env: options.env ?? {
        SLACK_PRODUCTION_WEBHOOK: receiver.url("/slack"),
        TEAMS_PRODUCTION_WEBHOOK: receiver.url("/teams"),
        // The operator lets acme's repositories use both.
        NOTIFY_SCOPE_SLACK_PRODUCTION_WEBHOOK: "acme",
        NOTIFY_SCOPE_TEAMS_PRODUCTION_WEBHOOK: "acme",
        // Never read: it is not a variable a policy may name.
        GITHUB_TOKEN: receiver.url("/leak"),
      },
      retryBaseMs: 1000,
      fetch: receiver.fetch,
      observe: (channel, outcome) => outcomes.push([channel, outcome]),
    },
  });
}

const slackTexts = () => receiver.on("/slack").map((r) => r.body.text as string);
const teamsCard = (n: number) => {
  const body = receiver.on("/teams")[n]?.body as {
    type: string;
    attachments: { contentType: string; content: { type: string; body: { text?: string }[] } }[];
  };
  return body;
};

describe("deployment notifications", () => {
  it("tells Slack and Teams once when a deployment is held on people and once when it is approved", async () => {
    const app = await start();
    await app.receive("deployment_protection_rule", requested());
    // The decision is given before anything is sent: sending is scheduled, not awaited.
    expect(bodyOf(world.take(), ANSWER).comment).toContain("release-manager");
    expect(receiver.received).toEqual([]);

    await app.scheduler.runDue(app.clock.now);
    expect(slackTexts()).toEqual([
      "acme/shop: deployment to production held, waiting on release-manager",
    ]);
    expect(receiver.on("/slack")[0]?.contentType).toBe("application/json; charset=utf-8");
    const card = teamsCard(0);
    expect(card.type).toBe("message");
    expect(card.attachments[0]?.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card.attachments[0]?.content.body[0]?.text).toBe(
      "acme/shop: deployment to production held, waiting on release-manager",
    );

    // A re-check that finds it still waiting, and a new delivery of the same request, say nothing.
    app.clock.now = new Date(OPEN.getTime() + 6 * 60_000);
    await app.scheduler.runDue(app.clock.now);
    await app.receive("deployment_protection_rule", requested());
    await app.scheduler.runDue(app.clock.now);
    expect(receiver.received).toHaveLength(2);

    const approval = approvedBy("rm1");
    await app.receive("deployment_review", approval, "approval-1");
    expect(bodyOf(world.take(), ANSWER)).toMatchObject({ state: "approved" });
    await app.scheduler.runDue(app.clock.now);
    expect(slackTexts()).toEqual([
      "acme/shop: deployment to production held, waiting on release-manager",
      "acme/shop: deployment to production approved",
    ]);
    const approved = JSON.stringify(receiver.on("/slack")[1]?.body);
    expect(approved).toContain("@\u2060rm1");
    expect(approved).toContain(`https://github.com/acme/shop/actions/runs/${RUN_ID}`);
    expect(approved).toContain("<https://github.com/acme/shop/pull/7|#7 Ship the thing>");
    expect(receiver.on("/teams")).toHaveLength(2);

    // GitHub redelivers the approval, or a second delivery of it arrives: nothing more.
    await app.receive("deployment_review", approval, "approval-1");
    await app.receive("deployment_review", approval, "approval-2");
    await app.scheduler.runDue(app.clock.now);
    expect(receiver.received).toHaveLength(4);
    expect(receiver.on("/leak")).toEqual([]);
    expect(outcomes.filter(([, outcome]) => outcome === "sent")).toHaveLength(4);
  });

  it("tells of a rejection in GitHub's review once, naming the reviewer", async () => {
    const app = await start();
    await app.receive("deployment_protection_rule", requested());
    await app.scheduler.runDue(app.clock.now);
    const rejected = deploymentReviewRejected({
      runId: RUN_ID,
      environment: "production",
      approver: "rm1",
    });
    await app.receive("deployment_review", rejected, "rejected-1");
    await app.receive("deployment_review", rejected, "rejected-2");
    await app.scheduler.runDue(app.clock.now);
    expect(slackTexts()).toEqual([
      "acme/shop: deployment to production held, waiting on release-manager",
      "acme/shop: deployment to production rejected",
    ]);
    const rejection = JSON.stringify(receiver.on("/slack")[1]?.body);
    expect(rejection).toContain("@\u2060rm1 rejected it in GitHub's deployment review.");
    expect(rejection).toContain("*Held since*\\n2026-03-10 12:00 UTC");
    expect(receiver.on("/teams")).toHaveLength(2);
  });

  it("tells of a rejection by a failing gate", async () => {
    const app = await start(`
environments:
  production:
    ${NOTIFY}
gates:
  compliant:
    stage: deployment
    environments: [production]
    require: { compliant_changes: true }
`);
    world.verdict = { status: "completed", conclusion: "failure" };
    await app.receive("deployment_protection_rule", requested());
    expect(bodyOf(world.take(), ANSWER)).toMatchObject({ state: "rejected" });
    await app.scheduler.runDue(app.clock.now);
    expect(slackTexts()).toEqual(["acme/shop: deployment to production rejected"]);
    expect(JSON.stringify(receiver.on("/slack")[0]?.body)).toContain(":x: *compliant* (failed)");
  });

  it("holds waiting on a window say nothing", async () => {
    const app = await start(`
environments:
  production:
    ${NOTIFY}
gates:
  window:
    stage: deployment
    environments: [production]
    require: { window: { timezone: UTC, allow: ["Mon-Fri 14:00-16:00"] } }
`);
    await app.receive("deployment_protection_rule", requested());
    expect(bodyOf(world.take(), ANSWER).comment).toContain("Outside the deployment window");
    await app.scheduler.runDue(app.clock.now);
    expect(receiver.received).toEqual([]);
  });

  it("tries a failing receiver again after a back-off and delivers the message once", async () => {
    const app = await start(POLICY, {
      env: {
        SLACK_PRODUCTION_WEBHOOK: receiver.url("/slack"),
        NOTIFY_SCOPE_SLACK_PRODUCTION_WEBHOOK: "acme",
      },
    });
    receiver.statuses = [500, 503];
    await app.receive("deployment_protection_rule", requested());
    await app.scheduler.runDue(app.clock.now);
    expect(receiver.on("/slack")).toHaveLength(1);
    const first = app.clock.now.getTime();

    // 10 units of back-off (RETRY_BASE_MS = 1 s here), then 20: nothing before.
    app.clock.now = new Date(first + 9_999);
    await app.scheduler.runDue(app.clock.now);
    expect(receiver.on("/slack")).toHaveLength(1);
    app.clock.now = new Date(first + 10_000);
    await app.scheduler.runDue(app.clock.now);
    expect(receiver.on("/slack")).toHaveLength(2);
    app.clock.now = new Date(first + 29_999);
    await app.scheduler.runDue(app.clock.now);
    expect(receiver.on("/slack")).toHaveLength(2);
    app.clock.now = new Date(first + 30_000);
    await app.scheduler.runDue(app.clock.now);

    const sent = receiver.on("/slack");
    expect(sent).toHaveLength(3);
    expect(sent[2]?.body).toEqual(sent[0]?.body);
    // The same message, accepted once; nothing is left to send.
    app.clock.now = new Date(first + 3_600_000);
    await app.scheduler.runDue(app.clock.now);
    expect(receiver.on("/slack")).toHaveLength(3);
    // Teams' variable is unset: a warning and a count, never a failed decision.
    expect(outcomes.filter(([channel]) => channel === "slack")).toEqual([
      ["slack", "retried"],
      ["slack", "retried"],
      ["slack", "sent"],
    ]);
    expect(outcomes.filter(([channel]) => channel === "teams")).toEqual([
      ["teams", "unconfigured"],
    ]);
  });

  it("a receiver that is down never delays or changes a decision, and is given up after 8 attempts", async () => {
    receiver.down = true;
    const app = await start();
    await app.receive("deployment_protection_rule", requested());
    await app.receive("deployment_review", approvedBy("rm1"));
    const made = world.take();
    const answers = made.filter((seen) => seen.line === ANSWER).map((seen) => seen.body);
    expect(answers).toEqual([
      expect.not.objectContaining({ state: expect.anything() }),
      expect.objectContaining({ state: "approved" }),
    ]);
    expect(made.filter((seen) => seen.line === STATUS)).toHaveLength(1);
    expect(receiver.received).toEqual([]);

    // Every attempt fails: 10, 20, 40 … 600 s apart, then given up.
    for (let minute = 0; minute <= 60; minute++) {
      app.clock.now = new Date(OPEN.getTime() + minute * 60_000);
      await app.scheduler.runDue(app.clock.now);
    }
    // Two messages (held, approved) on two channels, 8 attempts each.
    expect(receiver.received).toHaveLength(4 * 8);
    expect(outcomes.filter(([, outcome]) => outcome === "gave-up")).toHaveLength(4);
    expect(app.scheduler.next).toBeUndefined();
  });
});

describe("freeze notifications", () => {
  const FROZEN = `
environments:
  production:
    ${NOTIFY}
gates:
  production-window:
    stage: deployment
    environments: [production]
    require:
      window:
        timezone: Europe/Berlin
        freeze: [{ from: "2026-03-10T14:00", to: "2026-03-10T16:00", reason: Quarter-end freeze }]
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { users: [rm1] } } }
`;

  it("tells once when a freeze starts and once when it ends", async () => {
    const app = await start(FROZEN, { sweepIntervalMs: 60_000 });
    // 12:00 UTC is 13:00 in Berlin: an hour before the freeze. The decision makes the
    // environment watched.
    await app.receive("deployment_protection_rule", requested());
    await app.scheduler.runDue(app.clock.now);
    expect(slackTexts()).toEqual([
      "acme/shop: deployment to production held, waiting on release-manager",
    ]);

    const at = async (iso: string) => {
      app.clock.now = new Date(iso);
      await app.scheduler.runDue(app.clock.now);
    };
    await at("2026-03-10T12:59:00Z");
    expect(receiver.on("/slack")).toHaveLength(1);
    await at("2026-03-10T13:00:30Z");
    await at("2026-03-10T13:30:00Z");
    expect(slackTexts().slice(1)).toEqual(["Quarter-end freeze started on production"]);
    const started = JSON.stringify(receiver.on("/slack")[1]?.body);
    expect(started).toContain("Quarter-end freeze until");
    expect(started).toContain("acme/shop");
    expect(receiver.on("/teams")).toHaveLength(2);

    await at("2026-03-10T15:00:30Z");
    await at("2026-03-10T15:10:00Z");
    expect(slackTexts().slice(1)).toEqual([
      "Quarter-end freeze started on production",
      "Quarter-end freeze ended on production",
    ]);
    expect(receiver.on("/teams")).toHaveLength(3);
  });
});
