// The judged edits of one checklist that the app has not written back yet. Each webhook's
// edit is judged on its own, from the toggles between the body before and after it that
// the event reports (edit.ts), and kept as one member of an ordered set in the store
// (effects/checklist-comment.ts). Adding a member is atomic in every backend, so edits
// judged at the same moment, in one process or in several instances sharing Redis, are all
// kept, where a read-modify-write of one remembered state would keep only the last writer's.
// The rewrite of the comment folds them, oldest first, onto the state the app last wrote.
import { createHash } from "node:crypto";
import { applyToggles, RESET_NOTE, type Note, type Toggle } from "./edit.js";
import { decodeState, emptyState, isCount, type ChecklistState, type TickRecord } from "./state.js";
import { stateReadBack, type WrittenStamp } from "./written.js";

export interface JudgedEdit {
  /** The webhook delivery it came from: a redelivery adds the same member again, not a new one. */
  delivery: string;
  comment: number;
  /** Digest of the body after the edit (bodyDigest): a body the app has judged. */
  body: string;
  /** When GitHub says the comment was edited (ISO 8601): edits fold in this order. */
  edited: string;
  toggles: Toggle[];
  notes: Note[];
  /**
   * Only when the app remembered no body of its own at the time (the memory expired): the
   * signed state of the body before the edit, as GitHub reported it, when it is the one the
   * app wrote last (written.ts); else null.
   */
  base?: ChecklistState | null;
}

/** A judged edit with the store member it was read from, so it can be removed once written. */
export interface PendingEdit extends JudgedEdit {
  member: string;
}

/** Line endings are GitHub's to normalise; the digest ignores them. */
export function bodyDigest(body: string): string {
  return createHash("sha256")
    .update(body.replace(/\r\n?/g, "\n"), "utf8")
    .digest("hex")
    .slice(0, 32);
}

export function encodeEdit(edit: JudgedEdit): string {
  return JSON.stringify(edit);
}

/** A member as written by encodeEdit, or null: the store is trusted, its shape is checked. */
export function parseEdit(member: string): PendingEdit | null {
  let value: unknown;
  try {
    value = JSON.parse(member);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const { delivery, comment, body, edited, toggles, notes, base } = value;
  if (
    typeof delivery !== "string" ||
    typeof comment !== "number" ||
    typeof body !== "string" ||
    typeof edited !== "string" ||
    !Array.isArray(toggles) ||
    !toggles.every(isToggle) ||
    !Array.isArray(notes) ||
    !notes.every(isNote)
  ) {
    return null;
  }
  const edit: PendingEdit = { member, delivery, comment, body, edited, toggles, notes };
  if (base === null) edit.base = null;
  else if (isState(base)) edit.base = base;
  return edit;
}

/** Members in the order they were judged, then by when GitHub says each edit was made. */
export function pendingEdits(members: readonly string[]): PendingEdit[] {
  const edits = members.flatMap((m) => parseEdit(m) ?? []);
  // A stable sort: edits GitHub stamps alike keep the order they were judged in.
  return edits
    .map((edit, index) => ({ edit, index, at: Date.parse(edit.edited) }))
    .sort((a, b) => (a.at === b.at || isNaN(a.at) || isNaN(b.at) ? a.index - b.index : a.at - b.at))
    .map(({ edit }) => edit);
}

export interface JudgedChecklist {
  /** The trusted state with every pending edit's toggles applied. */
  state: ChecklistState;
  /** The notes to show (see judgedChecklist). */
  notes: Note[];
}

/**
 * The checklist as judged so far. `written` is the body the app last wrote (its signed
 * state is the base); without one, the oldest pending edit's `base` stands in, else
 * `found`, the body as GitHub shows it, when `stamp` says it is the app's last write. Notes
 * belong to edits: the ones judged since the last write replace those shown before; with
 * none, the last ones stay.
 */
export function judgedChecklist(input: {
  /** The comment's id; absent when there is no comment yet. */
  id?: number | undefined;
  written?: string | undefined;
  found?: string | undefined;
  /** What the app wrote last in the comment (written.ts). */
  stamp?: WrittenStamp | null | undefined;
  notes?: readonly (Note | string)[] | undefined;
  pending: readonly JudgedEdit[];
  key: string;
}): JudgedChecklist {
  const { id, written, found, pending, key } = input;
  const stood = pending.find((edit) => edit.base !== undefined)?.base;
  const base =
    written !== undefined
      ? decodeState(written, key, id)
      : stood !== undefined
        ? stood
        : stateReadBack(found ?? "", key, id ?? 0, input.stamp);
  // A found body whose signed ticks the app cannot vouch for: they are reset, and people
  // are told why rather than finding their ticks gone.
  const unvouched =
    written === undefined &&
    stood === undefined &&
    base === null &&
    Object.keys(decodeState(found ?? "", key)?.ticks ?? {}).length > 0;
  const state = applyToggles(
    base ?? emptyState(),
    pending.flatMap((edit) => edit.toggles),
  );
  // A note about an item stays until that item's box is set again (by anyone, allowed or
  // not): people ticking other items at the same moment do not wipe it before it is read.
  // A note about the whole checklist lasts until the next edit.
  const touched = new Set(
    pending.flatMap((edit) => [
      ...edit.toggles.map((t) => t.text),
      ...edit.notes.flatMap((n) => n.item ?? []),
    ]),
  );
  const shown = (input.notes ?? []).map((n) => (typeof n === "string" ? { text: n } : n));
  const kept = shown.filter((n) =>
    n.item === undefined ? pending.length === 0 : !touched.has(n.item),
  );
  const reset = unvouched ? [{ text: RESET_NOTE }] : [];
  return {
    state,
    notes: distinct([...reset, ...kept, ...pending.flatMap((edit) => edit.notes)]),
  };
}

function distinct(notes: readonly Note[]): Note[] {
  const seen = new Set<string>();
  return notes.filter((n) => !seen.has(n.text) && Boolean(seen.add(n.text)));
}

function isNote(value: unknown): value is Note {
  return (
    isObject(value) &&
    typeof value.text === "string" &&
    (value.item === undefined || typeof value.item === "string")
  );
}

function isTick(value: unknown): value is TickRecord {
  return (
    isObject(value) &&
    typeof value.checked === "boolean" &&
    typeof value.by === "string" &&
    typeof value.at === "string"
  );
}

function isToggle(value: unknown): value is Toggle {
  return isTick(value) && typeof (value as { text?: unknown }).text === "string";
}

function isState(value: unknown): value is ChecklistState {
  return (
    isObject(value) &&
    value.v === 2 &&
    isCount(value.comment) &&
    isCount(value.version) &&
    isObject(value.ticks) &&
    Object.values(value.ticks).every(isTick)
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
