/** Check runs: the app's own (created and updated) and those of CI (seeded). */
import { resolveRef } from "../git-graph.js";
import {
  GitHubError,
  bodyObject,
  invalid,
  notFound,
  numberParam,
  ok,
  optionalString,
  paginate,
  repoOf,
  type HandlerContext,
  type HandlerTable,
} from "../handler.js";
import type {
  AnnotationRecord,
  CheckConclusion,
  CheckRunRecord,
  CheckStatus,
  RepoRecord,
} from "../records.js";
import { checkRun } from "../shapes.js";

const FULL_SHA = /^[0-9a-f]{40}$/;

function runOf(ctx: HandlerContext): { repo: RepoRecord; run: CheckRunRecord } {
  const repo = repoOf(ctx);
  const run = repo.checkRuns.find((r) => r.id === numberParam(ctx, "check_run_id"));
  if (!run) throw notFound();
  return { repo, run };
}

/** Applies a create/update body; GitHub's rules beyond the schema are checked here. */
function applyRunBody(
  ctx: HandlerContext,
  run: CheckRunRecord,
  body: Record<string, unknown>,
): void {
  if (typeof body.name === "string") run.name = body.name;
  if (typeof body.details_url === "string") run.detailsUrl = body.details_url;
  if (typeof body.external_id === "string") run.externalId = body.external_id;
  if (typeof body.started_at === "string") run.startedAt = new Date(body.started_at).toISOString();
  if (typeof body.status === "string") run.status = body.status as CheckStatus;
  if (typeof body.conclusion === "string") {
    run.conclusion = body.conclusion as CheckConclusion;
    run.status = "completed";
  }
  if (run.status === "completed" && run.conclusion === null) {
    throw invalid("Validation Failed: conclusion is required when status is completed");
  }
  if (run.status === "completed") {
    run.completedAt =
      typeof body.completed_at === "string"
        ? new Date(body.completed_at).toISOString()
        : (run.completedAt ?? ctx.state.now());
  }
  const output = body.output as Record<string, unknown> | undefined;
  if (output) {
    run.output.title = optionalString(output.title) ?? run.output.title;
    run.output.summary = optionalString(output.summary) ?? run.output.summary;
    run.output.text = optionalString(output.text) ?? run.output.text;
    // Annotations accumulate across requests, as on GitHub.
    if (Array.isArray(output.annotations))
      run.output.annotations.push(...(output.annotations as AnnotationRecord[]));
  }
  if (Array.isArray(body.actions)) run.actions = body.actions as CheckRunRecord["actions"];
}

function latestPerName(runs: CheckRunRecord[]): CheckRunRecord[] {
  const latest = new Map<string, CheckRunRecord>();
  for (const run of runs) {
    const key = `${run.appId}\u0000${run.name}`;
    const seen = latest.get(key);
    if (!seen || seen.id < run.id) latest.set(key, run);
  }
  return [...latest.values()];
}

export const checkRoutes: HandlerTable = {
  "checks/create": (ctx) => {
    const repo = repoOf(ctx);
    const body = bodyObject(ctx);
    const headSha = String(body.head_sha);
    if (!FULL_SHA.test(headSha))
      throw invalid(
        `Validation Failed: head_sha must be a full 40-character sha, got "${headSha}"`,
      );
    const run: CheckRunRecord = {
      id: ctx.state.nextId(),
      name: String(body.name),
      headSha,
      status: "queued",
      conclusion: null,
      startedAt: ctx.state.now(),
      completedAt: null,
      externalId: null,
      detailsUrl: null,
      output: { title: null, summary: null, text: null, annotations: [] },
      actions: [],
      appId: ctx.state.app.id,
      checkSuiteId: ctx.state.nextId(),
    };
    applyRunBody(ctx, run, body);
    repo.checkRuns.push(run);
    return ok(checkRun(ctx, repo, run), 201);
  },

  "checks/update": (ctx) => {
    const { repo, run } = runOf(ctx);
    if (run.appId !== ctx.state.app.id) {
      throw new GitHubError(403, `Check run ${run.id} belongs to another app (${run.appId})`, true);
    }
    // Validate on a copy so a rejected update leaves the run as it was.
    const draft = structuredClone(run);
    applyRunBody(ctx, draft, bodyObject(ctx));
    Object.assign(run, draft);
    return ok(checkRun(ctx, repo, run));
  },

  "checks/get": (ctx) => {
    const { repo, run } = runOf(ctx);
    return ok(checkRun(ctx, repo, run));
  },

  "checks/list-annotations": (ctx) => {
    const { run } = runOf(ctx);
    const { page, headers } = paginate(ctx, run.output.annotations);
    return {
      status: 200,
      json: page.map((a) => ({
        ...a,
        blob_href: "",
        start_column: a.start_column ?? null,
        end_column: a.end_column ?? null,
        title: a.title ?? null,
        raw_details: a.raw_details ?? null,
      })),
      headers,
    };
  },

  "checks/list-for-ref": (ctx) => {
    const repo = repoOf(ctx);
    const ref = ctx.params.ref ?? "";
    const sha = resolveRef(repo, ref) ?? (FULL_SHA.test(ref) ? ref : undefined);
    if (!sha) throw invalid(`No commit found for SHA: ${ref}`);
    const name = ctx.query.get("check_name");
    const status = ctx.query.get("status");
    const appId = ctx.query.get("app_id");
    let runs = repo.checkRuns.filter(
      (r) =>
        r.headSha === sha &&
        (!name || r.name === name) &&
        (!status || r.status === status) &&
        (!appId || r.appId === Number(appId)),
    );
    if ((ctx.query.get("filter") ?? "latest") === "latest") runs = latestPerName(runs);
    runs.sort((a, b) => b.id - a.id);
    const { page, headers } = paginate(ctx, runs);
    return {
      status: 200,
      json: { total_count: runs.length, check_runs: page.map((r) => checkRun(ctx, repo, r)) },
      headers,
    };
  },
};
