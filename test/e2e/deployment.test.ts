// The deployment protection rule through the real server process: a production job is
// held until a release manager approves it in GitHub's deployment review, then approved
// exactly once, also when GitHub redelivers the approval.
import { jest } from "@jest/globals";
import type { ProtectionAnswer } from "../stand-in/records.js";
import { start, type StandIn } from "../stand-in/server.js";
import type { GitHubEvents } from "./github-events.js";
import {
  expectOnlyValidRequests,
  RELEASE_MANAGER_POLICY as POLICY,
  seedMergedChange,
} from "./seed.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-deployment-secret";

let gh: StandIn;
let server: AppServer;
let events: GitHubEvents;
let mergeSha: string;

beforeAll(async () => {
  gh = await start({ app: { id: 4712 } });
  ({ events, mergeSha } = seedMergedChange(gh, {
    owner: OWNER,
    repo: REPO,
    installationId: 43,
    policy: POLICY,
    pull: { number: 3, title: "CHG0000003: new payment provider", author: "carol" },
    teams: { "release-managers": ["rita"] },
  }));
  server = await startServer({ standIn: gh, secret: SECRET });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => expectOnlyValidRequests(gh));

const answersFor = (runId: number) =>
  gh.state.protectionRuleAnswers({ owner: OWNER, repo: REPO, runId });

function nthAnswer(runId: number, n: number): () => ProtectionAnswer | undefined {
  return () => answersFor(runId)[n - 1];
}

async function send(webhook: { event: string; payload: object }, id?: string): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload, { id });
  if (delivery.status >= 300)
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
}

test("held until a release manager approves, then approved once", async () => {
  const requested = events.deploymentRequested({
    sha: mergeSha,
    environment: "production",
    actor: "carol",
  });
  await send(requested);

  const held = await waitFor(
    "the status comment that holds the job",
    nthAnswer(requested.runId, 1),
  );
  expect(held).toMatchObject({ environmentName: "production", state: null });
  expect(held.comment).toContain("release-manager");

  const approval = events.deploymentApproved(requested.runId, "production", "rita");
  await send(approval, "approval-delivery");
  const approved = await waitFor("the approval", nthAnswer(requested.runId, 2));
  expect(approved).toMatchObject({ environmentName: "production", state: "approved" });

  // GitHub's redelivery reuses the delivery id: it must not produce a second decision.
  await send(approval, "approval-delivery");
  await send(events.deploymentApproved(requested.runId, "production", "rita"));
  expect(answersFor(requested.runId).filter((a) => a.state !== null)).toHaveLength(1);
});
