import { createProbot, type Probot, type ProbotOctokit } from "probot";
import { privateKey, rawRequest, startWithProbot, tokenOctokit } from "./fixtures.js";
import type { StandIn } from "./server.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

let standIn: StandIn;
let probot: Probot;
let octokit: Octokit;

/** Header `{"alg":"RS256"}`, payload `{"iss":"1"}`: the shape of an app JWT. */
const JWT_SHAPED = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxIn0.c2ln";
const POLICY = "gates:\n  tests:\n    stage: pull_request\n    require: { checks: [build] }\n";

beforeAll(async () => {
  ({ standIn, probot } = await startWithProbot());
  const { state } = standIn;
  state.addRepo({ owner: "acme", repo: "shop", installationId: 42 });
  state.addRepo({ owner: "other", repo: "elsewhere", installationId: 77 });
  state.addFile("acme", "shop", "main", ".github/release-policy.yml", POLICY);
  state.addPullRequest("acme", "shop", { number: 7, title: "Add cart", author: "alice" });
  octokit = await probot.auth(42);
});

afterAll(() => standIn.close());

beforeEach(() => standIn.clearLogs());

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

describe("authentication as Probot does it", () => {
  it("trades the app JWT for an installation token and uses it", async () => {
    const fresh = await probot.auth(42);
    const { data } = await fresh.rest.pulls.get({ owner: "acme", repo: "shop", pull_number: 7 });
    expect(data.title).toBe("Add cart");
    expect(standIn.requests().map((r) => `${r.route} ${r.status}`)).toEqual([
      "POST /app/installations/{installation_id}/access_tokens 201",
      "GET /repos/{owner}/{repo}/pulls/{pull_number} 200",
    ]);
    expect(standIn.violations()).toEqual([]);
  });

  it("serves a Probot configured from the environment with GHE_HOST", async () => {
    const fromEnv = createProbot({
      env: {
        APP_ID: String(standIn.state.app.id),
        PRIVATE_KEY: privateKey(),
        WEBHOOK_SECRET: "secret",
        GHE_HOST: standIn.gheHost,
        GHE_PROTOCOL: "http",
        LOG_LEVEL: "fatal",
      },
    });
    const client = await fromEnv.auth(42);
    const { config } = await client.config.get({
      owner: "acme",
      repo: "shop",
      path: ".github/release-policy.yml",
    });
    expect(config).toHaveProperty("gates.tests.stage", "pull_request");
    expect(standIn.violations()).toEqual([]);
  });

  it("serves the app's own routes with the JWT", async () => {
    const app = await probot.auth();
    const { data } = await app.rest.apps.listInstallations();
    expect(data.map((i) => i.id).sort()).toEqual([42, 77]);
    const { data: found } = await app.rest.apps.getRepoInstallation({
      owner: "acme",
      repo: "shop",
    });
    expect(found.id).toBe(42);
    expect(standIn.violations()).toEqual([]);
  });

  it.each([
    ["no credentials", undefined, "/repos/acme/shop/pulls/7", 401, /Requires authentication/],
    [
      "a token it never issued",
      "token ghs_madeup",
      "/repos/acme/shop/pulls/7",
      401,
      /Bad credentials/,
    ],
    [
      "a JWT on an installation route",
      `bearer ${JWT_SHAPED}`,
      "/repos/acme/shop/pulls/7",
      401,
      /JSON web token cannot be used/,
    ],
    [
      "a token on an app route",
      "token ghs_madeup",
      "/app/installations",
      401,
      /needs "Bearer <app JWT>"/,
    ],
    ["a malformed JWT", "bearer not-a-jwt", "/app/installations", 401, /could not be decoded/],
  ])("refuses %s and records it", async (_name, authorization, url, status, reason) => {
    const response = await rawRequest(standIn, "GET", url, { authorization });
    expect(response.status).toBe(status);
    expect(response.json).toEqual(
      expect.objectContaining({ message: expect.stringMatching(reason) }),
    );
    expect(standIn.violations()).toEqual([
      expect.objectContaining({ method: "GET", path: url, reason: expect.stringMatching(reason) }),
    ]);
  });

  it("hides another installation's repository and records the attempt", async () => {
    expect(await statusOf(octokit.rest.repos.get({ owner: "other", repo: "elsewhere" }))).toBe(404);
    expect(standIn.violations()[0]?.reason).toMatch(/installation 42 cannot see other\/elsewhere/);
  });

  it("accepts a token minted directly for a test", async () => {
    const client = tokenOctokit(standIn, standIn.installationToken(77));
    const { data } = await client.rest.repos.get({ owner: "other", repo: "elsewhere" });
    expect(data.default_branch).toBe("main");
  });
});

