// Notifications through the real server process: its environment holds a Slack and a Teams
// webhook URL (a receiver on 127.0.0.1), the policy names the variables, and one production
// deployment held until a release manager approves it sends two messages to each channel,
// and nothing more when GitHub redelivers the approval.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";
import type { GitHubEvents } from "./github-events.js";
import { expectOnlyValidRequests, seedMergedChange } from "./seed.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-notifications-secret";
const POLICY = `environments:
  production:
    notify: { slack: SLACK_PRODUCTION_WEBHOOK, teams: TEAMS_PRODUCTION_WEBHOOK }
gates:
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { teams: [release-managers] } } }
`;

let gh: StandIn;
let server: AppServer;
let events: GitHubEvents;
let mergeSha: string;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  gh = await start({ app: { id: 4713 } });
  ({ events, mergeSha } = seedMergedChange(gh, {
    owner: OWNER,
    repo: REPO,
    installationId: 44,
    policy: POLICY,
    pull: { number: 5, title: "CHG0000005: faster checkout", author: "carol" },
    teams: { "release-managers": ["rita"] },
  }));
  server = await startServer({
    standIn: gh,
    secret: SECRET,
    // "notification queued" is logged at info.
    logLevel: "info",
    env: {
      SLACK_PRODUCTION_WEBHOOK: receiver.url("/slack"),
      TEAMS_PRODUCTION_WEBHOOK: receiver.url("/teams"),
      NOTIFY_SCOPE_SLACK_PRODUCTION_WEBHOOK: "acme",
      NOTIFY_SCOPE_TEAMS_PRODUCTION_WEBHOOK: "acme",
    },
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
  await receiver?.close();
});

afterEach(() => expectOnlyValidRequests(gh));

async function send(webhook: { event: string; payload: object }, id?: string): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload, { id });
  if (delivery.status >= 300)
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
}

const texts = () => receiver.on("/slack").map((r) => r.body.text);
const cardTitles = () =>
  receiver.on("/teams").map((r) => {
    const body = r.body as { attachments: { content: { body: { text?: string }[] } }[] };
    return body.attachments[0]?.content.body[0]?.text;
  });

test("a held, then approved deployment: two messages on each channel, once", async () => {
  const requested = events.deploymentRequested({
    sha: mergeSha,
    environment: "production",
    actor: "carol",
  });
  await send(requested);
  const held = "acme/shop: deployment to production held, waiting on release-manager";
  await waitFor("the held message on both channels", () =>
    texts().length >= 1 && cardTitles().length >= 1 ? true : undefined,
  );
  expect(texts()).toEqual([held]);
  expect(cardTitles()).toEqual([held]);

  const approval = events.deploymentApproved(requested.runId, "production", "rita");
  await send(approval, "notify-approval");
  await waitFor(
    "the approved message on both channels",
    () => (texts().length >= 2 && cardTitles().length >= 2 ? true : undefined),
    { explain: () => JSON.stringify(receiver.received.map((r) => r.path)) },
  );
  const approved = "acme/shop: deployment to production approved";
  expect(texts()).toEqual([held, approved]);
  expect(cardTitles()).toEqual([held, approved]);
  expect(JSON.stringify(receiver.on("/slack")[1]?.body)).toContain("@\u2060rita");

  // GitHub redelivers the approval: the decision is not repeated, nor is the message. A
  // decision is made (and its messages stored) before its webhook is answered, so once these
  // are answered, the log says whether anything more was queued.
  await send(approval, "notify-approval");
  await send(events.deploymentApproved(requested.runId, "production", "rita"));
  const queued = server
    .output()
    .split("\n")
    .filter((line) => line.includes('"notification queued"'));
  expect(queued).toHaveLength(4);
  expect(receiver.received).toHaveLength(4);
  // Counted in /metrics, by channel and outcome.
  const sent = (channel: string) =>
    `release_policy_notifications_total{channel="${channel}",outcome="sent"} 2`;
  let metrics = "";
  await waitFor(
    "both channels' sends counted in /metrics",
    async () => {
      metrics = await (await fetch(`${server.url}/metrics`)).text();
      return metrics.includes(sent("slack")) && metrics.includes(sent("teams")) ? true : undefined;
    },
    {
      explain: () =>
        metrics
          .split("\n")
          .filter((l) => l.includes("notifications"))
          .join("\n"),
    },
  );
  // The URLs are secrets: the server never writes them to its log.
  expect(server.output()).not.toContain(receiver.url("/slack"));
});
