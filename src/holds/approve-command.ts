// The sign-off comment: `/approve <environment>` on a pull request that brought a held
// deployment's commit. The grammar is strict on purpose: a sign-off is an act, so only a
// comment that is nothing but the command counts. Quoting it (`> /approve production`),
// showing it in code, writing it inside a sentence or in another case never signs off.

/**
 * The whole comment, surrounding whitespace aside, is one line: `/approve`, in lower case,
 * then spaces or tabs, then the environment name (no spaces, backticks or quotes).
 */
const COMMAND = /^\/approve[ \t]+([^\s`'"]{1,255})$/;

/** The environment a comment signs off for, or null when the comment is not the command. */
export function parseApproveCommand(body: string | null | undefined): string | null {
  const match = COMMAND.exec((body ?? "").trim());
  return match?.[1] ?? null;
}
