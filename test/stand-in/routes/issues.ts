/** Issues (and the issue side of pull requests), their comments and their labels. */
import {
  GitHubError,
  bodyObject,
  invalid,
  noContent,
  notFound,
  numberParam,
  ok,
  optionalString,
  paged,
  repoOf,
  type HandlerContext,
  type HandlerTable,
} from "../handler.js";
import type {
  CommentRecord,
  IssueRecord,
  LabelEventRecord,
  ReactionRecord,
  RepoRecord,
} from "../records.js";
import { comment, issue, label, user, type JsonObject } from "../shapes.js";

const MAX_BODY = 65536;
const REACTIONS = new Set(["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]);

/** An issue event of the kinds the stand-in keeps: a label put on or taken off. */
function labelEvent(ctx: HandlerContext, repo: RepoRecord, record: LabelEventRecord): JsonObject {
  const { name, color } = label(ctx, repo, record.label);
  return {
    id: record.id,
    node_id: Buffer.from(`LabeledEvent:${record.id}`).toString("base64"),
    url: `${ctx.urls.repoApi(repo)}/issues/events/${record.id}`,
    actor: user(ctx, record.actor),
    event: record.event,
    commit_id: null,
    commit_url: null,
    created_at: record.createdAt,
    label: { name, color },
    performed_via_github_app: null,
  };
}

function reaction(ctx: HandlerContext, record: ReactionRecord): JsonObject {
  return {
    id: record.id,
    node_id: Buffer.from(`Reaction:${record.id}`).toString("base64"),
    user: user(ctx, record.user),
    content: record.content,
    created_at: record.createdAt,
  };
}

function issueOf(ctx: HandlerContext): { repo: RepoRecord; record: IssueRecord } {
  const repo = repoOf(ctx);
  const record = repo.issues.get(numberParam(ctx, "issue_number"));
  if (!record) throw notFound();
  return { repo, record };
}

function commentOf(ctx: HandlerContext): { repo: RepoRecord; record: CommentRecord } {
  const repo = repoOf(ctx);
  const record = repo.comments.find((c) => c.id === numberParam(ctx, "comment_id"));
  if (!record) throw notFound();
  return { repo, record };
}

function checkBodyLength(body: string | undefined): void {
  if (body !== undefined && body.length > MAX_BODY) {
    throw invalid(`Validation Failed: body is too long (maximum is ${MAX_BODY} characters)`);
  }
}

/** Label arguments come as names or `{ name }` objects. */
function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item === "string") return [item];
    if (
      typeof item === "object" &&
      item !== null &&
      typeof (item as { name?: unknown }).name === "string"
    ) {
      return [(item as { name: string }).name];
    }
    return [];
  });
}

function touch(ctx: HandlerContext, record: IssueRecord): void {
  record.updatedAt = ctx.state.now();
}

function applyIssueUpdate(ctx: HandlerContext, repo: RepoRecord, record: IssueRecord): void {
  const body = bodyObject(ctx);
  if (body.title !== undefined) record.title = String(body.title);
  if ("body" in body) {
    checkBodyLength(optionalString(body.body));
    record.body = optionalString(body.body) ?? null;
  }
  if (body.state === "closed" && record.state === "open") {
    record.state = "closed";
    record.closedAt = ctx.state.now();
    record.stateReason = body.state_reason === "not_planned" ? "not_planned" : "completed";
  } else if (body.state === "open" && record.state === "closed") {
    record.state = "open";
    record.closedAt = null;
    record.stateReason = "reopened";
  }
  if (Array.isArray(body.labels)) {
    replaceLabels(ctx, repo, record, labelNames(body.labels));
  }
  if (Array.isArray(body.assignees)) record.assignees = body.assignees.map(String);
  touch(ctx, record);
}

function listIssues(ctx: HandlerContext) {
  const repo = repoOf(ctx);
  const state = ctx.query.get("state") ?? "open";
  const wanted = (ctx.query.get("labels") ?? "")
    .split(",")
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean);
  const creator = ctx.query.get("creator")?.toLowerCase();
  const since = ctx.query.get("since");
  const sortKey = ctx.query.get("sort") === "updated" ? "updatedAt" : "createdAt";
  const issues = [...repo.issues.values()].filter(
    (i) =>
      (state === "all" || i.state === state) &&
      wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)) &&
      (!creator || i.author.toLowerCase() === creator) &&
      (!since || i.updatedAt >= new Date(since).toISOString()),
  );
  issues.sort((a, b) => a[sortKey].localeCompare(b[sortKey]) || a.number - b.number);
  if ((ctx.query.get("direction") ?? "desc") === "desc") issues.reverse();
  return paged(ctx, issues, (i) => issue(ctx, repo, i));
}

/** Sets an issue's labels as GitHub does: an `unlabeled` event for each gone, `labeled` for each new. */
function replaceLabels(
  ctx: HandlerContext,
  repo: RepoRecord,
  record: IssueRecord,
  names: string[],
): void {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  for (const gone of record.labels.filter((l) => !wanted.has(l.toLowerCase()))) {
    ctx.state.detachLabel(record, gone);
  }
  names.forEach((name) => ctx.state.attachLabel(repo, record, name));
}

