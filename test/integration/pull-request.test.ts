import nock from "nock";
import {
  APP_ID,
  cleanNock,
  contents,
  createHarness,
  example,
  github,
  POLICY_URL,
  REPO_PATH,
} from "./harness.js";

const POLICY = `
gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
  review:
    stage: pull_request
    require: { approvals: { count: 1, from: { users: [alice, bob] } } }
`;

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

beforeEach(cleanNock);
afterAll(() => nock.restore());

describe("pull_request.opened", () => {
  test("creates one failing check run that names each gate", async () => {
    const harness = await createHarness();
    let created: Record<string, unknown> = {};
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(`${REPO_PATH}/pulls/2/reviews`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(`${REPO_PATH}/pulls/2/commits`)
      .query({ per_page: 100 })
      .reply(200, [
        { sha: HEAD, author: { login: "Codertocat" }, committer: { login: "web-flow" } },
      ])
      .get(`${REPO_PATH}/commits/${HEAD}/check-runs`)
      .query({ filter: "latest", per_page: 100 })
      .reply(200, { total_count: 0, check_runs: [] })
      .get(POLICY_URL)
      .query({ ref: HEAD })
      .reply(200, contents(POLICY))
      .post(`${REPO_PATH}/check-runs`, (body) => {
        created = body;
        return true;
      })
      .reply(201, { id: 1 });

    await harness.receive("pull_request", example("pull_request", "opened"));

    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toMatchObject({
      name: "release-policy",
      head_sha: HEAD,
      status: "completed",
      conclusion: "failure",
      actions: [{ identifier: "reevaluate", label: "Re-evaluate" }],
    });
    const output = created.output as { title: string; summary: string };
    expect(output.title).toBe("Blocked: 1 gate fails");
    expect(output.summary).toContain("**change-record**");
    expect(output.summary).toContain("⏳ pending");
    void APP_ID;
  });
});
