// The release desk through the real server process: three repositories of one organization —
// a deployment held for a release manager, a release record in flight, a production
// deployment approved and shipped — end up on one desk issue in the organization's .github
// repository, and the issue's calendar is drawn by Mermaid itself.
import { jest } from "@jest/globals";
import { mermaidBlock, openMermaidPage } from "../../scripts/mermaid-page.js";
import { start, type StandIn } from "../stand-in/server.js";
import { expectOnlyValidRequests, RELEASE_MANAGER_POLICY, seedMergedChange } from "./seed.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(120_000);

const OWNER = "acme";
const INSTALLATION = 46;
const SECRET = "e2e-desk-secret";
/** A date `offset` days from today (UTC): the freeze lies ahead whenever the test runs. */
const day = (offset: number): string =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const WINDOWED_POLICY = `${RELEASE_MANAGER_POLICY}  production-window:
    stage: deployment
    environments: [production]
    require:
      window:
        timezone: UTC
        allow: ["Mon-Sun 00:00-24:00"]
        freeze: [{ from: "${day(2)}", to: "${day(3)}", reason: Holidays }]
`;
const RELEASE_POLICY = `releases:
  tags: { pattern: "^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+$" }
gates:
  release-notes:
    stage: release
    require: { release_notes: true }
`;

let gh: StandIn;
let server: AppServer;

beforeAll(async () => {
  gh = await start({ app: { id: 4714 } });
  gh.state.addRepo({ owner: OWNER, repo: ".github", installationId: INSTALLATION });
  gh.state.addFile(OWNER, ".github", "main", ".github/release-policy.yml", "desk: {}\n");
  // DESK_EDIT_INTERVAL shortened so that the edit after a burst comes within the test.
  server = await startServer({
    standIn: gh,
    secret: SECRET,
    env: { DESK_EDIT_INTERVAL: "1s" },
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => expectOnlyValidRequests(gh));

async function send(webhook: { event: string; payload: object }): Promise<void> {
  const delivery = await server.deliver(webhook.event, webhook.payload);
  if (delivery.status >= 300)
    throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
}

const deskIssues = () =>
  gh.state
    .issues(OWNER, ".github")
    .filter((issue) => gh.state.labelsOn(OWNER, ".github", issue.number).includes("release-desk"));

test("holds, releases and deployments of three repositories are on one desk issue", async () => {
  const teams = { "release-managers": ["rita"] };
  const shop = seedMergedChange(gh, {
    owner: OWNER,
    repo: "shop",
    installationId: INSTALLATION,
    policy: WINDOWED_POLICY,
    pull: { number: 3, title: "New payment provider", author: "carol" },
    teams,
  });
  const api = seedMergedChange(gh, {
    owner: OWNER,
    repo: "api",
    installationId: INSTALLATION,
    policy: RELEASE_POLICY,
    pull: { number: 4, title: "Faster search", author: "dave" },
  });
  const web = seedMergedChange(gh, {
    owner: OWNER,
    repo: "web",
    installationId: INSTALLATION,
    policy: RELEASE_MANAGER_POLICY,
    pull: { number: 5, title: "New landing page", author: "erin" },
  });

  // shop: held for the release managers.
  await send(
    shop.events.deploymentRequested({
      sha: shop.mergeSha,
      environment: "production",
      actor: "carol",
    }),
  );
  // api: a release tag opens its record, waiting for release notes.
  await send(api.events.tagPushed("v2.0.0", api.mergeSha, "tom"));
  // web: held, approved by rita, deployed.
  const held = web.events.deploymentRequested({
    sha: web.mergeSha,
    environment: "production",
    actor: "erin",
  });
  await send(held);
  await send(web.events.deploymentApproved(held.runId, "production", "rita"));
  await waitFor("web's approval", () =>
    gh.state
      .protectionRuleAnswers({ owner: OWNER, repo: "web", runId: held.runId })
      .find((answer) => answer.state === "approved"),
  );
  await send(web.events.deploymentFinished(held.runId, "success"));

  const body = await waitFor(
    "the desk issue with all three repositories",
    () => {
      const text = deskIssues()[0]?.body ?? "";
      return /\| acme\/web \| production \|.*\| @rita \| ✅ success \|/.test(text) &&
        text.includes("| acme/api | v2.0.0 |") &&
        // web's own decision notes its environment; its status may have come first.
        text.includes("section acme/web production") &&
        /\| acme\/shop \| production \|.*approval by @acme\/release-managers/.test(text)
        ? text
        : undefined;
    },
    { timeoutMs: 30_000, explain: () => deskIssues()[0]?.body ?? "no desk issue" },
  );
  expect(deskIssues()).toHaveLength(1);
  expect(body.startsWith("<!-- release-policy:desk -->")).toBe(true);
  expect(body).toContain(`[review](${gh.url}/acme/shop/actions/runs/`);
  // web's deployment is no longer waiting; shop's is.
  expect(body.split("## Releases in flight")[0]).not.toContain("acme/web");
  expect(body).toContain("⏳ release-notes");
  // The calendar: shop's windowed production and web's, each its own row, and web's deployment.
  const chart = mermaidBlock(body);
  expect(chart).toContain("section acme/shop production");
  expect(chart).toContain("section acme/web production");
  expect(chart).toMatch(/Deploy acme\/web [0-9a-f]{7} :milestone/);
  expect(chart).toMatch(/Holidays freeze :crit, b\d+, /);

  // Mermaid draws it, as GitHub would.
  const mermaid = await openMermaidPage();
  try {
    const svg = await mermaid.render(chart);
    expect(svg).toContain("<svg");
    expect(svg).toContain("acme/shop production");
    expect(svg).toContain("Holidays freeze");
  } finally {
    await mermaid.close();
  }
});
