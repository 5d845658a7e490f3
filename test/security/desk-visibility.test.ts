// Route 6: the release desk in a public `<org>/.github` never shows a private repository — not
// its name, its held deployments, its releases or what it shipped — and a visibility change
// moves a repository on or off the desk. Through probot.receive, GitHub stood in by nock.
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

  it("an event can close a repository further, never open it", async () => {
    const ledger = await ledgerOfThree();
    await ledger.noteVisibility("acme", "acme/closed", "public");
    await ledger.noteVisibility("acme", "acme/open", "private");
    expect(await ledger.visibility("acme", "acme/closed")).toBe("private");
    expect(await ledger.visibility("acme", "acme/open")).toBe("private");
    await ledger.setVisibility("acme", "acme/closed", "public");
    expect(await ledger.visibility("acme", "acme/closed")).toBe("public");
  });
});