describe("checking requests against GitHub's OpenAPI description", () => {
  it.each([
    [
      "an unknown route",
      "GET /repos/{owner}/{repo}/pullz",
      {},
      404,
      /no route in GitHub's REST API matches \/repos\/acme\/shop\/pullz/,
    ],
    [
      "a wrong method",
      "DELETE /repos/{owner}/{repo}/pulls/{pull_number}",
      { pull_number: 7 },
      404,
      /DELETE is not an operation of \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\} \(it has GET, PATCH\)/,
    ],
    [
      "a non-numeric path parameter",
      "GET /repos/{owner}/{repo}/pulls/{pull_number}",
      { pull_number: "seven" },
      422,
      /path parameter "pull_number" must be an integer/,
    ],
    [
      "a bad enum in the query",
      "GET /repos/{owner}/{repo}/pulls",
      { state: "merged" },
      422,
      /query parameter "state" must be one of/,
    ],
    [
      "an unknown query parameter",
      "GET /repos/{owner}/{repo}/pulls",
      { status: "open" },
      422,
      /unknown query parameter "status"/,
    ],
    [
      "a body missing a required property",
      "POST /repos/{owner}/{repo}/check-runs",
      { name: "release-policy" },
      422,
      /must have required property 'head_sha'/,
    ],
    [
      "a body with a wrong enum",
      "POST /repos/{owner}/{repo}/check-runs",
      { name: "x", head_sha: "a".repeat(40), conclusion: "passed" },
      422,
      /body\.conclusion must be equal to one of the allowed values/,
    ],
    [
      "a body with a misspelt property",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      { issue_number: 7, body: "hi", bdy: "x" },
      422,
      /unknown property "bdy"/,
    ],
  ])(
    "answers %s with an error and records a violation",
    async (_name, route, params, status, reason) => {
      expect(
        await statusOf(octokit.request(route, { owner: "acme", repo: "shop", ...params })),
      ).toBe(status);
      const violations = standIn.violations();
      expect(violations).toHaveLength(1);
      expect(violations[0]?.reason).toMatch(reason);
    },
  );

  it("keeps the offending body in the violation", async () => {
    // A plain string route: Octokit's types would (rightly) refuse this body.
    const route: string = "POST /repos/{owner}/{repo}/check-runs";
    await statusOf(octokit.request(route, { owner: "acme", repo: "shop", name: 3 }));
    expect(standIn.violations()[0]?.body).toEqual({ name: 3 });
  });

  it("answers a valid but unmodelled operation with 501 and lists it apart from violations", async () => {
    expect(await statusOf(octokit.rest.repos.listForks({ owner: "acme", repo: "shop" }))).toBe(501);
    expect(standIn.unmodelled()).toEqual([
      {
        method: "GET",
        path: "/repos/acme/shop/forks",
        route: "GET /repos/{owner}/{repo}/forks",
        operationId: "repos/list-forks",
      },
    ]);
    expect(await statusOf(octokit.graphql("{ viewer { login } }"))).toBe(501);
    expect(standIn.unmodelled()).toHaveLength(2);
    expect(standIn.violations()).toEqual([]);
  });

  it("does not count GitHub's ordinary 404 as a violation", async () => {
    expect(
      await statusOf(octokit.rest.pulls.get({ owner: "acme", repo: "shop", pull_number: 999 })),
    ).toBe(404);
    expect(standIn.violations()).toEqual([]);
  });
});

