// Route 6: the release desk in a public `<org>/.github` never shows a private repository — not
// its name, its held deployments, its releases or what it shipped — and a visibility change
// moves a repository on or off the desk. Through probot.receive with GitHub stood in by nock,
// and through the real server process against the GitHub stand-in.
import { jest } from "@jest/globals";
import nock from "nock";
import { DeskLedger } from "../../src/effects/desk-ledger.js";
import type { Visibility } from "../../src/facts/types.js";
import { MemoryStore } from "../../src/store/memory.js";
import {
  INSTALLATION_ID,
  installation,
  protectionRuleRequested,
} from "../fixtures/deployment/payloads.js";
import { organization, repository } from "../fixtures/deployment/github-objects.js";
import {
  API,
  ManualScheduler,
  mergedPull,
  ORG_BASE_URL,
  policyContents,
  startApp,
  type DeploymentHarness,
} from "../integration/deployment-helpers.js";
import { example } from "../integration/harness.js";
import { expectOnlyValidRequests, RELEASE_MANAGER_POLICY, seedMergedChange } from "../e2e/seed.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";
import { repository as repositoryShape, Urls, user } from "../stand-in/shapes.js";
import { start, type StandIn } from "../stand-in/server.js";

jest.setTimeout(120_000);

const SHA = "abcabcabcabcabcabcabcabcabcabcabcabcabca";
const MINUTE = 60_000;
const POLICY = `environments:
  production: {}
gates:
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { users: [rita] }, exclude: [] } }
`;
const DESK = "/repos/acme/.github/issues";
/** acme's repositories as their webhooks name them: shop is public, covert private. */
const REPO = /\/repos\/acme\/(shop|covert)\//;

interface Desk {
  /** Every body the desk issue was created or edited with, in order. */
  bodies: string[];
}

function github(deskVisibility: Visibility): Desk {
  const desk: Desk = { bodies: [] };
  let last: { body?: string } = {};
  const scope = nock(API).persist();
  scope.on("request", (_request: Request, _interceptor: unknown, body: string) => {
    last = body ? (JSON.parse(body) as typeof last) : {};
  });
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
  scope.get(ORG_BASE_URL).reply(200, policyContents("desk: {}\n"));
  scope
    .get((path) => REPO.test(path) && path.endsWith("/contents/.github%2Frelease-policy.yml"))
    .reply(200, policyContents(POLICY));
  scope
    .get((path) => REPO.test(path) && path.endsWith(`/commits/${SHA}/pulls`))
    .reply((request: Request) => {
      const name = REPO.exec(new URL(request.url).pathname)?.[1] ?? "";
      return [200, [{ ...mergedPull(SHA), html_url: `https://github.com/acme/${name}/pull/7` }]];
    });
  scope.get((path) => REPO.test(path) && path.endsWith("/approvals")).reply(200, []);
  scope.post((path) => REPO.test(path) && path.endsWith(`/statuses/${SHA}`)).reply(201, {});
  scope.get(DESK).query(true).reply(200, []);
  scope.get("/repos/acme/.github").reply(200, {
    html_url: "https://github.com/acme/.github",
    full_name: "acme/.github",
    private: deskVisibility !== "public",
    visibility: deskVisibility,
  });
  scope.post(DESK).reply(() => {
    desk.bodies.push(last.body ?? "");
    return [
      201,
      { number: 1, html_url: "https://github.com/acme/.github/issues/1", body: last.body },
    ];
  });
  scope.patch(`${DESK}/1`).reply(() => {
    desk.bodies.push(last.body ?? "");
    return [200, {}];
  });
  return desk;
}

/** The fixture repository renamed, with the visibility its webhooks say. */
function repositoryOf(name: string, visibility: Visibility) {
  return {
    ...repository,
    name,
    full_name: `acme/${name}`,
    private: visibility !== "public",
    visibility,
  };
}

function requested(name: string, visibility: Visibility, runId: number) {
  return {
    ...protectionRuleRequested({
      runId,
      environment: "production",
      sha: SHA,
      deploymentId: runId + 1,
    }),
    repository: repositoryOf(name, visibility),
  };
}

function shipped(name: string, visibility: Visibility, runId: number, at: Date) {
  const payload = example("deployment_status");
  Object.assign(payload.deployment as object, {
    id: runId + 1,
    sha: SHA,
    ref: "main",
    environment: "production",
  });
  Object.assign(payload.deployment_status as object, {
    state: "success",
    environment: "production",
    created_at: at.toISOString(),
    target_url: `https://github.com/acme/${name}/actions/runs/${runId}`,
  });
  return {
    ...payload,
    workflow_run: { id: runId },
    repository: repositoryOf(name, visibility),
    organization,
    installation,
  };
}

/** GitHub's `repository` webhook for a visibility change, with the repository as it is now. */
function visibilityChanged(name: string, action: "publicized" | "privatized") {
  return {
    action,
    repository: repositoryOf(name, action === "publicized" ? "public" : "private"),
    organization,
    installation,
    sender: repository.owner,
  };
}

