// The app's checklist comment on a pull request: one box per item a gate requires, who
// ticked it and when, notes about ticks that were undone, and the signed state. The body
// is a pure function of its inputs, so a caller can skip a write that changes nothing.
import {
  encodeState,
  groupItems,
  tickOf,
  type ChecklistItem,
  type ChecklistState,
  type ItemGroup,
  type TickRecord,
} from "../checklist/state.js";
import { mentionPrincipals, principalHandles } from "../model/principals.js";
import { inline, inlineMentioning, mention, utcMinute } from "./markdown.js";

/** Finds the app's comment again among a pull request's comments. */
export const CHECKLIST_MARKER = "<!-- release-policy:checklist -->";

export function isChecklistComment(body: string): boolean {
  return body.includes(CHECKLIST_MARKER);
}

/** The hidden marker that ends each item's line and names its box. */
export function itemMarker(id: string): string {
  return `<!-- item:${id} -->`;
}

const INTRO =
  "Tick each item when it is done. Each tick is recorded with who made it and when; a tick by someone the policy does not allow is undone.";

/**
 * The whole comment body. Ticks of items no gate asks for any more are dropped from the
 * state, so an item that comes back later must be ticked again.
 */
export function renderChecklistComment(
  items: readonly ChecklistItem[],
  state: ChecklistState,
  key: string,
  notes: readonly string[] = [],
): string {
  const groups = groupItems(items);
  const kept = keepTicksOf(groups, state);
  const list =
    groups.length === 0
      ? ["No checklist items apply to this pull request."]
      : groups.map((g) => itemLine(g, tickOf(kept, g.text)));
  const noteLines =
    notes.length === 0 ? [] : ["", "**Notes**", "", ...notes.map((n) => `- ${inline(n)}`)];
  return [
    "### Release checklist",
    "",
    INTRO,
    "",
    ...list,
    ...noteLines,
    "",
    CHECKLIST_MARKER,
    encodeState(kept, key),
    "",
  ].join("\n");
}

function keepTicksOf(groups: readonly ItemGroup[], state: ChecklistState): ChecklistState {
  const ticks = groups.flatMap((g) => {
    const tick = tickOf(state, g.text);
    return tick === undefined ? [] : [[g.text, tick] as const];
  });
  return { ...state, ticks: Object.fromEntries(ticks) };
}

function itemLine(group: ItemGroup, tick: TickRecord | undefined): string {
  const checked = tick?.checked === true;
  const box = checked ? "- [x]" : "- [ ]";
  const hint = checked ? "" : restrictionHint(group);
  const who =
    tick === undefined
      ? ""
      : ` — ${checked ? "ticked" : "unticked"} by ${mention(tick.by)}, ${utcMinute(tick.at)}`;
  return `${box} ${inline(group.text)}${hint}${who} ${itemMarker(group.id)}`;
}

/** "(only @org/service-desk can tick this)", or nothing when anyone may tick the item. */
function restrictionHint(group: ItemGroup): string {
  const by = group.occurrences.flatMap((o) => (o.by === undefined ? [] : [o.by]));
  const restrictions = distinct(by.map(mentionPrincipals));
  // The people who may tick are mentioned on purpose: they are the ones asked to act.
  const asked = by.flatMap(principalHandles);
  if (restrictions.length === 0) return "";
  if (restrictions.length === 1) {
    return ` (only ${inlineMentioning(restrictions[0] ?? "", asked)} can tick this)`;
  }
  // Several gates ask for the same item with different people: each one's rule must hold.
  return ` (needs a tick from someone who is each of: ${inlineMentioning(restrictions.join("; "), asked)})`;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}