describe("file contents", () => {
  it("serves raw text as text/plain, which Probot's config plugin reads", async () => {
    const response = await octokit.rest.repos.getContent({
      owner: "acme",
      repo: "shop",
      path: ".github/release-policy.yml",
      mediaType: { format: "raw" },
    });
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(response.data).toBe(POLICY);
    const { config } = await octokit.config.get({
      owner: "acme",
      repo: "shop",
      path: ".github/release-policy.yml",
    });
    expect(config).toEqual({
      gates: { tests: { stage: "pull_request", require: { checks: ["build"] } } },
    });
  });

  it("honours application/vnd.github.raw+json too", async () => {
    const response = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: "acme",
      repo: "shop",
      path: ".github/release-policy.yml",
      headers: { accept: "application/vnd.github.raw+json" },
    });
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(response.data).toBe(POLICY);
  });

  it("answers JSON with base64 content and the blob sha, like GitHub", async () => {
    const { data } = await octokit.rest.repos.getContent({
      owner: "acme",
      repo: "shop",
      path: ".github/release-policy.yml",
      ref: "main",
    });
    if (Array.isArray(data) || data.type !== "file") throw new Error("expected a file");
    expect(Buffer.from(data.content, "base64").toString("utf8")).toBe(POLICY);
    expect(data.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(data.encoding).toBe("base64");
  });

  it("lists a directory and 404s a missing file or ref (without violations)", async () => {
    const { data } = await octokit.rest.repos.getContent({
      owner: "acme",
      repo: "shop",
      path: ".github",
    });
    expect(Array.isArray(data) && data.map((e) => e.name)).toEqual(["release-policy.yml"]);
    expect(
      await statusOf(
        octokit.rest.repos.getContent({ owner: "acme", repo: "shop", path: "nope.yml" }),
      ),
    ).toBe(404);
    expect(
      await statusOf(
        octokit.rest.repos.getContent({
          owner: "acme",
          repo: "shop",
          path: ".github/release-policy.yml",
          ref: "no-such-branch",
        }),
      ),
    ).toBe(404);
    expect(standIn.violations()).toEqual([]);
  });

  it("lets Probot's config plugin fall back to the org's .github repository", async () => {
    standIn.state.addRepo({ owner: "acme", repo: ".github" });
    standIn.state.addFile("acme", ".github", "main", ".github/release-policy.yml", "org: true\n");
    const missing = await octokit.config.get({
      owner: "acme",
      repo: "shop",
      path: ".github/missing.yml",
    });
    expect(missing.config).toEqual({});
    expect(missing.files.map((f) => `${f.owner}/${f.repo}`)).toEqual(["acme/shop", "acme/.github"]);
    const { config: orgConfig } = await octokit.config.get({
      owner: "acme",
      repo: "docs-site-not-there",
      path: ".github/release-policy.yml",
    });
    expect(orgConfig).toEqual({ org: true });
  });
});

describe("pagination, rate-limit headers, the request log and injected failures", () => {
  it("pages issue comments with a Link header and octokit.paginate follows it", async () => {
    for (let i = 1; i <= 45; i++)
      standIn.state.addComment("acme", "shop", 7, { user: "bob", body: `comment ${i}` });
    const first = await octokit.rest.issues.listComments({
      owner: "acme",
      repo: "shop",
      issue_number: 7,
      per_page: 20,
    });
    expect(first.data).toHaveLength(20);
    expect(first.headers.link).toMatch(/page=2>; rel="next".*page=3>; rel="last"/);
    standIn.clearLogs();
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: "acme",
      repo: "shop",
      issue_number: 7,
      per_page: 20,
    });
    expect(all.map((c) => c.body)).toEqual(
      Array.from({ length: 45 }, (_, i) => `comment ${i + 1}`),
    );
    expect(standIn.requestCounts()).toEqual({
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments": 3,
    });
  });

  it("sends rate-limit headers that count down per token", async () => {
    const a = await octokit.rest.repos.get({ owner: "acme", repo: "shop" });
    const b = await octokit.rest.repos.get({ owner: "acme", repo: "shop" });
    expect(a.headers["x-ratelimit-limit"]).toBe("5000");
    expect(Number(b.headers["x-ratelimit-remaining"])).toBe(
      Number(a.headers["x-ratelimit-remaining"]) - 1,
    );
    expect(b.headers["x-ratelimit-reset"]).toBeDefined();
  });

  it("fails the next call of a route on request, then recovers", async () => {
    standIn.failNext("GET /repos/{owner}/{repo}/pulls/{pull_number}", 502, { times: 2 });
    const get = () => octokit.rest.pulls.get({ owner: "acme", repo: "shop", pull_number: 7 });
    expect(await statusOf(get())).toBe(502);
    expect(await statusOf(get())).toBe(502);
    expect(await statusOf(get())).toBe(200);
    expect(standIn.requests().map((r) => r.status)).toEqual([502, 502, 200]);
    expect(standIn.violations()).toEqual([]);
  });
});
