import { applyEdit, parseBoxes, RESET_NOTE, type MayTick } from "../../src/checklist/edit.js";
import {
  emptyState,
  encodeState,
  itemId,
  withTick,
  type ChecklistItem,
  type ChecklistState,
} from "../../src/checklist/state.js";
import { renderChecklistComment } from "../../src/report/checklist-comment.js";

const KEY = "webhook-secret";
const NOW = new Date("2026-11-26T10:00:00.000Z");
const ROLLBACK = "Rollback plan documented";
const DESK = "Service desk briefed";
const items: ChecklistItem[] = [
  { text: ROLLBACK, gate: "readiness" },
  { text: DESK, gate: "readiness", by: { teams: ["acme/service-desk"] } },
];
const deskMembers = new Set(["sam"]);
const members: MayTick = (login, item) => (item.by === undefined ? true : deskMembers.has(login));

/** The app's comment for a state, and the same comment with one box flipped by a user. */
function render(state: ChecklistState = emptyState()): string {
  return renderChecklistComment(items, state, KEY);
}
function toggle(body: string, text: string): string {
  const marker = `<!-- item:${itemId(text)} -->`;
  return body
    .split("\n")
    .map((line) =>
      line.endsWith(marker)
        ? line.replace(/^- \[( |x)\]/, (_, mark: string) => (mark === " " ? "- [x]" : "- [ ]"))
        : line,
    )
    .join("\n");
}
function edit(
  previousBody: string,
  newBody: string,
  sender: string,
  mayTick: MayTick = members,
): ReturnType<typeof applyEdit> {
  return applyEdit({ previousBody, newBody, sender, now: NOW, items, key: KEY, mayTick });
}

describe("parseBoxes", () => {
  it("reads each box by its item id, not its position", () => {
    const body = [
      "- [x] a <!-- item:aaaaaaaaaa -->",
      "* [X] b <!-- item:bbbbbbbbbb -->  ",
      "  - [ ] c <!-- item:cccccccccc -->",
      "1. [x] d <!-- item:dddddddddd -->",
      "- [x] no marker",
      "- [x] a copy <!-- item:aaaaaaaaaa -->",
      "- [y] e <!-- item:eeeeeeeeee -->",
      "text [x] f <!-- item:ffffffffff -->",
    ].join("\r\n");
    expect([...parseBoxes(body).entries()]).toEqual([
      ["aaaaaaaaaa", true],
      ["bbbbbbbbbb", true],
      ["cccccccccc", false],
      ["dddddddddd", true],
    ]);
  });
});

