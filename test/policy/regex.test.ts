import {
  compilePattern,
  MAX_PATTERN_INPUT,
  PatternError,
  patternError,
  testPattern,
} from "../../src/model/regex.js";

describe("compilePattern", () => {
  it.each([
    ["CHG[0-9]{7}", "Fixes CHG1234567 today", true],
    ["CHG[0-9]{7}", "Fixes CHG123 today", false],
    ["(?i)^jira: [a-z]+-[0-9]+$", "JIRA: OPS-12", true],
    ["(?m)^Rollback:", "Summary\nRollback: revert", true],
    ["^Rollback:", "Summary\nRollback: revert", false],
  ])("/%s/ on %j → %s", (source, text, expected) => {
    expect(testPattern(compilePattern(source), text)).toBe(expected);
  });

  it.each([
    [
      "(a)\\1",
      "invalid regular expression /(a)\\1/: invalid escape sequence at `\\1`; RE2 has no backreferences such as \\1",
    ],
    [
      "foo(?=bar)",
      "invalid or unsupported Perl syntax at `(?=`; RE2 has no lookahead or lookbehind",
    ],
    ["(?<!x)y", "RE2 has no lookahead or lookbehind"],
    ["(unclosed", "missing closing ); patterns use RE2 syntax (no backreferences, no lookaround)"],
    ["a{2000}", "invalid repeat count at `{2000}`"],
    ["[z-a]", "invalid character class range at `z-a`"],
  ])("refuses /%s/ with a readable message", (source, fragment) => {
    expect(() => compilePattern(source)).toThrow(PatternError);
    expect(patternError(source)).toContain(fragment);
  });

  it("refuses a pattern whose program is too large", () => {
    expect(patternError(".{1000}.{1000}")).toMatch(
      /too complex \(its program has \d+ steps, at most 2000\)/,
    );
  });

  it("returns null for a pattern that compiles", () => {
    expect(patternError("CHG[0-9]{7}")).toBeNull();
  });
});

describe("testPattern on hostile input", () => {
  it("matches the catastrophic-backtracking pattern (a+)+$ in linear time", () => {
    // A backtracking engine needs about 2^n steps for n "a"s followed by a mismatch; with
    // n = 50,000 it would never finish, so finishing at all is the assertion.
    const re = compilePattern("(a+)+$");
    expect(testPattern(re, "a".repeat(50_000) + "!")).toBe(false);
    expect(testPattern(re, "a".repeat(50_000))).toBe(true);
  });

  it("only searches the first MAX_PATTERN_INPUT characters", () => {
    const re = compilePattern("CHG[0-9]{7}");
    const padding = "x".repeat(MAX_PATTERN_INPUT);
    expect(testPattern(re, `CHG1234567${padding}`)).toBe(true);
    expect(testPattern(re, `${padding}CHG1234567`)).toBe(false);
  });
});
