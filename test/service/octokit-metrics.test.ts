// The Octokit plugin: one measurement per request, labelled by route template and status,
// timed by the injected stopwatch, and the rate limit GitHub reported, per installation.
import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { GitHubMetrics, GitHubRequest } from "../../src/service/metrics.js";
import { githubMetricsPlugin, routeOf } from "../../src/service/octokit-metrics.js";
import { RouteTemplates, routesOf } from "../../src/service/route-templates.js";

const API = "https://api.github.com";
const INSTALLATION = 77;
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

interface Seen {
  requests: GitHubRequest[];
  remaining: [string, number][];
}

/** A Probot whose Octokit carries the plugin, a stopwatch that advances 250 ms per reading. */
function probotWith(seen: Seen): Probot {
  const metrics: GitHubMetrics = {
    request: (request) => seen.requests.push(request),
    rateLimitRemaining: (installation, value) => seen.remaining.push([installation, value]),
  };
  let ms = 0;
  const stopwatch = () => (ms += 250);
  return new Probot({
    appId: 1,
    privateKey,
    secret: "s",
    Octokit: ProbotOctokit.plugin(githubMetricsPlugin(metrics, stopwatch)).defaults(
      (options: Record<string, unknown>) => ({
        ...options,
        retry: { enabled: false },
        throttle: { enabled: false },
      }),
    ),
    log: pino({ level: "silent" }),
  });
}

beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
});
afterAll(() => nock.restore());

const limit = (remaining: number) => ({ "x-ratelimit-remaining": String(remaining) });

test("an installation's requests: route template, status, time and rate limit", async () => {
  const seen: Seen = { requests: [], remaining: [] };
  const probot = probotWith(seen);
  nock(API)
    .post(`/app/installations/${INSTALLATION}/access_tokens`)
    .reply(201, { token: "ghs_x", expires_at: "2099-01-01T00:00:00Z" })
    .get("/repos/acme/shop/pulls/7")
    .reply(200, { number: 7 }, limit(4990))
    .get("/repos/acme/shop/pulls/8")
    .reply(404, { message: "Not Found" }, limit(4989));
  const octokit = await probot.auth(INSTALLATION);

  await octokit.rest.pulls.get({ owner: "acme", repo: "shop", pull_number: 7 });
  await expect(
    octokit.rest.pulls.get({ owner: "acme", repo: "shop", pull_number: 8 }),
  ).rejects.toMatchObject({ status: 404 });

  const route = "/repos/{owner}/{repo}/pulls/{pull_number}";
  // The first request waits for the installation token, which is measured too.
  expect(seen.requests).toEqual([
    {
      method: "POST",
      route: "/app/installations/{installation_id}/access_tokens",
      status: "201",
      seconds: 0.25,
    },
    { method: "GET", route, status: "200", seconds: 0.75 },
    { method: "GET", route, status: "404", seconds: 0.25 },
  ]);
  expect(seen.remaining).toEqual([
    [String(INSTALLATION), 4990],
    [String(INSTALLATION), 4989],
  ]);
});

test("the app's own (JWT) requests count under installation `app`", async () => {
  const seen: Seen = { requests: [], remaining: [] };
  const probot = probotWith(seen);
  nock(API).get("/app").reply(200, { id: 1 }, limit(4999));
  const octokit = await probot.auth();

  await octokit.rest.apps.getAuthenticated();

  expect(seen.requests).toEqual([{ method: "GET", route: "/app", status: "200", seconds: 0.25 }]);
  expect(seen.remaining).toEqual([["app", 4999]]);
});

test("a request that got no answer counts as status `error`, without a rate limit", async () => {
  const seen: Seen = { requests: [], remaining: [] };
  const probot = probotWith(seen);
  nock(API).get("/app").replyWithError("connection reset");
  const octokit = await probot.auth();

  await expect(octokit.rest.apps.getAuthenticated()).rejects.toThrow("connection reset");

  expect(seen.requests).toEqual([{ method: "GET", route: "/app", status: "error", seconds: 0.25 }]);
  expect(seen.remaining).toEqual([]);
});

test("paginated calls, expanded by Octokit, and their follow-up pages count under the template", async () => {
  const seen: Seen = { requests: [], remaining: [] };
  const probot = probotWith(seen);
  const sha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
  nock(API)
    .post(`/app/installations/${INSTALLATION}/access_tokens`)
    .reply(201, { token: "ghs_x", expires_at: "2099-01-01T00:00:00Z" })
    .get(`/repos/acme/shop/commits/${sha}/check-runs`)
    .query({ per_page: 1 })
    .reply(
      200,
      { total_count: 2, check_runs: [{ id: 1 }] },
      {
        link: `<${API}/repositories/1296269/commits/${sha}/check-runs?per_page=1&page=2>; rel="next"`,
      },
    )
    .get(`/repositories/1296269/commits/${sha}/check-runs`)
    .query({ per_page: 1, page: 2 })
    .reply(200, { total_count: 2, check_runs: [{ id: 2 }] });
  const octokit = await probot.auth(INSTALLATION);

  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    owner: "acme",
    repo: "shop",
    ref: sha,
    per_page: 1,
  });

  expect(runs).toHaveLength(2);
  expect(seen.requests.map((r) => `${r.method} ${r.route}`)).toEqual([
    "POST /app/installations/{installation_id}/access_tokens",
    "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
    "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
  ]);
});

describe("routeOf", () => {
  const templates = new RouteTemplates(routesOf(new ProbotOctokit().rest));
  test.each([
    ["GET", "/repos/{owner}/{repo}/check-runs", "/repos/{owner}/{repo}/check-runs"],
    ["GET", "/app", "/app"],
    [
      "GET",
      "/repos/{owner}/{repo}/pulls/{pull_number}?per_page=100",
      "/repos/{owner}/{repo}/pulls/{pull_number}",
    ],
    [
      "GET",
      "https://api.github.com/repos/acme/shop/pulls/7/reviews?per_page=100",
      "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    ],
    [
      "GET",
      "https://api.github.com/repos/acme/shop/pulls/comments",
      "/repos/{owner}/{repo}/pulls/comments",
    ],
    [
      "GET",
      "https://api.github.com/repositories/1296269/pulls/2/commits?page=2",
      "/repos/{owner}/{repo}/pulls/{pull_number}/commits",
    ],
    [
      "GET",
      "http://127.0.0.1:4000/api/v3/organizations/9/teams/eng/members?page=3",
      "/orgs/{org}/teams/{team_slug}/members",
    ],
    [
      "GET",
      "https://api.github.com/orgs/acme/teams/eng/members?per_page=100",
      "/orgs/{org}/teams/{team_slug}/members",
    ],
    [
      "POST",
      "https://api.github.com/repos/acme/shop/statuses/ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      "/repos/{owner}/{repo}/statuses/{sha}",
    ],
    [
      "GET",
      "https://ghe.example/api/v3/nothing/like/this/123/ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      "/nothing/like/this/{id}/{sha}",
    ],
  ])("%s %s is %s", (method, url, route) => {
    expect(routeOf(method, url, templates)).toBe(route);
  });
});
