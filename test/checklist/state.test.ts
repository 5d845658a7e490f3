import { createHmac } from "node:crypto";
import {
  checklistFacts,
  decodeState,
  emptyState,
  encodeState,
  groupItems,
  itemId,
  scopedKey,
  tickOf,
  withTick,
  type ChecklistState,
} from "../../src/checklist/state.js";

const KEY = "webhook-secret";
const state: ChecklistState = {
  v: 2,
  comment: 9001,
  version: 3,
  ticks: {
    "Rollback plan documented": { checked: true, by: "alice", at: "2026-11-26T10:00:00.000Z" },
    "Service desk briefed": { checked: false, by: "bob", at: "2026-11-26T11:00:00.000Z" },
  },
};

/** A block signed the way the app signs, around any JSON at all. */
function signedBlock(json: string): string {
  const payload = Buffer.from(json, "utf8").toString("base64url");
  const signature = createHmac("sha256", KEY)
    .update(`release-policy:checklist-state:v2\n${payload}`)
    .digest("hex");
  return `<!-- release-policy:state ${payload} ${signature} -->`;
}

/** Replaces the base64url payload of a state block, keeping its signature. */
function withPayload(block: string, json: string): string {
  const payload = Buffer.from(json, "utf8").toString("base64url");
  return block.replace(/state (\S+) /, `state ${payload} `);
}

describe("encodeState / decodeState", () => {
  it("round-trips a state inside a comment body", () => {
    expect(decodeState(signedBlock(JSON.stringify(state)), KEY)).toEqual(state);
    const body = `### Release checklist\n\n- [x] x\n${encodeState(state, KEY)}\n`;
    expect(decodeState(body, KEY)).toEqual(state);
  });

  it("encodes the same state to the same bytes whatever the key order", () => {
    const reordered: ChecklistState = {
      version: 3,
      comment: 9001,
      v: 2,
      ticks: {
        "Service desk briefed": { at: "2026-11-26T11:00:00.000Z", by: "bob", checked: false },
        "Rollback plan documented": { at: "2026-11-26T10:00:00.000Z", checked: true, by: "alice" },
      },
    };
    expect(encodeState(reordered, KEY)).toBe(encodeState(state, KEY));
  });

  it("is a hidden HTML comment that markdown cannot end early", () => {
    expect(encodeState(state, KEY)).toMatch(
      /^<!-- release-policy:state [A-Za-z0-9_-]+ [0-9a-f]{64} -->$/,
    );
  });

  it("keeps an item called __proto__ as data", () => {
    const odd = withTick(emptyState(), "__proto__", { checked: true, by: "a", at: "t" });
    const decoded = decodeState(encodeState(odd, KEY), KEY);
    expect(decoded && tickOf(decoded, "__proto__")).toEqual({ checked: true, by: "a", at: "t" });
    expect(decoded && Object.getPrototypeOf(decoded.ticks)).toBe(Object.prototype);
    expect(tickOf(emptyState(), "__proto__")).toBeUndefined();
  });

  const block = encodeState(state, KEY);
  const forged = JSON.stringify({
    v: 2,
    comment: 9001,
    version: 3,
    ticks: { "Service desk briefed": { checked: true, by: "mallory", at: "2026-11-26T12:00:00Z" } },
  });
  it.each([
    { name: "no state block", body: "just text" },
    { name: "a payload edited by hand", body: withPayload(block, forged) },
    { name: "a signature edited by hand", body: block.replace(/[0-9a-f]{64}/, "0".repeat(64)) },
    { name: "another key", body: encodeState(state, "another-secret") },
    { name: "two state blocks", body: `${block}\n${encodeState(emptyState(), KEY)}` },
    { name: "the same block twice", body: `${block}\n${block}` },
    { name: "signed JSON that is not a state", body: signedBlock('"ticks"') },
    { name: "signed JSON that is not JSON", body: signedBlock("{nope") },
    {
      name: "a signed state of another version",
      body: signedBlock('{"v":1,"comment":0,"version":0,"ticks":{}}'),
    },
    {
      name: "a signed state with a malformed tick",
      body: signedBlock(
        '{"v":2,"comment":0,"version":0,"ticks":{"x":{"checked":"yes","by":"a","at":"t"}}}',
      ),
    },
  ])("treats $name as no state", ({ body }) => {
    expect(decodeState(body, KEY)).toBeNull();
  });

  it("refuses an empty key both ways", () => {
    expect(() => encodeState(state, "")).toThrow(/key/);
    expect(decodeState(encodeState(state, KEY), "")).toBeNull();
  });
});

describe("scopedKey", () => {
  it("makes a state signed for one pull request worthless on another", () => {
    const one = scopedKey(KEY, "42#1");
    const two = scopedKey(KEY, "42#2");
    expect(one).not.toBe(two);
    expect(scopedKey(KEY, "42#1")).toBe(one);
    expect(decodeState(encodeState(state, one), two)).toBeNull();
    expect(decodeState(encodeState(state, one), one)).toEqual(state);
  });
});

describe("itemId and groupItems", () => {
  it("gives a stable 10-hex id from the text", () => {
    expect(itemId("Rollback plan documented")).toMatch(/^[0-9a-f]{10}$/);
    expect(itemId("Rollback plan documented")).toBe(itemId("Rollback plan documented"));
    expect(itemId("Rollback plan documented")).not.toBe(itemId("Service desk briefed"));
  });

  it("gives items with the same text one group, in first-seen order", () => {
    const groups = groupItems([
      { text: "B", gate: "g1" },
      { text: "A", gate: "g1" },
      { text: "B", gate: "g2", by: { users: ["x"] } },
    ]);
    expect(groups.map((g) => [g.text, g.occurrences.map((o) => o.gate)])).toEqual([
      ["B", ["g1", "g2"]],
      ["A", ["g1"]],
    ]);
  });
});

describe("checklistFacts", () => {
  it("maps the signed ticks by item text", () => {
    expect(checklistFacts(`text\n${encodeState(state, KEY)}`, KEY)).toEqual({
      ticks: {
        "Rollback plan documented": {
          checked: true,
          by: "alice",
          at: "2026-11-26T10:00:00.000Z",
        },
        "Service desk briefed": { checked: false, by: "bob", at: "2026-11-26T11:00:00.000Z" },
      },
    });
  });

  it("reads a tampered body as nothing ticked", () => {
    const forged = withPayload(encodeState(emptyState(), KEY), JSON.stringify(state));
    expect(checklistFacts(forged, KEY)).toEqual({ ticks: {} });
  });

  it("prefers a state just decided over the body's", () => {
    const decided = withTick(emptyState(), "X", { checked: true, by: "c", at: "t" });
    expect(checklistFacts(encodeState(state, KEY), KEY, decided)).toEqual({
      ticks: { X: { checked: true, by: "c", at: "t" } },
    });
  });
});
