// Markdown helpers shared by every report. Anything a user wrote (titles, labels, logins,
// item texts, reasons quoting them) goes through `inline` before it reaches GitHub, so it
// can neither break a table row, inject HTML, close one of our hidden markers, nor mention
// or reference anyone (see mentions.ts). The app's own mentions go through `mention`.
import { handleSet, isHandle, unmention, unreference } from "./mentions.js";

/** GitHub's limit on a check run's summary and text, in bytes. */
export const GITHUB_TEXT_LIMIT = 65_535;

// Characters with inline meaning in GitHub Flavored Markdown. Escaping them with a
// backslash shows them literally; `#`, `+`, `-` only matter at a line start, which
// `inline` never produces because it joins lines.
const MARKDOWN_PUNCTUATION = /[\\`*_[\]~|]/g;
const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Plain text made safe for one line of markdown (a table cell, a list item): newlines
 * become spaces, control characters go, markdown punctuation is escaped, HTML is shown as
 * text, and no mention or issue reference in it is live.
 */
export function inline(text: string): string {
  return escapeInline(unreference(unmention(text)));
}

/**
 * `inline`, except that mentions of `handles` stay live: for the app's own sentences that
 * name on purpose the people a gate asks to act (a gate's `mentions`).
 */
export function inlineMentioning(text: string, handles: readonly string[] = []): string {
  return escapeInline(unreference(unmention(text, handleSet(handles))));
}

function escapeInline(text: string): string {
  return text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, " ")
    .replace(/\p{Cc}/gu, "")
    .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c] ?? c);
}

/** One table row; every cell must already be safe markdown (see `inline`). */
export function tableRow(cells: readonly string[]): string {
  return `| ${cells.map((c) => (c === "" ? " " : c)).join(" | ")} |`;
}

/** A whole table: a header, a separator, the rows. Cells must already be safe. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const separator = header.map(() => "---");
  return [tableRow(header), tableRow(separator), ...rows.map(tableRow)].join("\n");
}

/** Formats an ISO 8601 time as "2026-11-26 10:00 UTC" (stable: no locale, no zone). */
export function utcMinute(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return inline(iso);
  return `${time.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * "@alice": a live mention the app makes on purpose, of a login from GitHub's own records or
 * of a person the policy names. Anything that is not a whole handle (one cut short, one
 * with spaces) is shown without mentioning anyone.
 */
export function mention(login: string): string {
  return isHandle(login) ? `@${escapeInline(login)}` : inline(`@${login}`);
}

/**
 * A markdown link whose URL cannot end the link early. GitHub reads no issue reference in a
 * link's text, so "#12" stays as written; a mention in it is made inert all the same.
 */
export function link(label: string, url: string): string {
  const safeUrl = url.replace(/[\s()<>]/gu, percentEncode);
  return `[${escapeInline(unmention(label))}](${safeUrl})`;
}

function percentEncode(char: string): string {
  return [...Buffer.from(char, "utf8")]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`)
    .join("");
}

/**
 * Cuts `text` to at most `maxBytes` of UTF-8, note included. The cut falls on the last line
 * break that fits, so no table row, escape or entity is split; a single over-long line is
 * cut on a character boundary instead.
 */
export function truncateUtf8(text: string, maxBytes: number, note: string): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(note, "utf8");
  if (room <= 0) return cutAtCharBoundary(Buffer.from(note, "utf8"), maxBytes);
  const head = cutAtCharBoundary(bytes, room);
  const lastBreak = head.lastIndexOf("\n");
  return (lastBreak > 0 ? head.slice(0, lastBreak) : head) + note;
}

/** The longest prefix of `bytes` within `max` bytes that ends on a whole character. */
function cutAtCharBoundary(bytes: Buffer, max: number): string {
  let end = Math.min(max, bytes.length);
  // A UTF-8 continuation byte looks like 10xxxxxx: step back to the character's lead byte.
  while (end > 0 && end < bytes.length && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString("utf8");
}