const labelRoutes: HandlerTable = {
  "issues/list-events": (ctx) => {
    const { repo, record } = issueOf(ctx);
    return paged(ctx, record.labelEvents, (e) => labelEvent(ctx, repo, e));
  },
  "issues/list-labels-on-issue": (ctx) => {
    const { repo, record } = issueOf(ctx);
    return paged(ctx, record.labels, (name) => label(ctx, repo, name));
  },
  "issues/add-labels": (ctx) => {
    const { repo, record } = issueOf(ctx);
    labelNames(bodyObject(ctx).labels).forEach((name) => ctx.state.attachLabel(repo, record, name));
    touch(ctx, record);
    return ok(record.labels.map((name) => label(ctx, repo, name)));
  },
  "issues/set-labels": (ctx) => {
    const { repo, record } = issueOf(ctx);
    replaceLabels(ctx, repo, record, labelNames(bodyObject(ctx).labels));
    touch(ctx, record);
    return ok(record.labels.map((name) => label(ctx, repo, name)));
  },
  "issues/remove-label": (ctx) => {
    const { repo, record } = issueOf(ctx);
    const name = (ctx.params.name ?? "").toLowerCase();
    if (!record.labels.some((l) => l.toLowerCase() === name))
      throw notFound("Label does not exist");
    ctx.state.detachLabel(record, name);
    touch(ctx, record);
    return ok(record.labels.map((l) => label(ctx, repo, l)));
  },
  "issues/list-labels-for-repo": (ctx) => {
    const repo = repoOf(ctx);
    return paged(ctx, [...repo.labels.values()], (l) => label(ctx, repo, l.name));
  },
  "issues/create-label": (ctx) => {
    const repo = repoOf(ctx);
    const body = bodyObject(ctx);
    const name = String(body.name);
    if (repo.labels.has(name.toLowerCase()))
      throw new GitHubError(422, "Validation Failed: label already_exists");
    const created = ctx.state.ensureLabel(repo, name);
    if (typeof body.color === "string") created.color = body.color.replace(/^#/, "");
    created.description = optionalString(body.description) ?? null;
    return ok(label(ctx, repo, name), 201);
  },
};

const commentRoutes: HandlerTable = {
  "issues/list-comments": (ctx) => {
    const { repo, record } = issueOf(ctx);
    const since = ctx.query.get("since");
    const comments = repo.comments.filter(
      (c) =>
        c.issueNumber === record.number && (!since || c.updatedAt >= new Date(since).toISOString()),
    );
    return paged(ctx, comments, (c) => comment(ctx, repo, c));
  },
  "issues/create-comment": (ctx) => {
    const { repo, record } = issueOf(ctx);
    const body = String(bodyObject(ctx).body);
    checkBodyLength(body);
    const created = ctx.state.createComment(repo, record.number, ctx.state.botLogin(), body);
    touch(ctx, record);
    return ok(comment(ctx, repo, created), 201);
  },
  "issues/get-comment": (ctx) => {
    const { repo, record } = commentOf(ctx);
    return ok(comment(ctx, repo, record));
  },
  "issues/update-comment": (ctx) => {
    const { repo, record } = commentOf(ctx);
    const body = String(bodyObject(ctx).body);
    checkBodyLength(body);
    record.body = body;
    record.updatedAt = ctx.state.now();
    (record.edits ??= []).push({ by: ctx.state.botLogin(), body });
    return ok(comment(ctx, repo, record));
  },
  // GitHub answers a reaction the user already gave with 200 and that reaction, not a second.
  "reactions/create-for-issue-comment": (ctx) => {
    const { record } = commentOf(ctx);
    const content = String(bodyObject(ctx).content);
    if (!REACTIONS.has(content))
      throw invalid(`Validation Failed: content ${content} is not a reaction`);
    const by = ctx.state.botLogin();
    record.reactions ??= [];
    const given = record.reactions.find((r) => r.user === by && r.content === content);
    if (given) return ok(reaction(ctx, given));
    const made = { id: ctx.state.nextId(), user: by, content, createdAt: ctx.state.now() };
    record.reactions.push(made);
    return ok(reaction(ctx, made), 201);
  },
  "issues/delete-comment": (ctx) => {
    const { repo, record } = commentOf(ctx);
    repo.comments.splice(repo.comments.indexOf(record), 1);
    return noContent();
  },
};

export const issueRoutes: HandlerTable = {
  "issues/create": (ctx) => {
    const repo = repoOf(ctx);
    const body = bodyObject(ctx);
    checkBodyLength(optionalString(body.body));
    const created = ctx.state.createIssueRecord(repo, {
      title: String(body.title),
      body: optionalString(body.body) ?? null,
      author: ctx.state.botLogin(),
      labels: labelNames(body.labels),
      assignees: Array.isArray(body.assignees) ? body.assignees.map(String) : [],
    });
    return ok(issue(ctx, repo, created), 201);
  },
  "issues/update": (ctx) => {
    const { repo, record } = issueOf(ctx);
    applyIssueUpdate(ctx, repo, record);
    return ok(issue(ctx, repo, record));
  },
  "issues/get": (ctx) => {
    const { repo, record } = issueOf(ctx);
    return ok(issue(ctx, repo, record));
  },
  "issues/list-for-repo": listIssues,
  ...commentRoutes,
  ...labelRoutes,
};
