// Maps a request's expanded URL back to the REST route template it came from. Octokit passes
// templates to its request hook, except for paginated calls, which arrive expanded
// (`/repos/acme/shop/commits/<sha>/check-runs`): a metric label must not carry owners,
// repositories or commits. The templates are Octokit's own list of REST endpoints.

interface Compiled {
  template: string;
  pattern: RegExp;
  /** Literal segments: a literal beats a parameter (`pulls/comments` over `pulls/{n}`). */
  literals: number;
}

export interface Route {
  method: string;
  url: string;
}

export class RouteTemplates {
  readonly #byKey = new Map<string, Compiled[]>();

  constructor(routes: Iterable<Route>) {
    for (const { method, url } of routes) {
      const key = keyOf(method, url);
      const list = this.#byKey.get(key) ?? [];
      list.push(compile(url));
      this.#byKey.set(key, list);
    }
    for (const list of this.#byKey.values()) list.sort((a, b) => b.literals - a.literals);
  }

  /** The template `path` (no query, no API prefix) was expanded from, if any. */
  match(method: string, path: string): string | undefined {
    return this.#byKey.get(keyOf(method, path))?.find((c) => c.pattern.test(path))?.template;
  }
}

/** Every route of an Octokit client's `rest` namespace (built once; it is static). */
export function routesOf(rest: object): Route[] {
  const routes: Route[] = [];
  for (const scope of Object.values(rest) as object[]) {
    for (const method of Object.values(scope) as { endpoint?: { DEFAULTS?: Route } }[]) {
      const defaults = method.endpoint?.DEFAULTS;
      if (defaults) routes.push({ method: defaults.method, url: defaults.url });
    }
  }
  return routes;
}

/** Method and first path segment: narrows the search to a few dozen templates. */
function keyOf(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.split("/")[1] ?? ""}`;
}

function compile(template: string): Compiled {
  const segments = template.split("/");
  const source = segments
    .map((segment) =>
      segment.includes("{")
        ? segment
            .split(/\{[^}]+\}/)
            .map(escape)
            .join("[^/]+")
        : escape(segment),
    )
    .join("/");
  return {
    template,
    pattern: new RegExp(`^${source}$`),
    literals: segments.filter((segment) => !segment.includes("{")).length,
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