describe("through probot.receive", () => {
  let clock: { now: Date };
  let scheduler: ManualScheduler;
  let app: DeploymentHarness;

  async function advance(ms: number): Promise<void> {
    clock.now = new Date(clock.now.getTime() + ms);
    await scheduler.runDue(clock.now);
  }

  /** shop (public) and covert (private) each hold one deployment and ship another. */
  async function deployBoth(): Promise<void> {
    await app.receive("deployment_protection_rule", requested("shop", "public", 9001));
    await app.receive("deployment_protection_rule", requested("covert", "private", 9002));
    await app.receive("deployment_status", shipped("covert", "private", 9003, clock.now));
    await app.receive("deployment_status", shipped("shop", "public", 9004, clock.now));
    await advance(MINUTE);
  }

  beforeEach(async () => {
    nock.disableNetConnect();
    clock = { now: new Date("2026-03-10T12:00:00Z") };
    scheduler = new ManualScheduler();
    app = await startApp(new MemoryStore(() => clock.now), clock, scheduler);
  });

  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  test("a desk in a public .github never shows a private repository, in any body it writes", async () => {
    const desk = github("public");
    await deployBoth();
    expect(desk.bodies.length).toBeGreaterThan(0);
    for (const body of desk.bodies) expect(body).not.toMatch(/covert/i);
    const latest = desk.bodies.at(-1) ?? "";
    expect(latest).toContain("[review](https://github.com/acme/shop/actions/runs/9001)");
    expect(latest).toMatch(
      /\| acme\/shop \| production \| \[abcabca\]\(.*runs\/9004\) \| none \| ✅ success \|/,
    );
  });

  test("a repository made public appears on the public desk; one made private leaves it", async () => {
    const desk = github("public");
    await deployBoth();
    await app.receive("repository", visibilityChanged("covert", "publicized"));
    await advance(MINUTE);
    let latest = desk.bodies.at(-1) ?? "";
    expect(latest).toContain("[review](https://github.com/acme/covert/actions/runs/9002)");
    expect(latest).toContain("| acme/covert | production |");

    await app.receive("repository", visibilityChanged("shop", "privatized"));
    await advance(MINUTE);
    latest = desk.bodies.at(-1) ?? "";
    expect(latest).not.toContain("acme/shop");
    expect(latest).toContain("acme/covert");
    // A status told late, from before the change, does not bring shop back.
    await app.receive("deployment_status", shipped("shop", "public", 9005, clock.now));
    await advance(MINUTE);
    expect(desk.bodies.at(-1)).not.toContain("acme/shop");
  });

  test("the desk's own repository made private: its private repositories appear", async () => {
    const desk = github("public");
    await deployBoth();
    expect(desk.bodies.at(-1)).not.toContain("acme/covert");
    await app.receive("repository", visibilityChanged(".github", "privatized"));
    await advance(MINUTE);
    expect(desk.bodies.at(-1)).toContain(
      "[review](https://github.com/acme/covert/actions/runs/9002)",
    );
  });

  test("a desk in a private repository shows its private repositories", async () => {
    const desk = github("private");
    await deployBoth();
    const latest = desk.bodies.at(-1) ?? "";
    expect(latest).toContain("[review](https://github.com/acme/covert/actions/runs/9002)");
    expect(latest).toContain("[review](https://github.com/acme/shop/actions/runs/9001)");
  });
});

describe("the ledger's snapshot for a desk of each visibility", () => {
  const NOW = new Date("2026-03-10T12:00:00Z");
  const production = (environment: string) => environment === "production";

  async function ledgerOfThree(): Promise<DeskLedger> {
    const ledger = new DeskLedger(new MemoryStore(() => NOW));
    const repos: [string, Visibility | undefined][] = [
      ["acme/open", "public"],
      ["acme/inner", "internal"],
      ["acme/closed", "private"],
      ["acme/unknown", undefined],
    ];
    for (const [repo, visibility] of repos) {
      if (visibility) await ledger.noteVisibility("acme", repo, visibility);
      await ledger.putRelease("acme", { repo, tag: `v1-${repo}`, gates: [], recordUrl: "u" });
      await ledger.putEnvironment("acme", { repo, environment: `env-${repo}` });
      await ledger.putDeployment("acme", repo.length, {
        repo,
        environment: "production",
        sha: SHA,
        approvers: [],
        outcome: "success",
        at: NOW.toISOString(),
      });
    }
    return ledger;
  }

  const reposIn = (snapshot: object): string[] =>
    ["acme/open", "acme/inner", "acme/closed", "acme/unknown"].filter((repo) =>
      JSON.stringify(snapshot).includes(repo),
    );

  it.each<[Visibility, string[]]>([
    ["public", ["acme/open"]],
    ["internal", ["acme/open", "acme/inner"]],
    ["private", ["acme/open", "acme/inner", "acme/closed", "acme/unknown"]],
  ])("a %s desk shows releases, tags, windows and deployments of %j", async (desk, shown) => {
    const ledger = await ledgerOfThree();
    const snapshot = await ledger.snapshot("acme", "https://github.com", NOW, production, desk);
    expect(reposIn(snapshot)).toEqual(shown);
  });

  it("an event can close a repository further, never open it; a visibility change pins it", async () => {
    const ledger = await ledgerOfThree();
    await ledger.noteVisibility("acme", "acme/closed", "public");
    await ledger.noteVisibility("acme", "acme/open", "private");
    expect(await ledger.visibility("acme", "acme/closed")).toBe("private");
    expect(await ledger.visibility("acme", "acme/open")).toBe("private");
    await ledger.setVisibility("acme", "acme/closed", "public");
    expect(await ledger.visibility("acme", "acme/closed")).toBe("public");
    // An event handled after the change, from before it, moves it no more.
    await ledger.noteVisibility("acme", "acme/closed", "private");
    expect(await ledger.visibility("acme", "acme/closed")).toBe("public");
  });
});

