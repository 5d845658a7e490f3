/** Pull requests: one, a list, their files, commits, reviews and requested reviewers. */
import {
  notFound,
  numberParam,
  ok,
  paged,
  repoOf,
  type HandlerContext,
  type HandlerTable,
} from "../handler.js";
import type { PullRecord, RepoRecord } from "../records.js";
import { commit, diffEntry, pullRequest, review, user } from "../shapes.js";

function pullOf(ctx: HandlerContext): { repo: RepoRecord; pull: PullRecord } {
  const repo = repoOf(ctx);
  const pull = repo.pulls.get(numberParam(ctx, "pull_number"));
  if (!pull) throw notFound();
  return { repo, pull };
}

function listPulls(ctx: HandlerContext) {
  const repo = repoOf(ctx);
  const state = ctx.query.get("state") ?? "open";
  const head = ctx.query.get("head");
  const base = ctx.query.get("base");
  const direction =
    ctx.query.get("direction") ??
    (ctx.query.get("sort") === "created" || !ctx.query.get("sort") ? "desc" : "asc");
  const byUpdated = ctx.query.get("sort") === "updated";
  const pulls = [...repo.pulls.values()].filter((pull) => {
    const issue = repo.issues.get(pull.number);
    if (!issue || (state !== "all" && issue.state !== state)) return false;
    if (base && pull.baseRef !== base) return false;
    // `head` is `owner:branch`; a bare branch matches nothing on GitHub either.
    if (head && `${repo.owner}:${pull.headRef}`.toLowerCase() !== head.toLowerCase()) return false;
    return true;
  });
  const stamp = (p: PullRecord) => {
    const issue = repo.issues.get(p.number);
    return (byUpdated ? issue?.updatedAt : issue?.createdAt) ?? "";
  };
  pulls.sort((a, b) => stamp(a).localeCompare(stamp(b)) || a.number - b.number);
  if (direction === "desc") pulls.reverse();
  return paged(ctx, pulls, (p) => pullRequest(ctx, repo, p, false));
}

export const pullRoutes: HandlerTable = {
  "pulls/get": (ctx) => {
    const { repo, pull } = pullOf(ctx);
    return ok(pullRequest(ctx, repo, pull, true));
  },

  "pulls/list": listPulls,

  "pulls/list-files": (ctx) => {
    const { repo, pull } = pullOf(ctx);
    return paged(ctx, pull.files, (f) => diffEntry(ctx, repo, f, pull.headSha));
  },

  "pulls/list-commits": (ctx) => {
    const { repo, pull } = pullOf(ctx);
    const commits = pull.commits.flatMap((sha) => repo.commits.get(sha) ?? []);
    return paged(ctx, commits, (c) => commit(ctx, repo, c, false));
  },

  "pulls/list-reviews": (ctx) => {
    const { repo, pull } = pullOf(ctx);
    const reviews = repo.reviews.filter((r) => r.pullNumber === pull.number);
    return paged(ctx, reviews, (r) => review(ctx, repo, r));
  },

  "pulls/list-requested-reviewers": (ctx) => {
    const { pull } = pullOf(ctx);
    return ok({ users: pull.requestedReviewers.map((login) => user(ctx, login)), teams: [] });
  },

  "repos/list-pull-requests-associated-with-commit": (ctx) => {
    const repo = repoOf(ctx);
    const sha = ctx.params.commit_sha ?? "";
    const pulls = [...repo.pulls.values()].filter(
      (p) => p.commits.includes(sha) || p.mergeCommitSha === sha || p.headSha === sha,
    );
    return paged(ctx, pulls, (p) => pullRequest(ctx, repo, p, false));
  },
};
