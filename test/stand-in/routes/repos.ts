/** Repository metadata, file contents and collaborator permissions. */
import { filesAt } from "../git-graph.js";
import {
  notFound,
  ok,
  repoOf,
  type HandlerContext,
  type HandlerResult,
  type HandlerTable,
} from "../handler.js";
import type { FileRecord, Permission, RepoRecord } from "../records.js";
import { repository, user } from "../shapes.js";

/** `permission` keeps GitHub's legacy five-level vocabulary; `role_name` has the real role. */
const LEGACY_PERMISSION: Record<Permission, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};
const RANK: Permission[] = ["none", "read", "triage", "write", "maintain", "admin"];

/** Both `application/vnd.github.raw` and `.raw+json` (and the v3 spellings) ask for raw text. */
const wantsRaw = (accept: string) => /application\/vnd\.github(\.v3)?\.raw/.test(accept);

function contentLinks(
  ctx: HandlerContext,
  repo: RepoRecord,
  path: string,
  ref: string,
  sha: string,
  type: "file" | "dir",
) {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  const self = `${ctx.urls.repoApi(repo)}/contents/${encoded}?ref=${encodeURIComponent(ref)}`;
  const html = `${ctx.urls.repoWeb(repo)}/${type === "file" ? "blob" : "tree"}/${ref}/${encoded}`;
  const git = `${ctx.urls.repoApi(repo)}/git/${type === "file" ? "blobs" : "trees"}/${sha}`;
  return {
    url: self,
    html_url: html,
    git_url: git,
    download_url:
      type === "file" ? `${ctx.urls.web}/raw/${repo.owner}/${repo.name}/${ref}/${encoded}` : null,
    _links: { self, git, html },
  };
}

function fileShape(
  ctx: HandlerContext,
  repo: RepoRecord,
  path: string,
  ref: string,
  file: FileRecord,
) {
  const base64 = Buffer.from(file.text)
    .toString("base64")
    .replace(/(.{60})/g, "$1\n");
  return {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(file.text),
    name: path.split("/").pop() ?? path,
    path,
    content: base64,
    sha: file.sha,
    ...contentLinks(ctx, repo, path, ref, file.sha, "file"),
  };
}

function directoryListing(
  ctx: HandlerContext,
  repo: RepoRecord,
  dir: string,
  ref: string,
  files: Map<string, FileRecord>,
) {
  const prefix = dir === "" ? "" : `${dir}/`;
  const children = new Map<string, { type: "file" | "dir"; file?: FileRecord }>();
  for (const [path, file] of files) {
    if (!path.startsWith(prefix)) continue;
    const [head, ...rest] = path.slice(prefix.length).split("/");
    if (head) children.set(head, rest.length > 0 ? { type: "dir" } : { type: "file", file });
  }
  return [...children.entries()].map(([name, child]) => {
    const path = `${prefix}${name}`;
    const sha = child.file?.sha ?? Buffer.from(path).toString("hex").slice(0, 40).padEnd(40, "0");
    return {
      type: child.type,
      size: child.file ? Buffer.byteLength(child.file.text) : 0,
      name,
      path,
      sha,
      ...contentLinks(ctx, repo, path, ref, sha, child.type),
    };
  });
}

function getContent(ctx: HandlerContext): HandlerResult {
  const repo = repoOf(ctx);
  const ref = ctx.query.get("ref") ?? undefined;
  const files = filesAt(repo, ref);
  if (!files) throw notFound(`No commit found for the ref ${ref ?? repo.defaultBranch}`);
  const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const shownRef = ref ?? repo.defaultBranch;
  const file = files.get(path);
  if (file && wantsRaw(ctx.accept)) {
    return {
      status: 200,
      text: file.text,
      headers: { "content-type": "text/plain; charset=utf-8" },
    };
  }
  if (file) return ok(fileShape(ctx, repo, path, shownRef, file));
  const listing = directoryListing(ctx, repo, path, shownRef, files);
  if (listing.length === 0) throw notFound();
  return ok(listing);
}

export const repoRoutes: HandlerTable = {
  "repos/get": (ctx) => {
    const repo = repoOf(ctx);
    const shape = repository(ctx, repo);
    return ok({
      ...shape,
      permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
    });
  },

  "repos/get-content": getContent,

  "repos/get-collaborator-permission-level": (ctx) => {
    const repo = repoOf(ctx);
    const login = ctx.params.username ?? "";
    const known = ctx.state.findUser(login);
    if (!known) throw notFound(`${login} is not a user`);
    const role =
      repo.permissions.get(login.toLowerCase()) ??
      (login.toLowerCase() === repo.owner.toLowerCase() ? "admin" : "none");
    const at = RANK.indexOf(role);
    const permissions = {
      pull: at >= RANK.indexOf("read"),
      triage: at >= RANK.indexOf("triage"),
      push: at >= RANK.indexOf("write"),
      maintain: at >= RANK.indexOf("maintain"),
      admin: role === "admin",
    };
    return ok({
      permission: LEGACY_PERMISSION[role],
      role_name: role,
      user: { ...user(ctx, known.login), permissions, role_name: role },
    });
  },
};