describe("through the real server", () => {
  const OWNER = "acme";
  const INSTALLATION = 47;
  const SECRET = "e2e-desk-visibility-secret";
  const COVERT_POLICY = `${RELEASE_MANAGER_POLICY}releases:
  tags: { pattern: "^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+$" }
`;
  let gh: StandIn;
  let server: AppServer;

  beforeAll(async () => {
    // Only loopback here: nock's interception of fetch is taken out for this part.
    nock.restore();
    gh = await start({ app: { id: 4715 } });
    gh.state.addRepo({ owner: OWNER, repo: ".github", installationId: INSTALLATION });
    gh.state.addFile(OWNER, ".github", "main", ".github/release-policy.yml", "desk: {}\n");
    server = await startServer({ standIn: gh, secret: SECRET, env: { DESK_EDIT_INTERVAL: "1s" } });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await gh?.close();
    nock.activate();
  });

  afterEach(() => expectOnlyValidRequests(gh));

  async function send(webhook: { event: string; payload: object }): Promise<void> {
    const delivery = await server.deliver(webhook.event, webhook.payload);
    if (delivery.status >= 300)
      throw new Error(`delivery answered ${delivery.status}: ${delivery.body}\n${server.output()}`);
  }

  const deskBody = (): string =>
    gh.state
      .issues(OWNER, ".github")
      .filter((issue) => gh.state.labelsOn(OWNER, ".github", issue.number).includes("release-desk"))
      .map((issue) => issue.body)[0] ?? "";

  /** GitHub's `repository` webhook after the repository's visibility was changed. */
  function madeVisible(repo: string, visible: boolean) {
    const record = gh.state.requireRepo(OWNER, repo);
    record.private = !visible;
    const ctx = { state: gh.state, urls: new Urls(gh.url) };
    return {
      event: "repository",
      payload: {
        action: visible ? "publicized" : "privatized",
        repository: repositoryShape(ctx, record),
        installation: { id: INSTALLATION },
        sender: user(ctx, "octo-admin"),
      },
    };
  }

  test("a private repository's hold and tag stay off the public desk until it is made public", async () => {
    const teams = { "release-managers": ["rita"] };
    const shop = seedMergedChange(gh, {
      owner: OWNER,
      repo: "shop",
      installationId: INSTALLATION,
      policy: RELEASE_MANAGER_POLICY,
      pull: { number: 3, title: "New payment provider", author: "carol" },
      teams,
    });
    const covert = seedMergedChange(gh, {
      owner: OWNER,
      repo: "covert",
      installationId: INSTALLATION,
      policy: COVERT_POLICY,
      pull: { number: 4, title: "Unannounced product", author: "dave" },
    });
    gh.state.requireRepo(OWNER, "covert").private = true;

    await send(covert.events.tagPushed("v9.9.9", covert.mergeSha, "dave"));
    await send(
      covert.events.deploymentRequested({
        sha: covert.mergeSha,
        environment: "production",
        actor: "dave",
      }),
    );
    await send(
      shop.events.deploymentRequested({
        sha: shop.mergeSha,
        environment: "production",
        actor: "carol",
      }),
    );
    // covert's own record is open: its events were handled, yet the desk shows shop alone.
    await waitFor("covert's release record", () =>
      gh.state.issues(OWNER, "covert").find((issue) => issue.title.includes("v9.9.9")),
    );
    const before = await waitFor(
      "the desk with shop's hold",
      () => (/\| acme\/shop \| production \|/.test(deskBody()) ? deskBody() : undefined),
      { timeoutMs: 30_000, explain: deskBody },
    );
    expect(before).not.toMatch(/covert|v9\.9\.9/i);

    await send(madeVisible("covert", true));
    const after = await waitFor(
      "covert on the desk once public",
      () =>
        deskBody().includes("| acme/covert | v9.9.9 |") &&
        /\| acme\/covert \| production \|/.test(deskBody())
          ? deskBody()
          : undefined,
      { timeoutMs: 30_000, explain: deskBody },
    );
    expect(after).toContain("| acme/shop | production |");
  });
});
