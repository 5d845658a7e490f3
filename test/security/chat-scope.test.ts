// Chat webhooks of another organization: `notify` names an environment variable of the app,
// and a variable posts only for the owners the operator scoped it to. A repository of `evil`
// naming acme's variable has an invalid policy (file, line, key) and sends nothing to acme's
// channel; acme's own repository still posts. Through probot.receive, GitHub stood in by nock.
import nock from "nock";
import { pino } from "pino";
import { NotificationOutbox } from "../../src/holds/notification-outbox.js";
import { loadPolicy } from "../../src/policy/inherit.js";
import { formatProblem } from "../../src/policy/problems.js";
import { notifyScopeOf } from "../../src/policy/notify-scope.js";
import type { PolicySource } from "../../src/policy/types.js";
import { MemoryStore } from "../../src/store/memory.js";
import { INSTALLATION_ID, protectionRuleRequested } from "../fixtures/deployment/payloads.js";
import { organization, repository } from "../fixtures/deployment/github-objects.js";
import { ManualScheduler } from "../support/manual-scheduler.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";
import { API, mergedPull, policyContents, startApp } from "../integration/deployment-helpers.js";

const SHA = "abcabcabcabcabcabcabcabcabcabcabcabcabca";
const RUN_ID = 9001;
const POLICY = `environments:
  production:
    notify: { slack: SLACK_ACME_RELEASES }
gates:
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { users: [rita] } } }
`;
/** The repository and the owner whose policy is read, from the request's path. */
const REPO = /\/repos\/(acme|evil)\/(shop|\.github)\//;

interface GitHub {
  /** The bodies of the answers to the protection rule, by owner. */
  answers: Record<string, { state?: string; comment?: string }[]>;
}

function github(): GitHub {
  const gh: GitHub = { answers: { acme: [], evil: [] } };
  const ownerOf = (request: Request) => REPO.exec(new URL(request.url).pathname)?.[1] ?? "";
  let last: Record<string, unknown> = {};
  const scope = nock(API).persist();
  scope.on("request", (_request: Request, _interceptor: unknown, body: string) => {
    last = body ? (JSON.parse(body) as typeof last) : {};
  });
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
  scope
    .get((path) => REPO.test(path) && path.includes("/shop/contents/"))
    .reply(200, policyContents(POLICY));
  scope.get((path) => REPO.test(path) && path.includes("/.github/contents/")).reply(404, {});
  scope
    .get((path) => REPO.test(path) && path.endsWith(`/commits/${SHA}/pulls`))
    .reply(200, [mergedPull(SHA)]);
  scope.get((path) => REPO.test(path) && path.endsWith("/approvals")).reply(200, []);
  scope
    .post((path) => REPO.test(path) && path.endsWith("/deployment_protection_rule"))
    .reply((request: Request) => {
      gh.answers[ownerOf(request)]?.push(last as { state?: string; comment?: string });
      return [204];
    });
  scope.post((path) => REPO.test(path) && path.includes("/statuses/")).reply(201, {});
  return gh;
}

/** A deployment of `owner`/shop waiting on the protection rule. */
function requested(owner: string) {
  const payload = protectionRuleRequested({
    runId: RUN_ID,
    environment: "production",
    sha: SHA,
    deploymentId: 55,
  });
  return {
    ...payload,
    deployment_callback_url: `${API}/repos/${owner}/shop/actions/runs/${RUN_ID}/deployment_protection_rule`,
    repository: {
      ...repository,
      full_name: `${owner}/shop`,
      owner: { ...repository.owner, login: owner },
    },
    organization: { ...organization, login: owner },
  };
}

let receiver: WebhookReceiver;

