// An organization's required base policy through the real app: every repository of the
// organization is judged by it, whether it has a file of its own or not, and a repository
// cannot redefine what the base defines. The base costs one read per organization.
import nock from "nock";
import {
  api,
  bodyOf,
  cleanNock,
  contents,
  createHarness,
  CREATE_RUN,
  example,
  expectBudget,
  expectRequests,
  github,
  HEAD,
  line,
  OWN_RUNS,
  OWNER,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
  RUNS,
  TOKEN_REQUEST,
} from "./harness.js";

const ORG_BASE_URL = `/repos/${OWNER}/.github/contents/.github%2Frelease-policy.yml`;

/** The organization's base: a change record on every pull request, required of all. */
const REQUIRED_BASE = `required: true
gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;

/** A repository's own file that does not extend anything. */
const OWN_POLICY = `gates:
  release-notes-label:
    stage: pull_request
    require: { labels: { one_of: [release-notes] } }
`;

/** A repository's own file that tries to replace the base's gate with a weaker one. */
const WEAKER_POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: ".*" }
`;

beforeEach(cleanNock);
afterAll(() => nock.restore());

/** GitHub's example pull request, in a repository an organization owns. */
function opened(repo?: string): Record<string, unknown> {
  const payload = example("pull_request", "opened");
  const repository = payload.repository as Record<string, unknown>;
  (repository.owner as Record<string, unknown>).type = "Organization";
  if (repo) Object.assign(repository, { name: repo, full_name: `${OWNER}/${repo}` });
  return payload;
}

const gatesIn = (created: Record<string, unknown>): string[] =>
  [...(created.output as { summary: string }).summary.matchAll(/\*\*([\w.-]+)\*\*/g)].map(
    (m) => m[1] ?? "",
  );

describe("an organization's required base", () => {
  test("a repository without a file is judged by it, reading what it reads today", async () => {
    const harness = await createHarness();
    const scope = github()
      .get(POLICY_URL)
      .reply(404, { message: "Not Found" })
      .get(ORG_BASE_URL)
      .reply(200, contents(REQUIRED_BASE, "base-sha"))
      .get(RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(POLICY_AT_HEAD)
      .reply(404, { message: "Not Found" })
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const made = await harness.receive("pull_request", opened());

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 5, includes: [`GET ${ORG_BASE_URL}`] },
      writes: [CREATE_RUN],
    });
    const created = bodyOf(made, CREATE_RUN);
    expect(created).toMatchObject({ conclusion: "failure" });
    expect(gatesIn(created)).toEqual(["change-record"]);
  });

  test("a repository whose own file does not extend it is still bound: both files' gates apply", async () => {
    const harness = await createHarness();
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(OWN_POLICY))
      .get(ORG_BASE_URL)
      .reply(200, contents(REQUIRED_BASE, "base-sha"))
      .get(RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(POLICY_AT_HEAD)
      .reply(200, contents(OWN_POLICY))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const made = await harness.receive("pull_request", opened());

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 5, includes: [`GET ${ORG_BASE_URL}`] },
      writes: [CREATE_RUN],
    });
    const created = bodyOf(made, CREATE_RUN);
    expect(created).toMatchObject({ conclusion: "failure" });
    expect(gatesIn(created)).toEqual(["change-record", "release-notes-label"]);
  });

  test("a repository that redefines the base's gate gets an invalid-policy check naming its line", async () => {
    const harness = await createHarness();
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(WEAKER_POLICY))
      .get(ORG_BASE_URL)
      .reply(200, contents(REQUIRED_BASE, "base-sha"))
      .get(OWN_RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const made = await harness.receive("pull_request", opened());

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 4, includes: [`GET ${ORG_BASE_URL}`] },
      writes: [CREATE_RUN],
    });
    const created = bodyOf(made, CREATE_RUN);
    expect(created).toMatchObject({
      conclusion: "failure",
      output: { title: "Policy is invalid" },
    });
    const summary = (created.output as { summary: string }).summary;
    expect(summary).toContain(
      `${OWNER}/Hello-World:.github/release-policy.yml:2:3 · gates.change-record`,
    );
    expect(summary).toContain(
      `already defined by the base policy ${OWNER}/.github:.github/release-policy.yml line 3`,
    );
  });

  test("a pull request that edits its file to redefine the base's gate fails, annotated, without reading the base again", async () => {
    const harness = await createHarness();
    const FILES = `${REPO_PATH}/pulls/2/files?per_page=100`;
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(OWN_POLICY, "default-sha"))
      .get(ORG_BASE_URL)
      .reply(200, contents(REQUIRED_BASE, "base-sha"))
      .get(RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(POLICY_AT_HEAD)
      .reply(200, contents(WEAKER_POLICY, "edited-sha"))
      .get(FILES)
      .reply(200, [{ filename: ".github/release-policy.yml", status: "modified" }])
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const made = await harness.receive("pull_request", opened());

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, { reads: { atMost: 6 }, writes: [CREATE_RUN] });
    // The head's copy is judged against the base read for the default branch's file.
    expect(made.filter((r) => line(r) === `GET ${ORG_BASE_URL}`)).toHaveLength(1);
    const created = bodyOf(made, CREATE_RUN);
    expect(created).toMatchObject({ conclusion: "failure" });
    const output = created.output as { annotations: Record<string, unknown>[] };
    expect(output.annotations).toEqual([
      expect.objectContaining({
        path: ".github/release-policy.yml",
        start_line: 2,
        title: "gates.change-record",
        message: expect.stringContaining(`${OWNER}/.github:.github/release-policy.yml line 3`),
      }),
    ]);
  });
});

describe("an organization without the setting: what each repository reads", () => {
  const INVALID = "gates: []\n";

  test("its base is read once for the organization; each further repository reads only its own file", async () => {
    const harness = await createHarness();
    const other = `/repos/${OWNER}/Other`;
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(INVALID))
      .get(ORG_BASE_URL)
      .reply(200, contents("gates: {}\n", "base-sha")) // a base, not required
      .get(OWN_RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });
    const first = await harness.receive("pull_request", opened());
    // Exact lists: which files each repository reads is what this test is about.
    expectRequests(first, [
      TOKEN_REQUEST,
      `GET ${POLICY_URL}`,
      `GET ${ORG_BASE_URL}`,
      `GET ${OWN_RUNS}`,
      CREATE_RUN,
    ]);
    // Judged by its own file alone: the base is not required.
    const summary = (bodyOf(first, CREATE_RUN).output as { summary: string }).summary;
    expect(summary).toContain(`${OWNER}/Hello-World:.github/release-policy.yml:1:8 · gates`);
    expect(scope.pendingMocks()).toEqual([]);

    const otherScope = api()
      .get(`${other}/contents/.github%2Frelease-policy.yml`)
      .reply(200, contents(INVALID))
      .get(`${other}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${other}/check-runs`)
      .reply(201, { id: 2 });
    const second = await harness.receive("pull_request", opened("Other"));
    expect(otherScope.pendingMocks()).toEqual([]);
    // What a repository with its own file read before organizations could require a base.
    expectRequests(second, [
      `GET ${other}/contents/.github%2Frelease-policy.yml`,
      `GET ${other}/commits/${HEAD}/check-runs?check_name=release-policy&filter=latest&per_page=100`,
      `POST ${other}/check-runs`,
    ]);
  });
});
