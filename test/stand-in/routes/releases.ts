/** Releases: create, update, get (by id, by tag, latest) and list. */
import { resolveRef } from "../git-graph.js";
import {
  GitHubError,
  bodyObject,
  notFound,
  numberParam,
  ok,
  optionalString,
  paged,
  repoOf,
  type HandlerContext,
  type HandlerTable,
} from "../handler.js";
import type { ReleaseRecord, RepoRecord } from "../records.js";
import { release } from "../shapes.js";

const newestFirst = (a: ReleaseRecord, b: ReleaseRecord) =>
  b.createdAt.localeCompare(a.createdAt) || b.id - a.id;

function releaseOf(ctx: HandlerContext): { repo: RepoRecord; record: ReleaseRecord } {
  const repo = repoOf(ctx);
  const record = repo.releases.find((r) => r.id === numberParam(ctx, "release_id"));
  if (!record) throw notFound();
  return { repo, record };
}

function publish(ctx: HandlerContext, repo: RepoRecord, record: ReleaseRecord): void {
  record.draft = false;
  record.publishedAt ??= ctx.state.now();
  if (!repo.tags.has(record.tagName)) {
    const sha = resolveRef(repo, record.targetCommitish);
    if (sha)
      repo.tags.set(record.tagName, { name: record.tagName, commitSha: sha, annotated: null });
  }
}

export const releaseRoutes: HandlerTable = {
  "repos/create-release": (ctx) => {
    const repo = repoOf(ctx);
    const body = bodyObject(ctx);
    const tagName = String(body.tag_name);
    if (repo.releases.some((r) => r.tagName === tagName)) {
      throw new GitHubError(422, `Validation Failed: a release for tag ${tagName} already_exists`);
    }
    const record = ctx.state.createRelease(repo, {
      tagName,
      targetCommitish: optionalString(body.target_commitish),
      name: optionalString(body.name) ?? null,
      body: optionalString(body.body) ?? null,
      draft: body.draft === true,
      prerelease: body.prerelease === true,
      author: ctx.state.botLogin(),
    });
    return ok(release(ctx, repo, record), 201);
  },

  "repos/update-release": (ctx) => {
    const { repo, record } = releaseOf(ctx);
    const body = bodyObject(ctx);
    if (typeof body.tag_name === "string") record.tagName = body.tag_name;
    if (typeof body.target_commitish === "string") record.targetCommitish = body.target_commitish;
    if ("name" in body) record.name = optionalString(body.name) ?? null;
    if ("body" in body) record.body = optionalString(body.body) ?? null;
    if (typeof body.prerelease === "boolean") record.prerelease = body.prerelease;
    if (body.draft === false && record.draft) publish(ctx, repo, record);
    if (body.draft === true) record.draft = true;
    return ok(release(ctx, repo, record));
  },

  "repos/get-release": (ctx) => {
    const { repo, record } = releaseOf(ctx);
    return ok(release(ctx, repo, record));
  },

  "repos/list-releases": (ctx) => {
    const repo = repoOf(ctx);
    return paged(ctx, [...repo.releases].sort(newestFirst), (r) => release(ctx, repo, r));
  },

  "repos/get-release-by-tag": (ctx) => {
    const repo = repoOf(ctx);
    const record = repo.releases.find((r) => r.tagName === ctx.params.tag && !r.draft);
    if (!record) throw notFound();
    return ok(release(ctx, repo, record));
  },

  "repos/get-latest-release": (ctx) => {
    const repo = repoOf(ctx);
    const record = repo.releases.filter((r) => !r.draft && !r.prerelease).sort(newestFirst)[0];
    if (!record) throw notFound();
    return ok(release(ctx, repo, record));
  },
};
