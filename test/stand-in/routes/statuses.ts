/** Commit statuses: create, the combined status of a ref, and the full list. */
import { resolveRef } from "../git-graph.js";
import {
  bodyObject,
  invalid,
  ok,
  optionalString,
  paginate,
  paged,
  repoOf,
  type HandlerContext,
  type HandlerTable,
} from "../handler.js";
import type { RepoRecord, StatusRecord, StatusState } from "../records.js";
import { repository, simpleStatus, status } from "../shapes.js";

const FULL_SHA = /^[0-9a-f]{40}$/;

function shaOf(repo: RepoRecord, ref: string): string {
  const sha = resolveRef(repo, ref) ?? (FULL_SHA.test(ref) ? ref : undefined);
  if (!sha) throw invalid(`No commit found for SHA: ${ref}`);
  return sha;
}

/** Newest first, as GitHub lists them. */
function statusesFor(repo: RepoRecord, sha: string): StatusRecord[] {
  return repo.statuses
    .filter((s) => s.sha === sha)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
}

function combinedState(latest: StatusRecord[]): StatusState {
  if (latest.some((s) => s.state === "error" || s.state === "failure")) return "failure";
  if (latest.length === 0 || latest.some((s) => s.state === "pending")) return "pending";
  return "success";
}

function combined(ctx: HandlerContext) {
  const repo = repoOf(ctx);
  const sha = shaOf(repo, ctx.params.ref ?? "");
  const latest = new Map<string, StatusRecord>();
  for (const s of statusesFor(repo, sha))
    if (!latest.has(s.context.toLowerCase())) latest.set(s.context.toLowerCase(), s);
  const all = [...latest.values()];
  const { page, headers } = paginate(ctx, all);
  const json = {
    state: combinedState(all),
    sha,
    total_count: all.length,
    statuses: page.map((s) => simpleStatus(ctx, repo, s)),
    repository: repository(ctx, repo),
    commit_url: `${ctx.urls.repoApi(repo)}/commits/${sha}`,
    url: `${ctx.urls.repoApi(repo)}/commits/${sha}/status`,
  };
  return { status: 200, json, headers };
}

export const statusRoutes: HandlerTable = {
  "repos/create-commit-status": (ctx) => {
    const repo = repoOf(ctx);
    const body = bodyObject(ctx);
    const record: StatusRecord = {
      id: ctx.state.nextId(),
      sha: shaOf(repo, ctx.params.sha ?? ""),
      state: body.state as StatusState,
      context: optionalString(body.context) ?? "default",
      description: optionalString(body.description) ?? null,
      targetUrl: optionalString(body.target_url) ?? null,
      creator: ctx.state.botLogin(),
      createdAt: ctx.state.now(),
    };
    repo.statuses.push(record);
    return ok(status(ctx, repo, record), 201);
  },

  "repos/get-combined-status-for-ref": combined,

  "repos/list-commit-statuses-for-ref": (ctx) => {
    const repo = repoOf(ctx);
    return paged(ctx, statusesFor(repo, shaOf(repo, ctx.params.ref ?? "")), (s) =>
      status(ctx, repo, s),
    );
  },
};
