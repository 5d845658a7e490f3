// The work note on a change record through the real server process: its environment points
// at a ServiceNow stand-in on 127.0.0.1, the policy's change_record gate asks for a note, and
// a production deployment approved by a release manager on an approved change request gets
// exactly one work note once it succeeds, though GitHub delivers its status twice.
import { jest } from "@jest/globals";
import { startServiceNow, type ServiceNowStandIn } from "../stand-in/servicenow.js";
import { start, type StandIn } from "../stand-in/server.js";
import { expectOnlyValidRequests, RELEASE_MANAGER_POLICY, seedMergedChange } from "./seed.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const INSTALLATION = 47;
const SECRET = "e2e-change-note-secret";
const POLICY = `${RELEASE_MANAGER_POLICY}  production-change:
    stage: deployment
    environments: [production]
    require:
      change_record: { system: servicenow, pattern: "CHG[0-9]{7}", work_note: true }
`;

/** ServiceNow's stored form of an instant `hours` from now: UTC "2026-03-10 11:00:00". */
const serviceNowTime = (hours: number): string =>
  new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 19).replace("T", " ");

let gh: StandIn;
let sn: ServiceNowStandIn;
let server: AppServer;

beforeAll(async () => {
  sn = await startServiceNow();
  // The planned window is around the wall clock: the real server judges it by its own.
  sn.put("CHG0000007", {
    short_description: "New payment provider",
    start_date: serviceNowTime(-1),
    end_date: serviceNowTime(2),
    sys_id: "9d385017c611228701d22104cc95c371",
  });
  gh = await start({ app: { id: 4715 } });
  server = await startServer({
    standIn: gh,
    secret: SECRET,
    logLevel: "info",
    env: {
      SERVICENOW_URL: sn.url,
      SERVICENOW_USER: "release-policy",
      SERVICENOW_PASSWORD: "s3cret",
    },
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
  await sn?.close();
});

afterEach(() => expectOnlyValidRequests(gh));

async function send(webhook: { event: string; payload: object }, id?: string): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload, { id });
  if (delivery.status >= 300)
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
}

test("an approved deployment's status, delivered twice, leaves one work note on its change request", async () => {
  const { events, mergeSha } = seedMergedChange(gh, {
    owner: OWNER,
    repo: REPO,
    installationId: INSTALLATION,
    policy: POLICY,
    pull: { number: 7, title: "CHG0000007: new payment provider", author: "carol" },
    teams: { "release-managers": ["rita"] },
  });
  const requested = events.deploymentRequested({
    sha: mergeSha,
    environment: "production",
    actor: "carol",
  });
  const deploymentId = (requested.payload.deployment as { id: number }).id;
  const answers = () =>
    gh.state.protectionRuleAnswers({ owner: OWNER, repo: REPO, runId: requested.runId });
  await send(requested);
  await waitFor("the hold for the release manager", () => answers()[0]);
  await send(events.deploymentApproved(requested.runId, "production", "rita"));
  const approved = await waitFor("the approval", () => answers()[1]);
  expect(approved.state).toBe("approved");

  const status = events.deploymentFinished(requested.runId, "success");
  await send(status, "change-note-status");
  await waitFor("the work note", () => sn.notes[0], {
    explain: () => `${JSON.stringify(sn.requests)}\n${server.output()}`,
  });
  // GitHub redelivers the status (same delivery id), and sends it once more.
  await send(status, "change-note-status");
  await send(status);
  // Stopping waits for the work of every answered webhook: nothing more can be written after.
  await server.stop();

  expect(sn.notes).toHaveLength(1);
  const [note] = sn.notes;
  expect(note?.sysId).toBe("9d385017c611228701d22104cc95c371");
  const lines = note?.text.split("\n") ?? [];
  expect(lines[0]).toBe(
    `Release Policy: deployment ${deploymentId} of acme/shop to production succeeded.`,
  );
  expect(lines).toEqual(
    expect.arrayContaining([
      "Repository: acme/shop",
      "Environment: production",
      `Workflow run: ${gh.url}/acme/shop/actions/runs/${requested.runId}`,
      `Commits: up to ${mergeSha} (1 commit, the environment's first deployment)`,
      "Pull requests: #7",
      "Change records: CHG0000007",
    ]),
  );
  expect(lines.find((l) => l.startsWith("Approved at "))).toMatch(
    /by: rita \(deployment review\)$/,
  );
  expect(lines.find((l) => l.startsWith("Outcome: "))).toMatch(/^Outcome: success at /);
  expect(sn.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
  // The credentials go to ServiceNow only, never into the note or the log.
  expect(note?.text).not.toContain("s3cret");
  expect(server.output()).not.toContain("s3cret");
});