describe("applyEdit", () => {
  it("records a tick by anyone on an unrestricted item", () => {
    const before = render();
    const result = edit(before, toggle(before, ROLLBACK), "alice");
    expect(result).toEqual({
      state: withTick(emptyState(), ROLLBACK, {
        checked: true,
        by: "alice",
        at: "2026-11-26T10:00:00.000Z",
      }),
      notes: [],
      changed: true,
    });
  });

  it("records an allowed tick on a restricted item", () => {
    const before = render();
    const result = edit(before, toggle(before, DESK), "sam");
    expect(result.state.ticks[DESK]).toEqual({ checked: true, by: "sam", at: NOW.toISOString() });
    expect(result.changed).toBe(true);
  });

  it("undoes an unauthorized tick and says why", () => {
    const before = render();
    const result = edit(before, toggle(before, DESK), "mallory");
    expect(result).toEqual({
      state: emptyState(),
      notes: [
        `@mallory's tick on "Service desk briefed" was undone: only members of @acme/service-desk can tick it.`,
      ],
      changed: false,
    });
    // Re-rendering from the returned state restores the empty box.
    const after = renderChecklistComment(items, result.state, KEY, result.notes);
    expect(parseBoxes(after).get(itemId(DESK))).toBe(false);
  });

  it("undoes an unauthorized untick, keeping the recorded tick", () => {
    const recorded = withTick(emptyState(), DESK, { checked: true, by: "sam", at: "earlier" });
    const before = render(recorded);
    const result = edit(before, toggle(before, DESK), "mallory");
    expect(result.state).toEqual(recorded);
    expect(result.notes).toEqual([
      `@mallory's untick of "Service desk briefed" was undone: only members of @acme/service-desk can untick it.`,
    ]);
    expect(result.changed).toBe(false);
  });

  it.each([
    { name: "says unknown", mayTick: (() => "unknown") satisfies MayTick },
    {
      name: "throws",
      mayTick: (() => {
        throw new Error("502 from GitHub");
      }) satisfies MayTick,
    },
  ])("fails closed when the membership check $name", ({ mayTick }) => {
    const before = render();
    const result = edit(before, toggle(before, DESK), "sam", mayTick);
    expect(result.state).toEqual(emptyState());
    expect(result.changed).toBe(false);
    expect(result.notes).toEqual([
      `@sam's tick on "Service desk briefed" was undone: only members of @acme/service-desk can tick it, and membership could not be checked just now. Please try again later.`,
    ]);
  });

  it("records an untick with who and when", () => {
    const recorded = withTick(emptyState(), ROLLBACK, { checked: true, by: "alice", at: "x" });
    const before = render(recorded);
    const result = edit(before, toggle(before, ROLLBACK), "bob");
    expect(result.state.ticks[ROLLBACK]).toEqual({
      checked: false,
      by: "bob",
      at: NOW.toISOString(),
    });
    expect(result.changed).toBe(true);
  });

  it("refuses ticks by bots", () => {
    const before = render();
    const result = edit(before, toggle(before, ROLLBACK), "dependabot[bot]", () => true);
    expect(result.state).toEqual(emptyState());
    expect(result.notes).toEqual([
      `@dependabot[bot]'s tick on "Rollback plan documented" was undone: bots cannot tick checklist items.`,
    ]);
  });

  it("ignores edits to the text and to the state block", () => {
    const before = render();
    const forgedState = encodeState(
      withTick(emptyState(), DESK, { checked: true, by: "sam", at: "x" }),
      "guessed-key",
    );
    const after = toggle(before, ROLLBACK)
      .replace("Rollback plan documented", "Rollback plan skipped, trust me")
      .replace(/<!-- release-policy:state [^>]*-->/, forgedState)
      .concat("\n- [x] A new item <!-- item:0123456789 -->");
    const result = edit(before, after, "alice");
    expect(result.state).toEqual(
      withTick(emptyState(), ROLLBACK, { checked: true, by: "alice", at: NOW.toISOString() }),
    );
    expect(result.notes).toEqual([]);
  });

  it("ignores a box that was deleted or added rather than toggled", () => {
    const before = render();
    const without = before
      .split("\n")
      .filter((line) => !line.includes(itemId(ROLLBACK)))
      .join("\n");
    expect(edit(before, without, "alice")).toEqual({
      state: emptyState(),
      notes: [],
      changed: false,
    });
    expect(edit(without, before, "alice").changed).toBe(false);
  });

  it("starts from nothing ticked when the previous state was tampered with", () => {
    const recorded = withTick(emptyState(), DESK, { checked: true, by: "sam", at: "x" });
    const before = render(recorded).replace(/ ([0-9a-f]{64}) -->/, ` ${"f".repeat(64)} -->`);
    const result = edit(before, toggle(before, ROLLBACK), "alice");
    expect(result.state).toEqual(
      withTick(emptyState(), ROLLBACK, { checked: true, by: "alice", at: NOW.toISOString() }),
    );
    expect(result.notes).toEqual([RESET_NOTE]);
  });

  it("records nothing when nothing was toggled", () => {
    const recorded = withTick(emptyState(), ROLLBACK, { checked: true, by: "alice", at: "x" });
    const before = render(recorded);
    expect(edit(before, before, "bob")).toEqual({ state: recorded, notes: [], changed: false });
  });

  it("handles several toggles in one edit, each on its own merits", () => {
    const before = render();
    const after = toggle(toggle(before, ROLLBACK), DESK);
    const result = edit(before, after, "mallory");
    expect(Object.keys(result.state.ticks)).toEqual([ROLLBACK]);
    expect(result.notes).toHaveLength(1);
    expect(result.changed).toBe(true);
  });

  it("needs every gate's permission for an item several gates share", () => {
    const shared: ChecklistItem[] = [
      { text: DESK, gate: "a", by: { teams: ["acme/service-desk"] } },
      { text: DESK, gate: "b", by: { users: ["carol"] } },
    ];
    const before = renderChecklistComment(shared, emptyState(), KEY);
    const asked: string[] = [];
    const result = applyEdit({
      previousBody: before,
      newBody: toggle(before, DESK),
      sender: "sam",
      now: NOW,
      items: shared,
      key: KEY,
      mayTick: (login, item) => {
        asked.push(item.gate);
        return item.by?.users?.includes(login) ?? deskMembers.has(login);
      },
    });
    expect(asked).toEqual(["a", "b"]);
    expect(result.state).toEqual(emptyState());
    expect(result.notes).toEqual([
      `@sam's tick on "Service desk briefed" was undone: only @carol can tick it.`,
    ]);
  });
});
