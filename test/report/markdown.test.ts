import { mentionPrincipals } from "../../src/model/principals.js";
import { inline, link, table, truncateUtf8, utcMinute } from "../../src/report/markdown.js";

describe("inline", () => {
  it.each([
    { input: "plain text", expected: "plain text" },
    { input: "a | b", expected: "a \\| b" },
    { input: "line one\nline two\r\nthree\rfour", expected: "line one line two three four" },
    { input: "<script>alert(1)</script>", expected: "&lt;script&gt;alert(1)&lt;/script&gt;" },
    { input: "R&D", expected: "R&amp;D" },
    { input: "end --> <!-- begin", expected: "end --&gt; &lt;!-- begin" },
    {
      input: "*bold* _em_ `code` ~strike~",
      expected: "\\*bold\\* \\_em\\_ \\`code\\` \\~strike\\~",
    },
    {
      input: "[x] [link](https://example.com)",
      expected: "\\[x\\] \\[link\\](https://example.com)",
    },
    { input: "back\\slash", expected: "back\\\\slash" },
    { input: "bell\u0007tab\u0000", expected: "belltab" },
    { input: "dependabot[bot]", expected: "dependabot\\[bot\\]" },
  ])("escapes $input", ({ input, expected }) => {
    expect(inline(input)).toBe(expected);
  });
});

describe("table", () => {
  it("renders a header, a separator and the rows, keeping empty cells", () => {
    expect(
      table(
        ["A", "B"],
        [
          ["1", ""],
          ["3", "4"],
        ],
      ),
    ).toBe("| A | B |\n| --- | --- |\n| 1 |   |\n| 3 | 4 |");
  });
});

describe("utcMinute", () => {
  it.each([
    { iso: "2026-11-26T10:00:59.999Z", expected: "2026-11-26 10:00 UTC" },
    { iso: "2026-11-26T11:30:00+01:00", expected: "2026-11-26 10:30 UTC" },
    { iso: "not a time <b>", expected: "not a time &lt;b&gt;" },
  ])("formats $iso", ({ iso, expected }) => {
    expect(utcMinute(iso)).toBe(expected);
  });
});

describe("mentionPrincipals", () => {
  it.each([
    { by: { users: ["alice"] }, expected: "@alice" },
    { by: { users: ["alice", "bob", "carol"] }, expected: "@alice, @bob or @carol" },
    { by: { teams: ["acme/service-desk"] }, expected: "members of @acme/service-desk" },
    { by: { teams: ["cab"] }, expected: "members of the cab team" },
    {
      by: { users: ["alice"], teams: ["acme/a", "acme/b"] },
      expected: "@alice or members of @acme/a or @acme/b",
    },
    { by: {}, expected: "nobody" },
  ])("describes $by", ({ by, expected }) => {
    expect(mentionPrincipals(by)).toBe(expected);
  });
});

describe("link", () => {
  it("keeps a URL from closing the link early", () => {
    expect(link("details", "https://x.test/a (b)")).toBe("[details](https://x.test/a%20%28b%29)");
  });
});

describe("truncateUtf8", () => {
  const note = "\n[cut]";

  it("returns text within the limit unchanged", () => {
    expect(truncateUtf8("héllo", 6, note)).toBe("héllo");
  });

  it("cuts at the last line break that fits, note included", () => {
    const text = "line 1\nline 2\nline 3 is long";
    const cut = truncateUtf8(text, 20, note);
    expect(cut).toBe("line 1\nline 2" + note);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(20);
  });

  // "é" is 2 bytes, "€" 3, "😀" 4: every limit must land on a whole character.
  it.each([7, 8, 9, 10, 11, 12, 13, 14, 15, 16])(
    "never splits a multi-byte character (limit %i bytes)",
    (limit) => {
      const text = "é€😀é€😀é€😀";
      const cut = truncateUtf8(text, limit, note);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(limit);
      expect(cut.endsWith(note)).toBe(true);
      const kept = cut.slice(0, -note.length);
      expect(text.startsWith(kept)).toBe(true);
      expect(kept).not.toContain("\uFFFD");
      // Nothing is given away: one more character would not have fitted.
      const next = [...text.slice(kept.length)][0] ?? "";
      expect(Buffer.byteLength(kept + next + note)).toBeGreaterThan(limit);
    },
  );

  it("cuts even the note when nothing else fits", () => {
    expect(truncateUtf8("0123456789", 3, "€€")).toBe("€");
  });
});
