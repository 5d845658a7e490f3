// Advisory mode through the app: a pull request's check is neutral while gates are unmet and
// turns green in place once they pass; a deployment the gates would stop is approved, once,
// with a comment that says what would have stopped it. The same deployment under an
// enforcing policy is rejected: the mode, not the world, makes the difference.
import nock from "nock";
import { MemoryStore } from "../../src/store/memory.js";
import { protectionRuleRequested } from "../fixtures/deployment/payloads.js";
import { startApp } from "./deployment-helpers.js";
import {
  ANSWER,
  bodyOf as bodyOfDeployment,
  RUN_ID,
  SHA,
  STATUS,
  World,
} from "./deployment-world.js";
import {
  bodyOf,
  cleanNock,
  contents,
  createHarness,
  CREATE_RUN,
  example,
  expectBudget,
  github,
  listedCheckRun,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
  RUNS,
  UPDATE_RUN,
} from "./harness.js";

beforeEach(cleanNock);
afterAll(() => nock.restore());

describe("advisory mode: the pull request's check", () => {
  const POLICY = `mode: advisory
gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;

  test("is neutral while a gate fails, then updated to success in place", async () => {
    const harness = await createHarness();
    const opened = example("pull_request", "opened");
    let listed: Record<string, unknown>[] = [];
    github()
      .persist()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(POLICY_AT_HEAD)
      .reply(200, contents(POLICY))
      .get(RUNS)
      .reply(() => [200, { total_count: listed.length, check_runs: listed }])
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });

    const made = await harness.receive("pull_request", opened);
    expectBudget(made, { reads: { atMost: 4 }, writes: [CREATE_RUN] });
    const created = bodyOf(made, CREATE_RUN);
    expect(created).toMatchObject({
      status: "completed",
      conclusion: "neutral",
      output: { title: "Advisory, not blocking: would block (1 gate fails)" },
    });
    expect((created.output as { summary: string }).summary).toMatch(
      /\*\*change-record\*\* \| ❌ fail/,
    );
    listed = [listedCheckRun(1, created)];

    const pr = opened.pull_request as Record<string, unknown>;
    const edited = {
      ...opened,
      action: "edited",
      changes: { title: { from: pr.title } },
      pull_request: { ...pr, title: "CHG1234567 Update the README" },
    };
    const again = await harness.receive("pull_request", edited);
    // A title edit changes no fact read from GitHub: the check is updated in place.
    expectBudget(again, { reads: { atMost: 0 }, writes: [UPDATE_RUN] });
    expect(bodyOf(again, UPDATE_RUN)).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "1 gate passes" },
    });
  });
});

describe("advisory mode: the protection rule", () => {
  // Friday 13 March 2026, 17:00 in Berlin: outside the window.
  const FRIDAY = new Date("2026-03-13T16:00:00Z");
  const policy = (mode: string) => `${mode}
environments:
  production: {}
gates:
  compliant:
    stage: deployment
    environments: [production]
    require: { compliant_changes: true }
  production-window:
    stage: deployment
    environments: [production]
    require:
      window: { timezone: Europe/Berlin, allow: ["Mon-Thu 09:00-16:00"] }
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { users: [rm1] } } }
`;
  const requested = () =>
    protectionRuleRequested({
      runId: RUN_ID,
      environment: "production",
      sha: SHA,
      deploymentId: 55,
    });

  let world: World;
  afterEach(() => world.close());
  // The organization has no base policy (whether the app looks there is not this test's concern).
  beforeEach(() => {
    nock("https://api.github.com")
      .persist()
      .get("/repos/acme/.github/contents/.github%2Frelease-policy.yml")
      .reply(404, { message: "Not Found" });
  });

  test("approves once what enforcing would reject, and says what would have blocked", async () => {
    world = new World(policy("mode: advisory"));
    // The pull request was merged while the policy was advisory: its check was neutral.
    world.verdict = { status: "completed", conclusion: "neutral" };
    const app = await startApp(new MemoryStore(), { now: FRIDAY });
    await app.receive("deployment_protection_rule", requested());
    const made = world.take();
    expect(made.filter((r) => r.line === ANSWER)).toHaveLength(1);
    const answer = bodyOfDeployment(made, ANSWER);
    expect(answer.state).toBe("approved");
    const lines = String(answer.comment).split("\n");
    expect(lines[0]).toBe(
      "Release Policy approved production (advisory mode; would be rejected): blocked by 3 of 3 gates.",
    );
    expect(lines.slice(1, 4).map((l) => l.split(":")[0])).toEqual([
      "❌ compliant",
      "⏳ production-window",
      "⏳ release-manager",
    ]);
    expect(lines[1]).toContain("was merged with release-policy neutral");
    expect(bodyOfDeployment(made, STATUS)).toMatchObject({
      state: "success",
      description:
        "approved for production (advisory; unmet: compliant, production-window, release-manager)",
    });

    // Redelivered: GitHub has its answer, nothing more is said.
    await app.receive("deployment_protection_rule", requested());
    expect(world.take().filter((r) => r.line === ANSWER || r.line === STATUS)).toEqual([]);
  });

  test("the same deployment under an enforcing policy is rejected", async () => {
    world = new World(policy("mode: enforce"));
    world.verdict = { status: "completed", conclusion: "neutral" };
    const app = await startApp(new MemoryStore(), { now: FRIDAY });
    await app.receive("deployment_protection_rule", requested());
    const made = world.take();
    const answer = bodyOfDeployment(made, ANSWER);
    expect(answer.state).toBe("rejected");
    expect(String(answer.comment).split("\n")[0]).toBe(
      "Release Policy rejected production: blocked by 3 of 3 gates.",
    );
  });
});
