// Reviews by bot accounts: any app on the installation can approve a pull request, and a bot
// holding write permission would pass "anyone with write permission". A bot's approval counts
// only where the policy names that bot in from.users.
import nock from "nock";
import {
  bodyOf,
  cleanNock,
  contents,
  createHarness,
  example,
  expectBudget,
  github,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
  RUNS,
  HEAD,
  CREATE_RUN,
  COMMITS,
  REVIEWS,
} from "../integration/harness.js";

beforeEach(cleanNock);
afterAll(() => nock.restore());

const PERMISSION = /\/repos\/Codertocat\/Hello-World\/collaborators\/[^/]+\/permission/;

const approval = (login: string, type: "Bot" | "User") => ({
  id: 1,
  user: { login, type },
  state: "APPROVED",
  commit_id: HEAD,
  submitted_at: "2026-11-26T09:00:00Z",
});

const policy = (from: string) => `gates:
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1${from} } }
`;

/** Opens the pull request with one approval by `login`; resolves with the check run created. */
async function openApprovedBy(
  text: string,
  login: string,
  type: "Bot" | "User",
  permissionRead: boolean,
): Promise<Record<string, unknown>> {
  const harness = await createHarness();
  let scope = github()
    .get(POLICY_URL)
    .reply(200, contents(text))
    .get(REVIEWS)
    .reply(200, [approval(login, type)])
    .get(COMMITS)
    .reply(200, [{ sha: HEAD, author: { login: "Codertocat" }, committer: { login: "web-flow" } }])
    .get(RUNS)
    .reply(200, { total_count: 0, check_runs: [] })
    .get(POLICY_AT_HEAD)
    .reply(200, contents(text));
  if (permissionRead) {
    scope = scope.get(PERMISSION).reply(200, { permission: "write", role_name: "write" });
  }
  scope = scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
  const made = await harness.receive("pull_request", example("pull_request", "opened"));
  expect(scope.pendingMocks()).toEqual([]);
  expectBudget(made, { reads: { atMost: 7 }, writes: [CREATE_RUN] });
  return bodyOf(made, CREATE_RUN);
}

const text = (body: Record<string, unknown>): string =>
  (body.output as { text?: string }).text ?? "";

describe("a bot's approval", () => {
  test.each([
    ["an app's bot account", "deploy-helper[bot]", "Bot"],
    ["an account GitHub types as a bot", "build-robot", "Bot"],
  ] as const)(
    "by %s with write permission does not pass 'anyone with write permission'",
    async (_name, login, type) => {
      const created = await openApprovedBy(policy(""), login, type, true);

      expect(created).toMatchObject({ status: "in_progress" });
      expect(text(created)).toContain("is a bot account");
    },
  );

  test("does not count where from.users names someone else and a permission admits it", async () => {
    const created = await openApprovedBy(
      policy(", from: { users: [alice], permission: write }"),
      "deploy-helper[bot]",
      "Bot",
      true,
    );

    expect(created).toMatchObject({ status: "in_progress" });
    expect(text(created)).toContain("is a bot account");
  });

  test("counts where from.users names the bot", async () => {
    const created = await openApprovedBy(
      policy(', from: { users: ["deploy-helper[bot]"] }'),
      "deploy-helper[bot]",
      "Bot",
      false,
    );

    expect(created).toMatchObject({ status: "completed", conclusion: "success" });
  });

  test("a person's approval with the same permission still counts", async () => {
    const created = await openApprovedBy(policy(""), "alice", "User", true);

    expect(created).toMatchObject({ status: "completed", conclusion: "success" });
  });
});
