/** What a route handler gets and gives, and the errors it may answer with. */
import type { ShapeContext, Urls } from "./shapes.js";
import type { StandInState } from "./state.js";
import type { RepoRecord } from "./records.js";

/** Who is calling: the app itself (JWT) or one of its installations (token). */
export type Caller = { kind: "app" } | { kind: "installation"; installationId: number };

export interface HandlerContext extends ShapeContext {
  state: StandInState;
  urls: Urls;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  accept: string;
  caller: Caller;
  /** The request URL, for pagination links. */
  url: URL;
}

export interface HandlerResult {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type Handler = (ctx: HandlerContext) => HandlerResult;
export type HandlerTable = Record<string, Handler>;

/**
 * An answer GitHub would give. `violation` marks answers that only a caller bug can
 * cause (a wrong token, a limit exceeded), so tests see them even if the app copes.
 */
export class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly violation = false,
  ) {
    super(message);
  }
}

export const notFound = (what = "Not Found"): GitHubError => new GitHubError(404, what);
export const invalid = (message: string): GitHubError => new GitHubError(422, message, true);

export const ok = (json: unknown, status = 200): HandlerResult => ({ status, json });
export const noContent = (): HandlerResult => ({ status: 204 });

/** The repository named in the path, if the calling installation may see it. */
export function repoOf(ctx: HandlerContext): RepoRecord {
  const owner = ctx.params.owner ?? "";
  const name = ctx.params.repo ?? "";
  const repo = ctx.state.repo(owner, name);
  if (!repo) throw notFound();
  if (ctx.caller.kind === "installation" && ctx.caller.installationId !== repo.installationId) {
    throw new GitHubError(
      404,
      `Not Found (installation ${ctx.caller.installationId} cannot see ${owner}/${name})`,
      true,
    );
  }
  return repo;
}

export function numberParam(ctx: HandlerContext, name: string): number {
  return Number(ctx.params[name]);
}

export function bodyObject(ctx: HandlerContext): Record<string, unknown> {
  const body = ctx.body;
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** `per_page` (default 30, at most 100) and `page`, with GitHub's `Link` header. */
export function paginate<T>(
  ctx: HandlerContext,
  items: T[],
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get("per_page") ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const url = new URL(ctx.url);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(n));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"), link(1, "first"));
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(", ") } : {},
  };
}

export function paged<T>(
  ctx: HandlerContext,
  items: T[],
  render: (item: T) => unknown,
): HandlerResult {
  const { page, headers } = paginate(ctx, items);
  return { status: 200, json: page.map(render), headers };
}
