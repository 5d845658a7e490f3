// Faults injected into GitHub while the real server judges a pull request: every read and
// write of the pull-request flow answering 5xx, 429, a secondary or primary rate limit, late,
// or not at all (the connection dropped before or after GitHub applied a write). Each case
// runs in an organization of its own, so that no kept policy, team or fact hides the fault.
//
// Every case must end with: no passing check (the checklist is never ticked, so a pass is
// always wrong), no silence (a check that says why while GitHub fails, where anything can be
// written at all), exactly one check run and one checklist comment (no duplicated create),
// and, once the fault clears, the check every fault-free run shows. Back-off is shortened
// with RETRY_BASE_MS; rate limits wait the 1 s GitHub names.
import { jest } from "@jest/globals";
import type { CheckRunRecord, CommentRecord } from "../stand-in/records.js";
import { secondaryRateLimit, start, type StandIn } from "../stand-in/server.js";
import { GitHubEvents, tickBox } from "../e2e/github-events.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";

jest.setTimeout(60_000);

const SECRET = "faults-webhook-secret";
const REPO = "shop";
const ITEM = "Rollback plan documented";
const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1, from: { teams: [reviewers] } } }
  readiness:
    stage: pull_request
    require:
      checklist:
        - ${ITEM}
`;
const APPROVED = "1 of 1 approval from team reviewers";
const COULD_NOT_READ = "Could not read from GitHub";
/** For as long as the test says: until `clearFaults()`. */
const FOREVER = { times: 10_000 };

const ROUTES = {
  policy: "GET /repos/{owner}/{repo}/contents/{path}",
  reviews: "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  checkRuns: "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
  team: "GET /orgs/{org}/teams/{team_slug}/members",
  comments: "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
  createRun: "POST /repos/{owner}/{repo}/check-runs",
  updateRun: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
  createComment: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  updateComment: "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
} as const;

let gh: StandIn;
let server: AppServer;
let orgs = 0;

beforeAll(async () => {
  gh = await start({ app: { id: 4801 } });
  server = await startServer({
    standIn: gh,
    secret: SECRET,
    // Re-evaluations after 200 ms, 400 ms, …; request retries after 20, 80, 180 ms.
    env: { RETRY_BASE_MS: "20" },
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => {
  gh.clearFaults();
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
});

/** One organization, repository and pull request (#1, by alice) per case. */
class World {
  readonly owner: string;
  readonly events: GitHubEvents;
  readonly headSha: string;
  /** Every conclusion the check showed while the test looked: none may be a pass. */
  readonly seen = new Set<string>();

  constructor() {
    orgs += 1;
    this.owner = `org-${orgs}`;
    gh.state.addRepo({ owner: this.owner, repo: REPO, installationId: 500 + orgs });
    gh.state.addFile(this.owner, REPO, "main", ".github/release-policy.yml", POLICY);
    gh.state.addTeam(this.owner, "reviewers", ["bob"]);
    this.headSha = gh.state.addPullRequest(this.owner, REPO, {
      number: 1,
      title: "CHG0001234: faster checkout",
      author: "alice",
    }).headSha;
    this.events = new GitHubEvents(gh, this.owner, REPO);
  }

  runs(): CheckRunRecord[] {
    const runs = gh.state.ownCheckRuns(this.owner, REPO, this.headSha);
    for (const run of runs) this.seen.add(`${run.status}/${run.conclusion ?? ""}`);
    return runs;
  }

  run(): CheckRunRecord | undefined {
    return this.runs().at(-1);
  }

  comments(): CommentRecord[] {
    return gh.state.comments(this.owner, REPO, 1).filter((c) => c.user === gh.state.botLogin());
  }

  async send(webhook: { event: string; payload: object }): Promise<void> {
    const delivery = await server.deliver(webhook.event, webhook.payload);
    // Answered first: whatever GitHub does to the app's requests, the delivery succeeds.
    if (delivery.status >= 300) {
      throw new Error(`delivery answered ${delivery.status}: ${delivery.body}`);
    }
  }

  /** The check shows `text` in its summary. */
  async shows(text: string): Promise<CheckRunRecord> {
    return waitFor(
      `the check to show "${text}"`,
      () => {
        const run = this.run();
        return run?.output.summary?.includes(text) ? run : undefined;
      },
      { timeoutMs: 20_000, explain: () => this.explain() },
    );
  }

  /** The state a fault-free run ends in: approved, the checklist open, nothing failed. */
  async settled(): Promise<void> {
    const run = await waitFor(
      "the check every fault-free run shows",
      () => {
        const shown = this.run();
        const summary = shown?.output.summary ?? "";
        const right =
          summary.includes(APPROVED) &&
          !summary.includes(COULD_NOT_READ) &&
          this.comments().length > 0;
        return right ? shown : undefined;
      },
      { timeoutMs: 20_000, explain: () => this.explain() },
    );
    expect(run?.conclusion).not.toBe("success");
    const [comment] = this.comments();
    expect(comment?.body).toContain(`- [ ] ${ITEM}`);
  }

  /**
   * No pass ever, one comment, and one run, or `runs`: a completed check cannot be reopened
   * on GitHub, so a failure shown while GitHub failed is followed by one fresh run.
   */
  expectNoHarm(runs = 1): void {
    expect([...this.seen].filter((s) => s.endsWith("/success"))).toEqual([]);
    expect(this.runs()).toHaveLength(runs);
    expect(this.comments()).toHaveLength(1);
  }

  explain(): string {
    const run = this.run();
    return [
      `check runs: ${this.runs().length}; last: ${run?.status} ${run?.conclusion} ${run?.output.title}`,
      run?.output.summary ?? "",
      `comments: ${this.comments().length}`,
      `requests: ${JSON.stringify(requestsOf(this.owner))}`,
      `server output: ${server.output().slice(-4000)}`,
    ].join("\n");
  }
}

function requestsOf(owner: string): string[] {
  return gh
    .requests()
    .filter((r) => r.path.includes(`/${owner}/`))
    .map((r) => `${r.status} ${r.method} ${r.path}`);
}

/** Opens the pull request with bob's approval already given. */
async function openApproved(world: World): Promise<void> {
  gh.state.addReview(world.owner, REPO, 1, { user: "bob", state: "APPROVED" });
  await world.send(world.events.opened(1));
}

describe("a read fails for as long as GitHub does: the check says why, then turns right", () => {
  const reads: [string, () => void, string][] = [
    ["the policy answering 503", () => gh.failNext(ROUTES.policy, 503, FOREVER), "answered 503"],
    ["the reviews answering 502", () => gh.failNext(ROUTES.reviews, 502, FOREVER), "answered 502"],
    [
      "the check runs answering 502",
      () => gh.failNext(ROUTES.checkRuns, 502, FOREVER),
      "answered 502",
    ],
    ["team membership answering 500", () => gh.failNext(ROUTES.team, 500, FOREVER), "answered 500"],
    [
      "the comments answering 503",
      () => gh.failNext(ROUTES.comments, 503, FOREVER),
      "answered 503",
    ],
    [
      "the reviews' connection dropping",
      () => gh.dropNext(ROUTES.reviews, { when: "before", ...FOREVER }),
      "GitHub did not answer",
    ],
  ];
  test.each(reads)("%s", async (_what, inject, said) => {
    const world = new World();
    inject();

    await openApproved(world);

    const failing = await world.shows(COULD_NOT_READ);
    expect(failing).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(failing.output.summary).toContain(said);

    gh.clearFaults();
    // Nobody presses Re-evaluate: the app's own back-off judges again.
    await world.settled();
    world.expectNoHarm(2);
    expect(world.runs()[0]).toMatchObject({ conclusion: "failure" });
  });
});

describe("a read is rate limited or slow: it waits, and the check is right at once", () => {
  const limits: [string, () => void][] = [
    [
      "429 with retry-after on the reviews",
      () => gh.failNext(ROUTES.reviews, 429, { headers: { "retry-after": "1" } }),
    ],
    [
      "a secondary rate limit on the policy",
      () => gh.failNext(ROUTES.policy, 403, secondaryRateLimit(1)),
    ],
    // Past GitHub's 10 s for a webhook: answered first, the delivery does not wait for it.
    ["the policy answering 11 s late", () => gh.delayNext(ROUTES.policy, 11_000)],
  ];
  test.each(limits)("%s", async (_what, inject) => {
    const world = new World();
    inject();

    const sent = Date.now();
    await openApproved(world);
    expect(Date.now() - sent).toBeLessThan(5_000);

    await world.settled();
    world.expectNoHarm();
    // The first write was the right check: no failure shown in between.
    expect(
      gh.requests().filter((r) => r.route === ROUTES.updateRun && r.path.includes(world.owner)),
    ).toHaveLength(0);
  });
});

describe("a create fails: never a second check run or checklist comment", () => {
  const creates: [string, () => void][] = [
    [
      "the check run's answer is lost after GitHub made it",
      () => gh.dropNext(ROUTES.createRun, { when: "after" }),
    ],
    [
      "the check run's connection drops before GitHub made it",
      () => gh.dropNext(ROUTES.createRun, { when: "before" }),
    ],
    ["the check run create answers 502", () => gh.failNext(ROUTES.createRun, 502)],
    [
      "the check run create hits a secondary rate limit",
      () => gh.failNext(ROUTES.createRun, 403, secondaryRateLimit(1)),
    ],
    [
      "the check run create hits the primary rate limit",
      () =>
        gh.failNext(ROUTES.createRun, 403, {
          message: "API rate limit exceeded for installation ID 1.",
          headers: {
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 1),
          },
        }),
    ],
    [
      "the comment's answer is lost after GitHub made it",
      () => gh.dropNext(ROUTES.createComment, { when: "after" }),
    ],
    ["the comment create answers 500", () => gh.failNext(ROUTES.createComment, 500)],
    [
      "the comment create hits a secondary rate limit",
      () => gh.failNext(ROUTES.createComment, 403, secondaryRateLimit(1)),
    ],
  ];
  test.each(creates)("%s", async (_what, inject) => {
    const world = new World();
    inject();

    await openApproved(world);

    await world.settled();
    world.expectNoHarm();
  });
});

describe("an update fails: the next evaluation writes it, once", () => {
  const updates: [string, () => void][] = [
    // More failures than the request retries (3): the evaluation fails and is tried again.
    ["the check run update answers 502", () => gh.failNext(ROUTES.updateRun, 502, { times: 5 })],
    [
      "the check run update hits a secondary rate limit",
      () => gh.failNext(ROUTES.updateRun, 403, secondaryRateLimit(1)),
    ],
  ];
  test.each(updates)("%s", async (_what, inject) => {
    const world = new World();
    await world.send(world.events.opened(1));
    await waitFor("the first check and comment", () =>
      world.run() && world.comments().length > 0 ? true : undefined,
    );
    inject();

    await world.send(world.events.submitReview(1, "bob", "APPROVED"));

    await world.settled();
    world.expectNoHarm();
  });
});

test("the checklist comment's update loses its answer: the tick is kept, in one comment", async () => {
  const world = new World();
  await world.send(world.events.opened(1));
  const [comment] = await waitFor("the checklist comment", () =>
    world.comments().length > 0 ? world.comments() : undefined,
  );
  if (!comment) throw new Error("no checklist comment");
  // Applied each time, answered never: more often than the request retries (3).
  gh.dropNext(ROUTES.updateComment, { when: "after", times: 5 });

  await world.send(world.events.editComment(comment.id, tickBox(comment.body, ITEM), "alice"));

  await waitFor(
    "the tick recorded in the comment and counted by the check",
    () =>
      world.comments()[0]?.body.includes("ticked by @alice") &&
      world.run()?.output.summary?.includes("1 of 1 checklist item ticked")
        ? true
        : undefined,
    { timeoutMs: 20_000, explain: () => world.explain() },
  );
  // Not approved: the check must not pass.
  expect([...world.seen].filter((s) => s.endsWith("/success"))).toEqual([]);
  expect(world.runs()).toHaveLength(1);
  expect(world.comments()).toHaveLength(1);
});
