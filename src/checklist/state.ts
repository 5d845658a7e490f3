// Who ticked which checklist item, kept inside the app's checklist comment as a signed,
// hidden block. Anyone who can edit the comment can rewrite that block, so it carries an
// HMAC: a block the app did not sign is worthless and reads as "nothing ticked".
import { createHash, createHmac } from "node:crypto";
import { signPayload, verifyPayload } from "../model/signature.js";
import type { ChecklistFacts } from "../facts/types.js";
import type { Principals } from "../model/principals.js";

export interface TickRecord {
  checked: boolean;
  /** Login of whoever set the box to `checked`. */
  by: string;
  /** ISO 8601. */
  at: string;
}

export interface ChecklistState {
  v: 1;
  /** By item text, as the policy writes it. */
  ticks: Record<string, TickRecord>;
}

/** One checklist item as a gate requires it. */
export interface ChecklistItem {
  text: string;
  /** Only these people's ticks count; absent: anyone but a bot. */
  by?: Principals;
  /** The gate that requires it. */
  gate: string;
}

/** Items with the same text share one box; every gate that asks for it is kept. */
export interface ItemGroup {
  id: string;
  text: string;
  occurrences: ChecklistItem[];
}

const STATE_BLOCK = /<!-- release-policy:state ([A-Za-z0-9_-]*) ([0-9a-f]{64}) -->/g;
// Domain separation: the key (the webhook secret) also signs webhooks; a signature made
// for this purpose must never be valid for another.
const SIGNING_CONTEXT = "release-policy:checklist-state:v1\n";
/** A comment holds at most 65,536 characters; anything longer did not come from us. */
const MAX_PAYLOAD_CHARS = 70_000;

export function emptyState(): ChecklistState {
  return { v: 1, ticks: {} };
}

/** A short, stable id for an item: boxes are matched by it, never by position. */
export function itemId(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 10);
}

/** Items grouped by text, in first-seen order. */
export function groupItems(items: readonly ChecklistItem[]): ItemGroup[] {
  const groups = new Map<string, ItemGroup>();
  for (const item of items) {
    const id = itemId(item.text);
    const group = groups.get(id);
    if (group === undefined) groups.set(id, { id, text: item.text, occurrences: [item] });
    else group.occurrences.push(item);
  }
  return [...groups.values()];
}

/** The tick recorded for an item, if any (own properties only: texts are user data). */
export function tickOf(state: ChecklistState, text: string): TickRecord | undefined {
  return Object.hasOwn(state.ticks, text) ? state.ticks[text] : undefined;
}

/** A copy of `state` with one item's tick replaced. */
export function withTick(state: ChecklistState, text: string, tick: TickRecord): ChecklistState {
  // fromEntries defines own properties, so even an item called "__proto__" stays data.
  return { v: 1, ticks: Object.fromEntries([...Object.entries(state.ticks), [text, tick]]) };
}

/**
 * A key for one comment's state, derived from the app's secret and a scope naming the pull
 * request (e.g. "<repository id>#<number>"): a state signed for one pull request is then
 * worthless on another.
 */
export function scopedKey(secret: string, scope: string): string {
  return createHmac("sha256", secret)
    .update(`release-policy:checklist-key\n${scope}`)
    .digest("hex");
}

/** The hidden, signed block that carries `state`: `<!-- release-policy:state … … -->`. */
export function encodeState(state: ChecklistState, key: string): string {
  if (key === "") throw new Error("A checklist state needs a non-empty signing key");
  const payload = Buffer.from(canonicalJson(state), "utf8").toString("base64url");
  return `<!-- release-policy:state ${payload} ${sign(payload, key)} -->`;
}

/**
 * The state in a comment body, or null when there is none, there is more than one, or it
 * does not carry a valid signature: callers treat null as nothing ticked.
 */
export function decodeState(body: string, key: string): ChecklistState | null {
  if (key === "") return null;
  const blocks = [...body.matchAll(STATE_BLOCK)];
  const block = blocks.length === 1 ? blocks[0] : undefined;
  const payload = block?.[1];
  const signature = block?.[2];
  if (payload === undefined || signature === undefined) return null;
  if (payload.length > MAX_PAYLOAD_CHARS || !verify(payload, signature, key)) return null;
  try {
    return parseState(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
  } catch {
    return null;
  }
}

function sign(payload: string, key: string): string {
  return signPayload(SIGNING_CONTEXT, payload, key);
}

function verify(payload: string, signature: string, key: string): boolean {
  return verifyPayload(SIGNING_CONTEXT, payload, signature, key);
}

/** Same state, same bytes: ticks sorted by text, fields in a fixed order. */
function canonicalJson(state: ChecklistState): string {
  const ticks = Object.entries(state.ticks)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([text, t]) => [text, { checked: t.checked, by: t.by, at: t.at }] as const);
  return JSON.stringify({ v: 1, ticks: Object.fromEntries(ticks) });
}

// Written by hand rather than with a schema library: item texts are arbitrary keys, and
// "__proto__" must survive as data instead of being dropped or touching a prototype.
function parseState(value: unknown): ChecklistState | null {
  if (!isObject(value) || value.v !== 1 || !isObject(value.ticks)) return null;
  const entries: [string, TickRecord][] = [];
  for (const [text, tick] of Object.entries(value.ticks)) {
    if (!isObject(tick)) return null;
    const { checked, by, at } = tick;
    if (typeof checked !== "boolean" || typeof by !== "string" || typeof at !== "string") {
      return null;
    }
    entries.push([text, { checked, by, at }]);
  }
  return { v: 1, ticks: Object.fromEntries(entries) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * What the evaluator needs from the checklist comment: the signed ticks, by item text. A
 * body without a valid state yields no ticks (fail closed). The state as judged from the
 * app's last write and the edits since (judgedChecklist in ledger.ts) may be passed instead
 * of the body's. The caller adds `commentId`.
 */
export function checklistFacts(body: string, key: string, state?: ChecklistState): ChecklistFacts {
  const trusted = state ?? decodeState(body, key) ?? emptyState();
  const ticks = Object.entries(trusted.ticks).map(
    ([text, t]) => [text, { checked: t.checked, by: t.by, at: t.at }] as const,
  );
  return { ticks: Object.fromEntries(ticks) };
}