beforeEach(() => {
  nock.disableNetConnect();
  receiver = new WebhookReceiver();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

async function app() {
  return startApp(new MemoryStore(), { now: new Date("2026-03-10T12:00:00Z") }, undefined, {
    notifications: {
      env: {
        SLACK_ACME_RELEASES: receiver.url("/acme-releases"),
        NOTIFY_SCOPE_SLACK_ACME_RELEASES: "acme",
      },
      fetch: receiver.fetch,
    },
  });
}

test("a repository of evil naming acme's variable sends nothing there, and its policy says why", async () => {
  const gh = github();
  const evil = await app();
  await evil.receive("deployment_protection_rule", requested("evil"));
  await evil.scheduler.runDue(evil.clock.now);
  expect(receiver.received).toEqual([]);
  // Fail closed: the invalid policy rejects the deployment, naming the file, line and key.
  const [answer] = gh.answers.evil ?? [];
  expect(answer?.state).toBe("rejected");
  expect(answer?.comment).toContain("evil/shop:.github/release-policy.yml:3:");
  expect(answer?.comment).toContain("environments.production.notify.slack");
  expect(answer?.comment).toContain(
    "SLACK_ACME_RELEASES is not for repositories of evil: the app sends through a variable only for the owners its operator lists in NOTIFY_SCOPE_SLACK_ACME_RELEASES",
  );
});

test("acme's own repository posts through it", async () => {
  github();
  const acme = await app();
  await acme.receive("deployment_protection_rule", requested("acme"));
  await acme.scheduler.runDue(acme.clock.now);
  expect(receiver.on("/acme-releases").map((r) => r.body.text)).toEqual([
    "acme/shop: deployment to production held, waiting on release-manager",
  ]);
});

describe("the scope when the policy is loaded", () => {
  const source: PolicySource = {
    read: async (owner, repo, path) =>
      repo === "shop" ? { location: `${owner}/${repo}:${path}`, text: POLICY } : null,
  };
  const problems = async (owner: string, env: Record<string, string>) => {
    const loaded = await loadPolicy(
      source,
      owner,
      "shop",
      { organization: true },
      {
        notifyScope: notifyScopeOf(env),
      },
    );
    return loaded.kind === "invalid" ? loaded.problems.map(formatProblem) : [];
  };

  it("refuses a variable set or scoped for other owners, and none for its own", async () => {
    const scoped = {
      SLACK_ACME_RELEASES: "https://x.example",
      NOTIFY_SCOPE_SLACK_ACME_RELEASES: "Acme, acme-labs",
    };
    expect(await problems("acme", scoped)).toEqual([]);
    expect(await problems("ACME-labs", scoped)).toEqual([]);
    expect(await problems("evil", scoped)).toEqual([
      expect.stringMatching(
        /^evil\/shop:\.github\/release-policy\.yml:3:\d+: environments\.production\.notify\.slack: SLACK_ACME_RELEASES is not for repositories of evil/,
      ),
    ]);
    // Set without a scope: no repository's.
    expect(await problems("acme", { SLACK_ACME_RELEASES: "https://x.example" })).toHaveLength(1);
    // Neither set nor scoped: nothing to send, as with any unset variable.
    expect(await problems("acme", {})).toEqual([]);
  });
});

test("the outbox sends a message only through a variable scoped to its repository's owner", async () => {
  const store = new MemoryStore();
  const scheduler = new ManualScheduler();
  const outbox = new NotificationOutbox({
    store,
    now: () => new Date("2026-03-10T12:00:00Z"),
    scheduler,
    env: {
      SLACK_ACME_RELEASES: receiver.url("/acme-releases"),
      NOTIFY_SCOPE_SLACK_ACME_RELEASES: "acme",
    },
    log: pino({ level: "silent" }),
    baseMs: 1000,
    fetch: receiver.fetch,
  });
  const message = (owner: string) => ({
    id: `test\u0000${owner}`,
    channel: "slack" as const,
    variable: "SLACK_ACME_RELEASES",
    owner,
    body: { text: `from ${owner}` },
    about: { event: "test" },
  });
  // Kept from before the scope was set, say: the policy check never saw it.
  await outbox.enqueue(message("evil"));
  await outbox.enqueue(message("acme"));
  await outbox.deliverDue();
  expect(receiver.on("/acme-releases").map((r) => r.body.text)).toEqual(["from acme"]);
});
