// A repository's policy supplies globs, and they are matched in the process every installation
// shares: a glob that makes a backtracking matcher take exponential time would stall them all.
// Globs now run on RE2 (src/model/glob.ts), with picomatch's reading of them unchanged. How
// fast is the bench's to show (`npm run bench -- --only=glob`); these tests show that the
// answers are right, on 4 KB names, and that what cannot run on RE2 is refused.
import picomatch from "picomatch";
import { compileGlob, globError, globsMatcher } from "../../src/model/glob.js";
import { parsePolicy } from "../../src/policy/parse.js";
import { formatProblem } from "../../src/policy/problems.js";
import { judgeGate, pullRequestFacts } from "../evaluate/builders.js";

const HOSTILE = "*a*a*a*a*a*a*a*a*a*b";
const KB4 = 4096;

function problems(text: string): string[] {
  const location = "acme/shop:.github/release-policy.yml";
  return parsePolicy({ location, text }).problems.map((p) => formatProblem(p));
}

const policyWithPaths = (globs: string[]): string =>
  [
    "gates:",
    "  cab:",
    "    stage: pull_request",
    `    when: { paths: [${globs.map((g) => JSON.stringify(g)).join(", ")}] }`,
    "    require: { checks: [t] }",
  ].join("\n");

describe("a glob built to backtrack", () => {
  test("is accepted by the validator", () => {
    expect(globError(HOSTILE)).toBeNull();
    expect(problems(policyWithPaths([HOSTILE]))).toEqual([]);
  });

  test("judges 4 KB names right", () => {
    const matches = compileGlob(HOSTILE);
    expect(matches("a".repeat(KB4))).toBe(false);
    expect(matches(`${"a".repeat(KB4 - 1)}b`)).toBe(true);
    expect(matches(`${"ab".repeat(KB4 / 2 - 1)}ab`)).toBe(true);
    expect(matches(`${"a".repeat(KB4 - 2)}/b`)).toBe(false);
    expect(matches(`${"a".repeat(KB4 - 1)}c`)).toBe(false);
  });

  test("a gate on it applies to the pull request whose 4 KB path matches, and only then", () => {
    const gate = { when: { paths: [HOSTILE] }, require: { labels: { none_of: ["blocked"] } } };
    const miss = judgeGate(gate, pullRequestFacts({ changedFiles: ["a".repeat(KB4)] }));
    expect(miss.status).toBe("skipped");
    const hit = judgeGate(
      gate,
      pullRequestFacts({ changedFiles: ["a".repeat(KB4), `${"a".repeat(KB4 - 1)}b`] }),
    );
    expect(hit.status).toBe("pass");
  });
});

describe("globs mean what they meant", () => {
  // The cases the policy reference names, and picomatch's own answers for them.
  const GLOBS = [
    "**",
    "*",
    "src/**",
    "**/*.ts",
    "release/*",
    "release/**/hotfix-?",
    ".github/**",
    "**/.env",
    "*.{js,ts}",
    "{src,lib}/**/*.[jt]s",
    "docs/[!_]*.md",
    "v[0-9].*",
    "[[:alpha:]]*",
    "!main",
    "{1..3}.x",
    "a\\*b",
  ];
  const NAMES = [
    "main",
    "src",
    "src/index.ts",
    "src/a/b/c.js",
    "lib/x.ts",
    "lib/x.tsx",
    ".github/workflows/ci.yml",
    ".env",
    "config/.env",
    "release/1.2",
    "release/1.2/hotfix-3",
    "release/hotfix-3",
    "docs/_draft.md",
    "docs/guide.md",
    "v1.",
    "v1.2",
    "2.x",
    "a*b",
    "axb",
    "README",
  ];

  test.each(GLOBS)("%s", (glob) => {
    const ours = compileGlob(glob);
    const theirs = picomatch(glob, { dot: true, noextglob: true });
    expect(NAMES.filter((name) => ours(name))).toEqual(NAMES.filter((name) => theirs(name)));
  });

  test("a list matches when any of its globs does", () => {
    const matches = globsMatcher(["docs/**", "*.md"]);
    expect(["docs/a/b", "README.md", "src/x.md", "src/x"].map(matches)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe("a glob RE2 cannot run", () => {
  test("is refused where it is written, with the reason", () => {
    expect(problems(policyWithPaths(["src/(**", "{x.*,y}"]))).toEqual([
      expect.stringMatching(
        /:4:\d+: gates\.cab\.when\.paths\[0\]: glob "src\/\(\*\*" cannot be matched in linear time: check for an unbalanced "\("/,
      ),
      expect.stringMatching(
        /:4:\d+: gates\.cab\.when\.paths\[1\]: glob "\{x\.\*,y\}" cannot be matched in linear time: a "\." right before "\*" inside \{…\} or \(…\)/,
      ),
    ]);
  });
});
