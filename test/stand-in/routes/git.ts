/** Git data: refs, annotated tags, tags, commits and comparisons between refs. */
import { compare, history, resolveRef } from "../git-graph.js";
import {
  GitHubError,
  notFound,
  ok,
  paginate,
  paged,
  repoOf,
  type HandlerContext,
  type HandlerTable,
} from "../handler.js";
import type { CommitRecord, DiffFile, RepoRecord } from "../records.js";
import { commit, diffEntry, gitRef, gitTag, tag } from "../shapes.js";

/** Without paging parameters GitHub's compare returns at most 250 commits. */
const COMPARE_UNPAGED_LIMIT = 250;

function allRefs(ctx: HandlerContext, repo: RepoRecord) {
  const heads = [...repo.branches].map(([name, sha]) =>
    gitRef(ctx, repo, `refs/heads/${name}`, sha, "commit"),
  );
  const tags = [...repo.tags.values()].map((t) =>
    t.annotated
      ? gitRef(ctx, repo, `refs/tags/${t.name}`, t.annotated.sha, "tag")
      : gitRef(ctx, repo, `refs/tags/${t.name}`, t.commitSha, "commit"),
  );
  return [...heads, ...tags];
}

function commitAt(repo: RepoRecord, ref: string): CommitRecord {
  const sha = resolveRef(repo, ref);
  const found = sha ? repo.commits.get(sha) : undefined;
  if (!found) throw new GitHubError(422, `No commit found for SHA: ${ref}`);
  return found;
}

function changedFiles(commits: CommitRecord[]): DiffFile[] {
  const byName = new Map<string, DiffFile>();
  for (const c of commits) for (const f of c.files) byName.set(f.filename, f);
  return [...byName.values()];
}

function compareCommits(ctx: HandlerContext) {
  const repo = repoOf(ctx);
  const base = resolveRef(repo, ctx.params.base ?? "");
  const head = resolveRef(repo, ctx.params.head ?? "");
  if (!base || !head) throw notFound();
  const result = compare(repo, base, head);
  const paging = ctx.query.has("per_page") || ctx.query.has("page");
  const { page, headers } = paging
    ? paginate(ctx, result.commits)
    : { page: result.commits.slice(0, COMPARE_UNPAGED_LIMIT), headers: {} };
  const web = `${ctx.urls.repoWeb(repo)}/compare/${ctx.params.base ?? ""}...${ctx.params.head ?? ""}`;
  const baseCommit = repo.commits.get(base);
  const mergeBase = repo.commits.get(result.mergeBase);
  if (!baseCommit || !mergeBase) throw notFound();
  const json = {
    url: `${ctx.urls.repoApi(repo)}/compare/${ctx.params.base ?? ""}...${ctx.params.head ?? ""}`,
    html_url: web,
    permalink_url: `${ctx.urls.repoWeb(repo)}/compare/${base.slice(0, 7)}...${head.slice(0, 7)}`,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    base_commit: commit(ctx, repo, baseCommit, false),
    merge_base_commit: commit(ctx, repo, mergeBase, false),
    status: result.status,
    ahead_by: result.aheadBy,
    behind_by: result.behindBy,
    total_commits: result.aheadBy,
    commits: page.map((c) => commit(ctx, repo, c, false)),
    files: changedFiles(result.commits).map((f) => diffEntry(ctx, repo, f, head)),
  };
  return { status: 200, json, headers };
}

export const gitRoutes: HandlerTable = {
  "git/get-ref": (ctx) => {
    const repo = repoOf(ctx);
    const wanted = `refs/${ctx.params.ref ?? ""}`;
    const found = allRefs(ctx, repo).find((r) => r.ref === wanted);
    if (!found) throw notFound();
    return ok(found);
  },

  "git/list-matching-refs": (ctx) => {
    const repo = repoOf(ctx);
    const prefix = `refs/${ctx.params.ref ?? ""}`;
    return ok(allRefs(ctx, repo).filter((r) => String(r.ref).startsWith(prefix)));
  },

  "git/get-tag": (ctx) => {
    const repo = repoOf(ctx);
    const found = [...repo.tags.values()].find((t) => t.annotated?.sha === ctx.params.tag_sha);
    if (!found) throw notFound();
    return ok(gitTag(ctx, repo, found));
  },

  "repos/list-tags": (ctx) => {
    const repo = repoOf(ctx);
    return paged(ctx, [...repo.tags.values()].reverse(), (t) => tag(ctx, repo, t));
  },

  "repos/compare-commits": compareCommits,

  "repos/get-commit": (ctx) => {
    const repo = repoOf(ctx);
    return ok(commit(ctx, repo, commitAt(repo, ctx.params.ref ?? ""), true));
  },

  "repos/list-commits": (ctx) => {
    const repo = repoOf(ctx);
    const start = commitAt(repo, ctx.query.get("sha") ?? repo.defaultBranch);
    const path = ctx.query.get("path");
    const author = ctx.query.get("author")?.toLowerCase();
    const commits = history(repo, start.sha)
      .filter(
        (c) =>
          (!path || c.files.some((f) => f.filename === path)) &&
          (!author || c.author.toLowerCase() === author),
      )
      .sort((a, b) => b.date.localeCompare(a.date));
    return paged(ctx, commits, (c) => commit(ctx, repo, c, false));
  },

  "git/get-commit": (ctx) => {
    const repo = repoOf(ctx);
    const found = repo.commits.get(ctx.params.commit_sha ?? "");
    if (!found) throw notFound();
    const {
      commit: inner,
      sha,
      node_id,
      html_url,
      parents,
    } = commit(ctx, repo, found, false) as {
      commit: Record<string, unknown>;
      sha: string;
      node_id: string;
      html_url: string;
      parents: unknown[];
    };
    return ok({ ...inner, sha, node_id, html_url, parents });
  },
};
