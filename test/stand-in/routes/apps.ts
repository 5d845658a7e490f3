/** The app's own endpoints (JWT) and the installation lookups Probot makes. */
import {
  GitHubError,
  notFound,
  ok,
  paged,
  repoOf,
  type HandlerContext,
  type HandlerTable,
} from "../handler.js";
import { installation, integration, repository } from "../shapes.js";
import { hookDelivery } from "../webhooks.js";

function installationById(ctx: HandlerContext) {
  const found = ctx.state.installations.get(Number(ctx.params.installation_id));
  if (!found) throw notFound();
  return found;
}

function installationForAccount(ctx: HandlerContext, account: string | undefined) {
  const found = account === undefined ? undefined : ctx.state.installationFor(account);
  if (!found) throw notFound();
  return ok(installation(ctx, found));
}

export const appRoutes: HandlerTable = {
  "apps/get-authenticated": (ctx) =>
    ok({ ...integration(ctx, ctx.state.app), installations_count: ctx.state.installations.size }),

  "apps/list-installations": (ctx) =>
    paged(ctx, [...ctx.state.installations.values()], (i) => installation(ctx, i)),

  "apps/get-installation": (ctx) => ok(installation(ctx, installationById(ctx))),

  "apps/create-installation-access-token": (ctx) => {
    const found = installationById(ctx);
    const { token, expiresAt } = ctx.state.issueToken(found.id);
    return ok(
      {
        token,
        expires_at: expiresAt,
        permissions: {
          checks: "write",
          contents: "read",
          issues: "write",
          pull_requests: "read",
          deployments: "write",
        },
        repository_selection: "selected",
      },
      201,
    );
  },

  "apps/get-repo-installation": (ctx) => {
    const repo = repoOf(ctx);
    const found = ctx.state.installations.get(repo.installationId);
    if (!found) throw notFound();
    return ok(installation(ctx, found));
  },

  "apps/get-org-installation": (ctx) => installationForAccount(ctx, ctx.params.org),
  "apps/get-user-installation": (ctx) => installationForAccount(ctx, ctx.params.username),

  // Cursor-paginated, newest first; the cursor is opaque to callers, an offset here.
  "apps/list-webhook-deliveries": (ctx) => {
    const perPage = Math.min(100, Math.max(1, Number(ctx.query.get("per_page") ?? 30) || 30));
    const from = Number(/^v1_(\d+)$/.exec(ctx.query.get("cursor") ?? "")?.[1] ?? 0);
    const newestFirst = [...ctx.state.hooks.attempts].reverse();
    const page = newestFirst.slice(from, from + perPage);
    const headers: Record<string, string> = {};
    if (from + perPage < newestFirst.length) {
      const next = new URL(ctx.url);
      next.searchParams.set("per_page", String(perPage));
      next.searchParams.set("cursor", `v1_${from + perPage}`);
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    return { status: 200, json: page.map(hookDelivery), headers };
  },

  // GitHub accepts the request and delivers later: the re-send happens after the answer.
  "apps/redeliver-webhook-delivery": (ctx) => {
    if (!ctx.state.hooks.redeliver(Number(ctx.params.delivery_id))) throw notFound();
    return ok({}, 202);
  },

  "apps/list-repos-accessible-to-installation": (ctx) => {
    if (ctx.caller.kind !== "installation")
      throw new GitHubError(403, "Requires an installation token", true);
    const id = ctx.caller.installationId;
    const repos = [...ctx.state.repos.values()].filter((r) => r.installationId === id);
    const { json, headers } = paged(ctx, repos, (r) => repository(ctx, r));
    return {
      status: 200,
      json: { total_count: repos.length, repositories: json, repository_selection: "selected" },
      headers,
    };
  },
};
