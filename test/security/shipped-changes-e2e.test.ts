// The shipped-changes route end to end: the real server process, GitHub's stand-in and a
// ServiceNow stand-in on 127.0.0.1. Production last ran the base; #7 (CHG0000001, awaiting
// approval) and #8 (CHG0000002, approved) were merged since; production deploys main, whose
// head is #8's merge. The deployment waits on #7's change, and goes once it is approved.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { GitHubEvents, type Webhook } from "../e2e/github-events.js";
import { expectOnlyValidRequests } from "../e2e/seed.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";
import { start, type StandIn } from "../stand-in/server.js";
import { startServiceNow, type ServiceNowStandIn } from "../stand-in/servicenow.js";

const POLICY = `
environments:
  production: {}
gates:
  production-change:
    stage: deployment
    environments: [production]
    require:
      change_record: { system: servicenow, pattern: "CHG[0-9]{7}" }
`;

describe("through the real server, against the GitHub stand-in", () => {
  const SECRET = "security-shipped-changes-secret";
  let gh: StandIn;
  let sn: ServiceNowStandIn;
  let server: AppServer;

  /** ServiceNow's stored form of an instant `hours` from now. */
  const at = (hours: number): string =>
    new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
  const change = (number: string, approval: string) =>
    sn.put(number, { state: "Scheduled", approval, start_date: at(-1), end_date: at(2) });

  beforeAll(async () => {
    [sn, gh] = await Promise.all([startServiceNow(), start({ app: { id: 4831 } })]);
    server = await startServer({
      standIn: gh,
      secret: SECRET,
      env: {
        SERVICENOW_URL: sn.url,
        SERVICENOW_USER: "release-policy",
        SERVICENOW_PASSWORD: "s3cret",
      },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([gh?.close(), sn?.close()]);
  });
  afterEach(() => expectOnlyValidRequests(gh));

  async function send(webhook: Webhook): Promise<void> {
    const delivery = await server.deliver(webhook.event, webhook.payload);
    if (delivery.status >= 300) throw new Error(`delivery answered ${delivery.status}`);
  }

  it("holds production on #7's unapproved change until it is approved, though #8's is", async () => {
    const repo = "shipped";
    gh.state.addRepo({ owner: "acme", repo, installationId: 61 });
    gh.state.addFile("acme", repo, "main", ".github/release-policy.yml", POLICY);
    const base = gh.state.branchHead("acme", repo, "main");
    gh.state.addDeployment("acme", repo, {
      ref: "main",
      sha: base,
      environment: "production",
      statuses: [{ state: "success" }],
    });
    change("CHG0000001", "Requested");
    change("CHG0000002", "Approved");
    gh.state.addPullRequest("acme", repo, {
      number: 7,
      title: "CHG0000001 payment provider",
      merged: true,
    });
    const head = gh.state.addPullRequest("acme", repo, {
      number: 8,
      title: "CHG0000002 checkout button",
      merged: true,
    }).mergeCommitSha;
    if (!head || !base) throw new Error("the stand-in did not merge");
    const events = new GitHubEvents(gh, "acme", repo);
    const requested = events.deploymentRequested({
      sha: head,
      environment: "production",
      actor: "carol",
    });
    await send(requested);
    const answers = () =>
      gh.state.protectionRuleAnswers({ owner: "acme", repo, runId: requested.runId });
    const explain = () => `${JSON.stringify(answers())}\n${server.output()}`;
    const held = await waitFor("the app's answer", () => answers()[0], { explain });
    expect(held.state).toBeNull();
    expect(held.comment).toContain("#7: CHG0000001 is not yet approved (approval: Requested)");

    // Approved in ServiceNow; someone asks for a fresh look on #7.
    change("CHG0000001", "Approved");
    await send(events.comment(7, "/recheck", "rita"));
    const approved = await waitFor(
      "the approval after /recheck",
      () => answers().find((a) => a.state !== null),
      { explain },
    );
    expect(approved.state).toBe("approved");
  }, 60_000);
});
