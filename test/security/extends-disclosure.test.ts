// A pull request's copy of the policy cannot read other repositories' files through its
// check: a base the check may not show is refused unread, with the same words whether it
// exists, is private, or is no policy at all. Through the real app.
import nock from "nock";
import {
  api,
  bodyOf,
  cleanNock,
  contents,
  createHarness,
  CREATE_RUN,
  example,
  github,
  line,
  OWNER,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
  RUNS,
  type SeenRequest,
} from "../integration/harness.js";

const ORG_BASE_URL = `/repos/${OWNER}/.github/contents/.github%2Frelease-policy.yml`;
const FILES = `${REPO_PATH}/pulls/2/files?per_page=100`;
const SECRET_URL = `/repos/${OWNER}/infra/contents/deploy%2Fprod.yml`;
const SHARED_URL = `/repos/${OWNER}/policies/contents/.github%2Frelease-policy.yml`;

/** A private file of another repository: not a policy, and nobody's business. */
const SECRET_FILE = `token: s3cr3t-token-value
gates: s3cr3t-token-value
mode: s3cr3t-token-value
`;

const DEFAULT_POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;

/** The pull request's copy: it names the private file as its base. */
const PROBE = `_extends: infra:deploy/prod.yml
gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;

beforeEach(cleanNock);
afterAll(() => nock.restore());

/** GitHub's example pull request (a public repository), in an organization's repository. */
function opened(): Record<string, unknown> {
  const payload = example("pull_request", "opened");
  const repository = payload.repository as Record<string, unknown>;
  (repository.owner as Record<string, unknown>).type = "Organization";
  expect(repository.private).toBe(false);
  return payload;
}

/** The check run written for a pull request whose copy is `copy`, with the secret file as given. */
async function checkFor(
  copy: string,
  secret: { status: number; body: Record<string, unknown> },
): Promise<{ created: Record<string, unknown>; made: SeenRequest[] }> {
  const harness = await createHarness();
  const scope = github()
    .get(POLICY_URL)
    .reply(200, contents(DEFAULT_POLICY, "default-sha"))
    .get(ORG_BASE_URL)
    .reply(404, { message: "Not Found" })
    .get(RUNS)
    .reply(200, { total_count: 0, check_runs: [] })
    .get(POLICY_AT_HEAD)
    .reply(200, contents(copy, "edited-sha"))
    .get(FILES)
    .reply(200, [{ filename: ".github/release-policy.yml", status: "modified" }])
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id: 1 });
  // The app can read the private repository; whether it is asked to is the question.
  api().get(SECRET_URL).optionally().reply(secret.status, secret.body);
  const made = await harness.receive("pull_request", opened());
  expect(scope.pendingMocks()).toEqual([]);
  return { created: bodyOf(made, CREATE_RUN), made };
}

/** Everything a reader of the check sees. */
const shown = (created: Record<string, unknown>): string => JSON.stringify(created.output);

describe("a pull request whose policy copy extends another repository's private file", () => {
  test("gets a check that tells nothing of the file: not its content, keys, nor whether it exists", async () => {
    const existing = await checkFor(PROBE, { status: 200, body: contents(SECRET_FILE) });
    const missing = await checkFor(PROBE, { status: 404, body: { message: "Not Found" } });

    const text = shown(existing.created);
    expect(text).not.toContain("s3cr3t");
    expect(text).not.toContain("token");
    expect(text).not.toMatch(/unknown key|got "|does not exist|cannot read/);
    // The same check whether the file is there or not.
    expect(shown(existing.created)).toBe(shown(missing.created));
    // It is not even read.
    expect(existing.made.map(line)).not.toContain(`GET ${SECRET_URL}`);

    // The pull request is told why, on its own `_extends` line.
    expect(existing.created).toMatchObject({ conclusion: "failure" });
    const output = existing.created.output as { annotations: Record<string, unknown>[] };
    expect(output.annotations).toEqual([
      expect.objectContaining({
        path: ".github/release-policy.yml",
        start_line: 1,
        title: "_extends",
        message: expect.stringContaining(
          `${OWNER}/infra:deploy/prod.yml cannot be used as a base from a pull request:`,
        ),
      }),
    ]);
  });

  test("may still name a base its default branch's policy already reads, which is checked as before", async () => {
    const harness = await createHarness();
    const extending = `_extends: policies\n${DEFAULT_POLICY}`;
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(`_extends: policies\n`, "default-sha"))
      .get(ORG_BASE_URL)
      .reply(404, { message: "Not Found" })
      .get(SHARED_URL)
      .times(2) // for the default branch's policy, and again for the pull request's copy
      .reply(200, contents(DEFAULT_POLICY, "shared-sha"))
      .get(RUNS)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(POLICY_AT_HEAD)
      .reply(200, contents(extending, "edited-sha"))
      .get(FILES)
      .reply(200, [{ filename: ".github/release-policy.yml", status: "modified" }])
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 1 });

    const made = await harness.receive("pull_request", opened());

    expect(scope.pendingMocks()).toEqual([]);
    // The copy redefines the shared base's gate: reported, naming the base's line.
    const output = bodyOf(made, CREATE_RUN).output as { annotations: Record<string, unknown>[] };
    expect(output.annotations).toEqual([
      expect.objectContaining({
        start_line: 3,
        title: "gates.change-record",
        message: expect.stringContaining(`${OWNER}/policies:.github/release-policy.yml line 2`),
      }),
    ]);
  });
});
