import type { Toggle } from "../../src/checklist/edit.js";
import {
  bodyDigest,
  encodeEdit,
  judgedChecklist,
  parseEdit,
  pendingEdits,
  type JudgedEdit,
} from "../../src/checklist/ledger.js";
import { emptyState, withTick, type ChecklistItem } from "../../src/checklist/state.js";
import { renderChecklistComment } from "../../src/report/checklist-comment.js";

const KEY = "webhook-secret";
const A = "Rollback plan documented";
const B = "Release notes drafted";
const items: ChecklistItem[] = [
  { text: A, gate: "readiness" },
  { text: B, gate: "readiness" },
];

const toggle = (text: string, checked: boolean, by: string, at: string): Toggle => ({
  text,
  checked,
  by,
  at,
});

function edit(delivery: string, edited: string, extra: Partial<JudgedEdit> = {}): JudgedEdit {
  return {
    delivery,
    comment: 1,
    body: bodyDigest(delivery),
    edited,
    toggles: [],
    notes: [],
    ...extra,
  };
}

const members = (...edits: JudgedEdit[]) => edits.map(encodeEdit);

describe("pending edits", () => {
  it("fold in GitHub's order of the saves, whatever order they were judged in", () => {
    const alice = edit("d1", "2026-11-26T10:00:00Z", {
      toggles: [toggle(A, true, "alice", "2026-11-26T10:00:02Z")],
    });
    const bob = edit("d2", "2026-11-26T10:00:01Z", {
      toggles: [toggle(A, false, "bob", "2026-11-26T10:00:01Z")],
    });
    // bob's webhook was judged first, but alice saved first: bob's untick is the last word.
    const pending = pendingEdits(members(bob, alice));
    expect(pending.map((e) => e.delivery)).toEqual(["d1", "d2"]);
    const { state } = judgedChecklist({ pending, key: KEY, written: undefined });
    expect(state.ticks[A]).toMatchObject({ checked: false, by: "bob" });
  });

  it("keep the judged order for saves GitHub stamps alike", () => {
    const first = edit("d1", "2026-11-26T10:00:00Z");
    const second = edit("d2", "2026-11-26T10:00:00Z");
    expect(pendingEdits(members(second, first)).map((e) => e.delivery)).toEqual(["d2", "d1"]);
  });

  it("skip members that are not judged edits", () => {
    const good = edit("d1", "2026-11-26T10:00:00Z");
    expect(pendingEdits(["{", "null", '{"delivery":1}', ...members(good)])).toHaveLength(1);
    expect(parseEdit(encodeEdit(good))).toMatchObject({ delivery: "d1" });
  });
});

describe("judgedChecklist", () => {
  const written = renderChecklistComment(
    items,
    withTick(emptyState(), A, { checked: true, by: "alice", at: "2026-11-26T09:00:00Z" }),
    KEY,
  );

  it("applies every pending edit to the state the app last wrote", () => {
    const bob = edit("d1", "2026-11-26T10:00:00Z", {
      toggles: [toggle(B, true, "bob", "2026-11-26T10:00:00Z")],
    });
    const { state } = judgedChecklist({ written, pending: [bob], key: KEY });
    expect(state.ticks[A]).toMatchObject({ checked: true, by: "alice" });
    expect(state.ticks[B]).toMatchObject({ checked: true, by: "bob" });
  });

  it("takes an edit's own base only when the app has written nothing it remembers", () => {
    const base = withTick(emptyState(), B, { checked: true, by: "bob", at: "x" });
    const judged = edit("d1", "2026-11-26T10:00:00Z", { base });
    expect(judgedChecklist({ written, pending: [judged], key: KEY }).state.ticks[B]).toBe(
      undefined,
    );
    expect(judgedChecklist({ pending: [judged], key: KEY }).state.ticks[B]).toMatchObject({
      by: "bob",
    });
  });

  it("never trusts a found body over an edit's base: a pasted state block does not count", () => {
    const pasted = renderChecklistComment(
      items,
      withTick(emptyState(), B, { checked: true, by: "mallory", at: "x" }),
      KEY,
    );
    const judged = edit("d1", "2026-11-26T10:00:00Z", { base: emptyState() });
    const { state } = judgedChecklist({ found: pasted, pending: [judged], key: KEY });
    expect(state.ticks[B]).toBe(undefined);
  });

  it("keeps a note about an item until that item's box is set again", () => {
    const refused = { item: B, text: "@mallory's tick was undone" };
    const other = edit("d2", "2026-11-26T10:00:01Z", {
      toggles: [toggle(A, false, "alice", "2026-11-26T10:00:01Z")],
    });
    // Someone else's save: the note stays.
    expect(
      judgedChecklist({ written, notes: [refused], pending: [other], key: KEY }).notes,
    ).toEqual([refused]);
    // B's box set again: the note goes.
    const again = edit("d3", "2026-11-26T10:00:02Z", {
      toggles: [toggle(B, true, "bob", "2026-11-26T10:00:02Z")],
    });
    expect(
      judgedChecklist({ written, notes: [refused], pending: [again], key: KEY }).notes,
    ).toEqual([]);
    // No save since: the notes shown stay shown.
    expect(judgedChecklist({ written, notes: [refused], pending: [], key: KEY }).notes).toEqual([
      refused,
    ]);
  });

  it("drops a note about the whole checklist at the next save, and shows each note once", () => {
    const reset = { text: "every box was reset" };
    const refused = { item: B, text: "undone" };
    const one = edit("d1", "2026-11-26T10:00:00Z", { notes: [refused] });
    const two = edit("d2", "2026-11-26T10:00:01Z", { notes: [refused] });
    expect(
      judgedChecklist({ written, notes: [reset], pending: [one, two], key: KEY }).notes,
    ).toEqual([refused]);
  });
});
