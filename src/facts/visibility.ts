// Who can read a repository, as GitHub says it: public (anyone), internal (every member of
// the enterprise), private (its collaborators). The release desk shows a repository only on
// a desk at least as closed as the repository itself (docs/desk.md).
import type { Visibility } from "./types.js";

const OPENNESS: Record<Visibility, number> = { public: 0, internal: 1, private: 2 };

/**
 * A repository's visibility from GitHub's record of it (a webhook's `repository`, the REST
 * answer): `visibility` where given, else `private`; undefined when it says neither.
 */
export function visibilityOf(repository: {
  visibility?: string | null;
  private?: boolean | null;
}): Visibility | undefined {
  const { visibility } = repository;
  if (visibility === "public" || visibility === "internal" || visibility === "private") {
    return visibility;
  }
  if (typeof repository.private === "boolean") return repository.private ? "private" : "public";
  return undefined;
}

/**
 * Whether everyone who can read a place of `audience` visibility can read a repository of
 * `repository` visibility. Unknown counts as private: a repository is shown only once it is
 * known to be readable.
 */
export function readableBy(repository: Visibility | undefined, audience: Visibility): boolean {
  return OPENNESS[repository ?? "private"] <= OPENNESS[audience];
}

/** Whether `next` is more closed than `known` (or `known` is not known). */
export function moreClosed(next: Visibility, known: Visibility | undefined): boolean {
  return known === undefined || OPENNESS[next] > OPENNESS[known];
}
