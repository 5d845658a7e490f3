// What the app wrote last in a checklist comment: the comment, the version and a digest of
// the signed state. A person who can edit the comment can put back any state the app once
// signed there (an old body, a restored block); the signature alone cannot tell it from the
// latest. So a state read back from GitHub (a body the app found, or the body before a
// person's edit) is trusted only when it is exactly the one this record names. Without the
// record (the store was emptied) nothing read back is trusted: every box is reset, with a
// note, rather than an old tick restored.
import { decodeState, isCount, payloadDigest, type ChecklistState } from "./state.js";

export interface WrittenStamp {
  comment: number;
  version: number;
  /** payloadDigest of the body written. */
  digest: string;
}

/** The stamp of a body the app has just written to `comment`; null when it carries no state. */
export function stampOf(comment: number, body: string, key: string): WrittenStamp | null {
  const state = decodeState(body, key);
  const digest = payloadDigest(body);
  return state === null || digest === null ? null : { comment, version: state.version, digest };
}

/** The state of a body read back from GitHub, when it is the one the app wrote last. */
export function trustedState(
  body: string,
  key: string,
  comment: number,
  stamp: WrittenStamp | null | undefined,
): ChecklistState | null {
  if (!stamp || stamp.comment !== comment) return null;
  const state = decodeState(body, key, comment);
  if (state === null || state.version !== stamp.version) return null;
  return payloadDigest(body) === stamp.digest ? state : null;
}

/**
 * The state of a body read back from GitHub as the app may take it: the one it wrote last,
 * or one without any tick (which grants nothing, so it is kept as it is rather than
 * rewritten to the same empty list with a note). Null: nothing read back is trusted.
 */
export function stateReadBack(
  body: string,
  key: string,
  comment: number,
  stamp: WrittenStamp | null | undefined,
): ChecklistState | null {
  const shown = decodeState(body, key, comment);
  if (shown !== null && Object.keys(shown.ticks).length === 0) return shown;
  return trustedState(body, key, comment, stamp);
}

export function encodeStamp(stamp: WrittenStamp): string {
  return JSON.stringify(stamp);
}

/** A stamp as encodeStamp wrote it, or null: the store is trusted, its shape is checked. */
export function parseStamp(text: string | null): WrittenStamp | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<Record<keyof WrittenStamp, unknown>> | null;
    const { comment, version, digest } = value ?? {};
    return isCount(comment) && isCount(version) && typeof digest === "string"
      ? { comment, version, digest }
      : null;
  } catch {
    return null;
  }
}
