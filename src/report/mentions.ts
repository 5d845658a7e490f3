// Text the app did not write (titles, tags, labels, branch and environment names, freeze
// reasons, checklist items, change records' fields) is shown as written but can neither
// mention nor notify anyone: an `@` that would start a GitHub mention and a `#` that would
// reference an issue get an invisible U+2060 WORD JOINER after them, which GitHub does not
// read as part of a mention or a reference (nor Slack as `@channel`). Only the handles the app names on purpose (the
// people a gate asks to act, logins from GitHub's own records) stay live.

/** Invisible, and not a character of any handle or issue number. */
export const WORD_JOINER = "\u2060";

// A GitHub mention: a login, or an organization and a team. The `@` is matched wherever it
// stands but after a letter, digit or underscore: GitHub reads text nodes, and markup can
// start one anywhere, but it never reads the `@` of an address (`b@home.example`) as one.
const MENTION = /(?<![A-Za-z0-9_])@([A-Za-z0-9-]+(?:\/[A-Za-z0-9_.-]+)?)/g;
// An issue reference, bare (`#12`) or across repositories (`owner/repo#12`), and `GH-12`.
const REFERENCE = /(#|\bGH-)(?=\d)/gi;
// Slack's `@channel`, `@here` and `@everyone` are caught by MENTION; its `<!channel>`,
// `<@U123>` and `<#C123>`, and Teams' `<at>` tag, by `unping` where `<` is not escaped.
const CHAT_TAG = /<(?=[!@#]|\/?at\b)/gi;

/** A handle as GitHub spells one: "alice", "dependabot[bot]" or "org/team". */
const HANDLE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?|[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+)$/;

export function isHandle(text: string): boolean {
  return HANDLE.test(text);
}

/** Handles compare case-insensitively, as GitHub's do. */
export function handleSet(handles: Iterable<string>): ReadonlySet<string> {
  return new Set([...handles].map((h) => h.toLowerCase()));
}

const NONE: ReadonlySet<string> = new Set();

/**
 * `text` with every mention made inert (GitHub's, and Slack's `@channel`), except mentions of
 * `keep` (lower-case handles, see `handleSet`). A sentence's full stop is not part of a handle.
 */
export function unmention(text: string, keep: ReadonlySet<string> = NONE): string {
  return text.replace(MENTION, (whole, handle: string) =>
    keep.has(handle.replace(/\.+$/, "").toLowerCase()) ? whole : `@${WORD_JOINER}${handle}`,
  );
}

/**
 * For chat text whose `<` is not escaped (a Slack header, a Teams card): `unmention`, and no
 * `<!channel>`, `<@U123>` or `<at>` tag either.
 */
export function unping(text: string): string {
  return unmention(text).replace(CHAT_TAG, `<${WORD_JOINER}`);
}

/**
 * `text` with every issue reference made inert: in an issue or a comment, "#12" or
 * "owner/repo#12" links and leaves a "mentioned this" note on the issue it names.
 */
export function unreference(text: string): string {
  return text.replace(REFERENCE, `$1${WORD_JOINER}`);
}

// A handle or an issue number cut short at the end of a clipped text.
const TRAILING_HANDLE = /(@|#|\bGH-)([A-Za-z0-9_./-]*)$/i;

/**
 * The first `max` characters of `text` with "…" when it is longer. A cut through a live
 * mention or reference ("@release-managers" → "@release-man…") would name someone else, so
 * the part left is made inert.
 */
export function clipText(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const kept = chars.slice(0, Math.max(0, max - 1)).join("");
  return `${kept.replace(TRAILING_HANDLE, `$1${WORD_JOINER}$2`)}…`;
}
