import { compareVersions, previousOf } from "../../src/facts/release-tag.js";
import { hasSection, signoffsOf, type RecordComment } from "../../src/facts/release.js";

const tags = (...names: string[]) => names.map((name, i) => ({ name, sha: String(i).repeat(40) }));

describe("version order", () => {
  it.each([
    ["v1.2.0", "v1.10.0", -1],
    ["1.2.0", "v1.2.0", 0],
    ["v2.0.0-rc.1", "v2.0.0", -1],
    ["v2.0.0-rc.2", "v2.0.0-rc.10", -1],
    ["v2.0.0-alpha", "v2.0.0-alpha.1", -1],
    ["v2.0.0-1", "v2.0.0-alpha", -1],
    ["v1.0.0+build.5", "v1.0.0", 0],
    ["release-9", "release-10", -1],
  ])("%s against %s is %i", (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect(Math.sign(compareVersions(b, a))).toBe(-sign || 0);
  });
});

describe("the previous release", () => {
  it.each([
    ["the greatest lower tag", "v1.10.0", tags("v1.9.0", "v1.2.0", "v1.11.0"), undefined, "v1.9.0"],
    [
      "a final release skips pre-releases",
      "v2.0.0",
      tags("v2.0.0-rc.1", "v1.9.0"),
      undefined,
      "v1.9.0",
    ],
    [
      "a pre-release follows anything earlier",
      "v2.0.0-rc.2",
      tags("v2.0.0-rc.1", "v1.9.0"),
      undefined,
      "v2.0.0-rc.1",
    ],
    [
      "only tags matching the pattern",
      "v1.3.0",
      tags("v1.2.0", "v1.2.9-hotfix-x", "deploy-5"),
      "^v[0-9]+\\.[0-9]+\\.[0-9]+$",
      "v1.2.0",
    ],
    ["none for the first release", "v1.0.0", tags("v1.0.0", "v1.1.0"), undefined, undefined],
  ])("%s", (_, name, list, pattern, expected) => {
    expect(previousOf(name, list, pattern)?.name).toBe(expected);
  });
});

describe("a changelog section for the tag", () => {
  it.each([
    ["## v1.2.0\n- fix\n", "v1.2.0", true],
    ["## [1.2.0] - 2026-11-26\n\n- fix\n", "v1.2.0", true],
    ["# Changelog\n## 1.2.0\n## 1.1.0\n- older\n", "v1.2.0", false],
    ["## v1.2.0-rc.1\n- fix\n", "v1.2.0", false],
    ["## v11.2.0\n- fix\n", "v1.2.0", false],
    ["## v1.2.0\n\n", "v1.2.0", false],
    ["v1.2.0 is mentioned in text only\n- fix\n", "v1.2.0", false],
  ])("%j has a section for %s: %s", (text, tag, expected) => {
    expect(hasSection(text, tag)).toBe(expected);
  });
});

describe("sign-off comments", () => {
  const comment = (user: string, body: string, bot = false): RecordComment => ({
    id: 1,
    body,
    user,
    bot,
    createdAt: "2026-11-26T10:00:00Z",
    url: "u",
  });
  it("counts /signoff and /sign-off by people, at the start of the comment", () => {
    const found = signoffsOf([
      comment("a", "/signoff"),
      comment("b", "  /Sign-off: tested in staging"),
      comment("c", "I will /signoff later"),
      comment("d", "/signoffs"),
      comment("bot[bot]", "/signoff", true),
    ]);
    expect(found.map((s) => s.user)).toEqual(["a", "b"]);
  });
});
