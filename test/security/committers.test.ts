// Segregation of duties against committers: a commit whose author or committer has no linked
// GitHub account names nobody the app can exclude, and GitHub lists only a pull request's
// first 250 commits. Neither may let a committer's approval pass the gate unnoticed.
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

const POLICY = `gates:
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1, from: { users: [alice, bob] } } }
`;

const approval = (login: string) => ({
  id: login.length,
  user: { login, type: "User" },
  state: "APPROVED",
  commit_id: HEAD,
  submitted_at: "2026-11-26T09:00:00Z",
});

const person = (name: string, email: string) => ({ name, email, date: "2026-11-25T09:00:00Z" });

/** A commit as GitHub lists it; `login` null when its git identity is linked to no account. */
const commit = (
  sha: string,
  login: string | null,
  who = person("Octo Cat", "octo@example.com"),
) => ({
  sha,
  author: login ? { login } : null,
  committer: login ? { login: "web-flow" } : null,
  commit: { author: who, committer: who, message: "change" },
});

type Page = { body: object[]; next?: number };

/** Opens the pull request with these commit pages and reviews; resolves with the check run. */
async function open(pages: Page[], reviews: object[]): Promise<Record<string, unknown>> {
  const harness = await createHarness();
  let scope = github()
    .get(POLICY_URL)
    .reply(200, contents(POLICY))
    .get(REVIEWS)
    .reply(200, reviews)
    .get(RUNS)
    .reply(200, { total_count: 0, check_runs: [] })
    .get(POLICY_AT_HEAD)
    .reply(200, contents(POLICY));
  pages.forEach((page, index) => {
    const path = index === 0 ? COMMITS : `${COMMITS}&page=${index + 1}`;
    const link = `<https://api.github.com${COMMITS}&page=${page.next}>; rel="next"`;
    scope = scope.get(path).reply(200, page.body, page.next ? { Link: link } : {});
  });
  scope = scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
  const made = await harness.receive("pull_request", example("pull_request", "opened"));
  expect(scope.pendingMocks()).toEqual([]);
  expectBudget(made, { reads: { atMost: 5 + pages.length }, writes: [CREATE_RUN] });
  return bodyOf(made, CREATE_RUN);
}

const shown = (body: Record<string, unknown>): string => JSON.stringify(body.output);

describe("a commit whose git identity is linked to no GitHub account", () => {
  // bob wrote the head commit under an email no account is linked to, then approved.
  const COMMITS_WITH_UNLINKED = [
    {
      body: [
        commit("a".repeat(40), "Codertocat"),
        commit(HEAD, null, person("B", "b@home.example")),
      ],
    },
  ];

  test("its author's approval does not pass the gate alone, and the gate names the commit", async () => {
    const created = await open(COMMITS_WITH_UNLINKED, [approval("bob")]);

    expect(created).toMatchObject({ status: "in_progress" });
    expect(shown(created)).toContain("no linked GitHub account");
    expect(shown(created)).toContain("b@home.example");
    expect(shown(created)).toContain(HEAD.slice(0, 7));
    expect(shown(created)).toContain("link that email");
  });

  test("one more approval than required passes: the unlinked identity can be at most one approver", async () => {
    const created = await open(COMMITS_WITH_UNLINKED, [approval("bob"), approval("alice")]);

    expect(created).toMatchObject({ status: "completed", conclusion: "success" });
  });

  test("with every commit linked, one approval passes", async () => {
    const created = await open([{ body: [commit(HEAD, "Codertocat")] }], [approval("bob")]);

    expect(created).toMatchObject({ status: "completed", conclusion: "success" });
  });
});

describe("a pull request of 250 commits or more", () => {
  const commits = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) =>
      commit((from + i).toString(16).padStart(40, "0"), "Codertocat"),
    );

  test("fails with committers excluded, saying GitHub lists only 250 and how to fix it", async () => {
    // GitHub stops listing at 250, however many the pull request has.
    const pages = [
      { body: commits(0, 100), next: 2 },
      { body: commits(100, 100), next: 3 },
      { body: commits(200, 50) },
    ];

    const created = await open(pages, [approval("bob"), approval("alice")]);

    expect(created).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(shown(created)).toContain("GitHub lists only the first 250");
    expect(shown(created)).toContain("fewer than 250 commits");
  });

  test("249 commits are all read, and pass", async () => {
    const pages = [
      { body: commits(0, 100), next: 2 },
      { body: commits(100, 100), next: 3 },
      { body: commits(200, 49) },
    ];

    const created = await open(pages, [approval("bob")]);

    expect(created).toMatchObject({ status: "completed", conclusion: "success" });
  });
});
