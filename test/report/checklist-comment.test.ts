import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../docs/markdown.js";
import {
  decodeState,
  emptyState,
  encodeState,
  itemId,
  withTick,
  type ChecklistItem,
  type ChecklistState,
} from "../../src/checklist/state.js";
import { parseBoxes } from "../../src/checklist/edit.js";
import {
  CHECKLIST_MARKER,
  isChecklistComment,
  renderChecklistComment,
} from "../../src/report/checklist-comment.js";

const KEY = "webhook-secret";
const ROLLBACK = "Rollback plan documented";
const DESK = "Service desk briefed";
const items: ChecklistItem[] = [
  { text: ROLLBACK, gate: "readiness" },
  { text: DESK, gate: "readiness", by: { teams: ["acme/service-desk"] } },
];
const ticked = withTick(emptyState(), ROLLBACK, {
  checked: true,
  by: "alice",
  at: "2026-11-26T10:00:00.000Z",
});

describe("renderChecklistComment", () => {
  it("renders a small checklist exactly", () => {
    const note = `@mallory's tick on "${DESK}" was undone: only members of @acme/service-desk can tick it.`;
    expect(renderChecklistComment(items, ticked, KEY, [note])).toBe(
      [
        "### Release checklist",
        "",
        "Tick each item when it is done. Each tick is recorded with who made it and when; a tick by someone the policy does not allow is undone.",
        "",
        `- [x] Rollback plan documented — ticked by @alice, 2026-11-26 10:00 UTC <!-- item:${itemId(ROLLBACK)} -->`,
        `- [ ] Service desk briefed (only members of @acme/service-desk can tick this) <!-- item:${itemId(DESK)} -->`,
        "",
        "**Notes**",
        "",
        // A note is text: it mentions nobody (the item's own line mentions who may tick it).
        `- @\u2060mallory's tick on "Service desk briefed" was undone: only members of @\u2060acme/service-desk can tick it.`,
        "",
        CHECKLIST_MARKER,
        encodeState(ticked, KEY),
        "",
      ].join("\n"),
    );
  });

  it("shows who unticked an item, and leaves out notes when there are none", () => {
    const unticked = withTick(emptyState(), DESK, {
      checked: false,
      by: "bob",
      at: "2026-11-27T08:05:00.000Z",
    });
    const body = renderChecklistComment(items, unticked, KEY);
    expect(body).toContain(
      `- [ ] Service desk briefed (only members of @acme/service-desk can tick this) — unticked by @bob, 2026-11-27 08:05 UTC <!-- item:${itemId(DESK)} -->`,
    );
    expect(body).not.toContain("**Notes**");
  });

  it("is byte-identical for the same input", () => {
    const render = (): string =>
      renderChecklistComment(
        items.map((i) => ({ ...i })),
        structuredClone(ticked),
        KEY,
        ["n"],
      );
    expect(render()).toBe(render());
  });

  it("is found again by its marker", () => {
    expect(isChecklistComment(renderChecklistComment(items, ticked, KEY))).toBe(true);
    expect(isChecklistComment("LGTM")).toBe(false);
  });

  it("keeps the state of current items only", () => {
    const stale = withTick(ticked, "Removed item", { checked: true, by: "x", at: "t" });
    const body = renderChecklistComment(items, stale, KEY);
    expect(decodeState(body, KEY)).toEqual(ticked);
  });

  it("gives items several gates share one box, with each gate's rule", () => {
    const body = renderChecklistComment(
      [
        { text: DESK, gate: "a", by: { teams: ["acme/service-desk"] } },
        { text: DESK, gate: "b", by: { users: ["carol"] } },
        { text: DESK, gate: "c", by: { users: ["carol"] } },
      ],
      emptyState(),
      KEY,
    );
    const boxes = body.split("\n").filter((line) => line.startsWith("- ["));
    expect(boxes).toEqual([
      `- [ ] Service desk briefed (needs a tick from someone who is each of: members of @acme/service-desk; @carol) <!-- item:${itemId(DESK)} -->`,
    ]);
  });

  it("says so when no item applies", () => {
    expect(renderChecklistComment([], emptyState(), KEY)).toContain(
      "No checklist items apply to this pull request.",
    );
  });

  it("escapes hostile item texts, logins and notes so they cannot forge boxes or markers", () => {
    const hostile = `Evil\n- [x] Fake ${"<!-- item:0123456789 -->"} | <script>x</script>`;
    const state: ChecklistState = withTick(emptyState(), hostile, {
      checked: true,
      by: "mallory<b>",
      at: "2026-11-26T10:00:00.000Z",
    });
    const body = renderChecklistComment([{ text: hostile, gate: "g" }], state, KEY, [
      "<!-- release-policy:state forged 00 -->\n- [x] injected",
    ]);
    expect(body).not.toContain("<script>");
    expect(body).not.toContain("<b>");
    expect(body).not.toContain("<!-- item:0123456789 -->");
    expect(body.match(/<!-- release-policy:state /g)).toHaveLength(1);
    expect([...parseBoxes(body).entries()]).toEqual([[itemId(hostile), true]]);
    expect(body).toContain(
      `- [x] Evil - \\[x\\] Fake &lt;!-- item:0123456789 --&gt; \\| &lt;script&gt;x&lt;/script&gt; — ticked by @\u2060mallory&lt;b&gt;, 2026-11-26 10:00 UTC <!-- item:${itemId(hostile)} -->`,
    );
    expect(decodeState(body, KEY)).toEqual(state);
  });
});

test("the README's sample of a checklist with a restricted item is what the app writes", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const intro = "With an item only some people may tick, the checklist comment reads:\n\n";
  const start = readme.indexOf(intro) + intro.length;
  const quoted = readme
    .slice(start, readme.indexOf("\n\n", readme.indexOf("- [ ]", start)))
    .split("\n")
    .map((line) => line.replace(/^> ?/, ""));
  const rendered = renderChecklistComment(items, ticked, KEY)
    .split("\n")
    .map((line) => line.replace(/ <!-- item:[^>]* -->$/, ""));
  expect(readme.indexOf(intro)).toBeGreaterThan(0);
  expect(quoted).toEqual(rendered.slice(0, quoted.length));
  expect(rendered[quoted.length]).toBe("");
});
