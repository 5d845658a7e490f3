// Deciding what an edit of the checklist comment means. GitHub tells us the body before
// and after; the box toggles between them are the only input taken from the edit. The
// toggles are applied to a trusted state (the app's own record; see ledger.ts), and
// everything else a person changed (wording, the state block) is thrown away when the
// caller re-renders.
import type { Principals } from "../model/principals.js";
import { mentionPrincipals } from "../model/principals.js";
import {
  decodeState,
  emptyState,
  groupItems,
  withTick,
  type ChecklistItem,
  type ChecklistState,
  type ItemGroup,
} from "./state.js";

/** Whether `login` may tick `item`; "unknown" when membership could not be read. */
export type MayTick = (login: string, item: ChecklistItem) => boolean | "unknown";

export interface EditInput {
  /** The body before the edit (the webhook's `changes.body.from`): holds the trusted state. */
  previousBody: string;
  newBody: string;
  /** Login of whoever edited the comment. */
  sender: string;
  now: Date;
  items: readonly ChecklistItem[];
  key: string;
  mayTick: MayTick;
}

export interface EditResult {
  /** The state to render: the trusted one plus every toggle that was allowed. */
  state: ChecklistState;
  /** Plain-text explanations of toggles that were undone (and of a reset state). */
  notes: string[];
  /** True when a toggle was recorded: the gates should be evaluated again. */
  changed: boolean;
}

// A task list line ending with an item marker: "- [x] text … <!-- item:0123456789 -->".
const BOX_LINE = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s.*<!-- item:([0-9a-f]{10}) -->\s*$/;

/** Box states by item id. A line repeated by hand does not count twice: the first wins. */
export function parseBoxes(body: string): Map<string, boolean> {
  const boxes = new Map<string, boolean>();
  for (const line of body.split(/\r\n|\r|\n/)) {
    const match = BOX_LINE.exec(line);
    const mark = match?.[1];
    const id = match?.[2];
    if (mark !== undefined && id !== undefined && !boxes.has(id)) boxes.set(id, mark !== " ");
  }
  return boxes;
}

export const RESET_NOTE =
  "The checklist's record of ticks was missing or had been altered, so it could not be trusted and every box was reset. Please tick the items again.";

/** One box a person set, as the app recorded it: the item's text, its new value, who, when. */
export interface Toggle {
  text: string;
  checked: boolean;
  by: string;
  /** ISO 8601. */
  at: string;
}

/** A plain-text note in the comment; `item` names the item an undone toggle was of. */
export interface Note {
  item?: string;
  text: string;
}

export interface JudgedToggles {
  /** The toggles that were allowed, in the items' order. */
  toggles: Toggle[];
  /** Explanations of toggles that were undone. */
  notes: Note[];
}

/**
 * The box toggles between two bodies, each judged against who may toggle it. Only boxes
 * matter here: the state block either body carries is ignored, so a pasted one never
 * counts. Pure: `now` is given.
 */
export function judgeToggles(input: Omit<EditInput, "key">): JudgedToggles {
  const before = parseBoxes(input.previousBody);
  const after = parseBoxes(input.newBody);
  const toggles: Toggle[] = [];
  const notes: Note[] = [];
  for (const group of groupItems(input.items)) {
    const was = before.get(group.id);
    const is = after.get(group.id);
    // A box that appeared or vanished was not toggled; re-rendering restores it.
    if (was === undefined || is === undefined || was === is) continue;
    const verdict = judge(input.sender, group, input.mayTick);
    if (verdict.kind === "allowed") {
      toggles.push({
        text: group.text,
        checked: is,
        by: input.sender,
        at: input.now.toISOString(),
      });
    } else {
      notes.push({ item: group.text, text: refusalNote(input.sender, group.text, is, verdict) });
    }
  }
  return { toggles, notes };
}

/** The state with each toggle applied in turn: a later toggle of an item replaces an earlier. */
export function applyToggles(state: ChecklistState, toggles: readonly Toggle[]): ChecklistState {
  return toggles.reduce(
    (next, t) => withTick(next, t.text, { checked: t.checked, by: t.by, at: t.at }),
    state,
  );
}

/** Applies the box toggles of one edit to the trusted state. Pure: `now` is given. */
export function applyEdit(input: EditInput): EditResult {
  const trusted = decodeState(input.previousBody, input.key);
  const judged = judgeToggles(input);
  return {
    state: applyToggles(trusted ?? emptyState(), judged.toggles),
    notes: [...(trusted === null ? [RESET_NOTE] : []), ...judged.notes.map((note) => note.text)],
    changed: judged.toggles.length > 0,
  };
}

type Verdict =
  | { kind: "allowed" }
  | { kind: "bot" }
  | { kind: "denied"; by: Principals }
  | { kind: "unknown"; by: Principals };

export function isBot(login: string): boolean {
  return login.endsWith("[bot]");
}

/**
 * Whether the sender may toggle the box. When several gates ask for the same item, the
 * toggle must be allowed by every one of them.
 */
function judge(sender: string, group: ItemGroup, mayTick: MayTick): Verdict {
  if (isBot(sender) && group.occurrences.some((o) => o.by === undefined)) return { kind: "bot" };
  let unknown: Verdict | undefined;
  for (const item of group.occurrences) {
    if (item.by === undefined) continue;
    const answer = ask(mayTick, sender, item);
    if (answer === false) return { kind: "denied", by: item.by };
    if (answer === "unknown") unknown ??= { kind: "unknown", by: item.by };
  }
  return unknown ?? { kind: "allowed" };
}

/** A membership lookup that throws could not be read: that is "unknown", never a yes. */
function ask(mayTick: MayTick, sender: string, item: ChecklistItem): boolean | "unknown" {
  try {
    return mayTick(sender, item);
  } catch {
    return "unknown";
  }
}

function refusalNote(
  sender: string,
  text: string,
  checked: boolean,
  verdict: Exclude<Verdict, { kind: "allowed" }>,
): string {
  const action = checked ? `tick on "${text}"` : `untick of "${text}"`;
  const verb = checked ? "tick" : "untick";
  const undone = `@${sender}'s ${action} was undone`;
  switch (verdict.kind) {
    case "bot":
      return `${undone}: bots cannot ${verb} checklist items.`;
    case "denied":
      return `${undone}: only ${mentionPrincipals(verdict.by)} can ${verb} it.`;
    case "unknown":
      return `${undone}: only ${mentionPrincipals(verdict.by)} can ${verb} it, and membership could not be checked just now. Please try again later.`;
  }
}
