// An Octokit plugin that measures every request the app's GitHub clients make: method,
// route template, status and time, and the rate limit GitHub reports back. Added to
// ProbotOctokit, it sees app (JWT) and installation clients alike.
import type { ProbotOctokit } from "probot";
import type { GitHubMetrics } from "./metrics.js";
import { RouteTemplates, routesOf } from "./route-templates.js";

type OctokitPlugin = Parameters<typeof ProbotOctokit.plugin>[number];

/** Milliseconds from an arbitrary origin; `performance.now` in production. */
export type Stopwatch = () => number;

export function githubMetricsPlugin(
  metrics: GitHubMetrics,
  now: Stopwatch = () => performance.now(),
): OctokitPlugin {
  let templates: RouteTemplates | undefined;
  return (octokit, options) => {
    const installation = installationOf(options.auth);
    // The REST namespace of the first client (plugins before this one added it) gives the
    // templates: the same for every client.
    const rest = (octokit as { rest?: object }).rest;
    templates ??= new RouteTemplates(rest ? routesOf(rest) : []);
    const routes = templates;
    octokit.hook.wrap("request", async (request, endpoint) => {
      const started = now();
      const record = (status: string, headers: Headers | undefined): void => {
        metrics.request({
          method: endpoint.method,
          route: routeOf(endpoint.method, endpoint.url, routes),
          status,
          seconds: (now() - started) / 1000,
        });
        const remaining = Number(headers?.["x-ratelimit-remaining"] ?? Number.NaN);
        if (Number.isFinite(remaining)) metrics.rateLimitRemaining(installation, remaining);
      };
      try {
        const response = await request(endpoint);
        record(String(response.status), response.headers);
        return response;
      } catch (error) {
        // Octokit reports a request that got no answer as status 500 without a response.
        const response = responseOf(error);
        record(response ? String(response.status) : "error", response?.headers);
        throw error;
      }
    });
  };
}

type Headers = Record<string, string | number | undefined>;

function responseOf(error: unknown): { status: number; headers?: Headers } | undefined {
  if (typeof error !== "object" || error === null || !("response" in error)) return undefined;
  return (error as { response?: { status: number; headers?: Headers } }).response;
}

/** The installation a client acts for; `app` for the app's own (JWT) client. */
function installationOf(auth: unknown): string {
  if (typeof auth === "object" && auth !== null && "installationId" in auth) {
    const id = (auth as { installationId: unknown }).installationId;
    if (typeof id === "number" || typeof id === "string") return String(id);
  }
  return "app";
}

/**
 * A label with bounded values. Octokit passes the route template it was called with, kept as
 * it is. Paginated calls arrive expanded and map back to their template; follow-up pages
 * come by the URL of GitHub's Link header, which names a repository or organization by id
 * (`/repositories/123/…`) and is read as the `/repos/…` or `/orgs/…` route it stands for.
 * What matches no template keeps its shape, ids and commit shas replaced.
 */
export function routeOf(method: string, url: string, templates: RouteTemplates): string {
  if (url.includes("{")) return url.split("?")[0] ?? url;
  const path = (url.includes("://") ? new URL(url).pathname : (url.split("?")[0] ?? url))
    .replace(/^\/api\/v3(?=\/)/, "")
    .replace(/^\/repositories\/\d+(?=\/|$)/, "/repos/{owner}/{repo}")
    .replace(/^\/organizations\/\d+(?=\/|$)/, "/orgs/{org}");
  return templates.match(method, path) ?? path.split("/").map(placeholder).join("/");
}

function placeholder(segment: string): string {
  if (/^\d+$/.test(segment)) return "{id}";
  return /^[0-9a-f]{40}$/.test(segment) ? "{sha}" : segment;
}
