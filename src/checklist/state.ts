// Who ticked which checklist item, kept inside the app's checklist comment as a signed,
// hidden block. Anyone who can edit the comment can rewrite that block, so it carries an
// HMAC: a block the app did not sign is worthless and reads as "nothing ticked". The key is
// the pull request's (repository id and number) and the block names its comment and a
// version, so a signed block is worth something only where the app wrote it; whether it is
// the one the app wrote last is the app's record to say (written.ts).
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
  v: 2;
  /** The comment it was written to; 0 in a comment's first body (its id is not known yet). */
  comment: number;
  /** Moves forward with every write of the comment (see effects/checklist-comment.ts). */
  version: number;
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
const SIGNING_CONTEXT = "release-policy:checklist-state:v2\n";
/** A comment holds at most 65,536 characters; anything longer did not come from us. */
const MAX_PAYLOAD_CHARS = 70_000;

export function emptyState(): ChecklistState {
  return { v: 2, comment: 0, version: 0, ticks: {} };
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
  const ticks = Object.fromEntries([...Object.entries(state.ticks), [text, tick]]);
  return { ...state, ticks };
}

/**
 * A key for one comment's state, derived from the app's secret and a scope naming the pull
 * request by repository id and number (checklistScope): a state signed for one pull request
 * is then worthless on another, and a renamed or transferred repository keeps its ticks.
 */
export function scopedKey(secret: string, scope: string): string {
  return createHmac("sha256", secret)
    .update(`release-policy:checklist-key\n${scope}`)
    .digest("hex");
}

/** The scope of a pull request's (or release record's) key: never the repository's name. */
export function checklistScope(repositoryId: number, number: number): string {
  return `repository:${repositoryId}#${number}`;
}

/** The hidden, signed block that carries `state`: `<!-- release-policy:state … … -->`. */
export function encodeState(state: ChecklistState, key: string): string {
  if (key === "") throw new Error("A checklist state needs a non-empty signing key");
  const payload = Buffer.from(canonicalJson(state), "utf8").toString("base64url");
  return `<!-- release-policy:state ${payload} ${sign(payload, key)} -->`;
}

/**
 * The state in a comment body, or null when there is none, there is more than one, it does
 * not carry a valid signature, or (given `comment`) it was written to another comment:
 * callers treat null as nothing ticked. A comment's first body is written before GitHub
 * gives the comment an id (comment 0); like every state read back, it counts only as the
 * app's last write to that very comment (written.ts).
 */
export function decodeState(body: string, key: string, comment?: number): ChecklistState | null {
  if (key === "") return null;
  const block = blockOf(body);
  if (block === null || !verify(block.payload, block.signature, key)) return null;
  const state = readPayload(block.payload);
  if (state === null || comment === undefined) return state;
  return state.comment === comment || state.comment === 0 ? state : null;
}

/** A digest of the signed block's payload: names exactly one state the app wrote. */
export function payloadDigest(body: string): string | null {
  const block = blockOf(body);
  return block === null
    ? null
    : createHash("sha256").update(block.payload, "utf8").digest("hex").slice(0, 32);
}

/** The one state block of a body, unverified; null when there is none or more than one. */
function blockOf(body: string): { payload: string; signature: string } | null {
  const blocks = [...body.matchAll(STATE_BLOCK)];
  const block = blocks.length === 1 ? blocks[0] : undefined;
  const payload = block?.[1];
  const signature = block?.[2];
  if (payload === undefined || signature === undefined) return null;
  return payload.length > MAX_PAYLOAD_CHARS ? null : { payload, signature };
}

function readPayload(payload: string): ChecklistState | null {
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
  const { comment, version } = state;
  return JSON.stringify({ v: 2, comment, version, ticks: Object.fromEntries(ticks) });
}

// Written by hand rather than with a schema library: item texts are arbitrary keys, and
// "__proto__" must survive as data instead of being dropped or touching a prototype.
function parseState(value: unknown): ChecklistState | null {
  if (!isObject(value) || value.v !== 2 || !isObject(value.ticks)) return null;
  const { comment, version } = value;
  if (!isCount(comment) || !isCount(version)) return null;
  const entries: [string, TickRecord][] = [];
  for (const [text, tick] of Object.entries(value.ticks)) {
    if (!isObject(tick)) return null;
    const { checked, by, at } = tick;
    if (typeof checked !== "boolean" || typeof by !== "string" || typeof at !== "string") {
      return null;
    }
    entries.push([text, { checked, by, at }]);
  }
  return { v: 2, comment, version, ticks: Object.fromEntries(entries) };
}

/** A non-negative whole number: a comment id or a version. */
export function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
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
