// Validation of the release stage and the releases block: what a release gate may require,
// and rules that could never be used.
import { parsePolicy } from "../../src/policy/parse.js";
import { loadPolicy } from "../../src/policy/inherit.js";
import { formatProblem } from "../../src/policy/problems.js";
import type { PolicyFile, PolicySource } from "../../src/policy/types.js";

const FILE = "acme/svc:.github/release-policy.yml";
const problems = (...lines: string[]): string[] =>
  parsePolicy({ location: FILE, text: `${lines.join("\n")}\n` }).problems.map((p) =>
    formatProblem(p).slice(FILE.length + 1),
  );

describe("release gates and tag rules", () => {
  it("accepts the documented release example", () => {
    expect(
      problems(
        "releases:",
        "  tags:",
        '    pattern: "^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+$"',
        '    branches: [main, "release/*"]',
        "    signed: true",
        "gates:",
        "  notes:",
        "    stage: release",
        "    require: { release_notes: { changelog: docs/CHANGES.md }, compliant_changes: true }",
        "  sign-off:",
        "    stage: release",
        "    require:",
        "      checklist: [Communication sent]",
        "      signoffs: { count: 2, from: { teams: [release-managers] }, exclude: [tagger] }",
      ),
    ).toEqual([]);
  });

  it.each([
    [
      "a release kind at the pull-request stage",
      [
        "gates:",
        "  g:",
        "    stage: pull_request",
        "    require: { signoffs: { count: 1, from: { users: [a] } } }",
      ],
      '4:16: gates.g.require.signoffs: "signoffs" cannot be required at stage pull_request: a pull_request gate may require pattern, labels, checks, approvals, checklist, max_changed_files, change_record; move "signoffs" to a gate with stage: release',
    ],
    [
      "a deployment kind at the release stage",
      ["gates:", "  g:", "    stage: release", "    require: { window: { timezone: UTC } }"],
      '4:16: gates.g.require.window: "window" cannot be required at stage release: a release gate may require release_notes, checklist, signoffs, compliant_changes; move "window" to a gate with stage: deployment',
    ],
    [
      "a condition on a release gate",
      [
        "gates:",
        "  g:",
        "    stage: release",
        "    when: { labels: [x] }",
        "    require: { release_notes: true }",
      ],
      "4:5: gates.g.when: when cannot be used on a release gate: a release gate applies to every release",
    ],
    [
      "more sign-offs than listed users",
      [
        "gates:",
        "  g:",
        "    stage: release",
        "    require: { signoffs: { count: 2, from: { users: [a] } } }",
      ],
      "4:35: gates.g.require.signoffs.count: 2 sign-offs are required but only 1 user is listed in from.users, so the gate can never hold",
    ],
    [
      "a tag pattern RE2 cannot compile",
      ["releases:", "  tags:", '    pattern: "(?=v)"'],
      expect.stringContaining("3:14: releases.tags.pattern: invalid regular expression"),
    ],
    [
      "an extended glob in the branch rule",
      ["releases:", "  tags:", '    branches: ["+(main|dev)"]'],
      expect.stringContaining("3:16: releases.tags.branches[0]: glob"),
    ],
    [
      "the reserved gate id tag-rules",
      ["gates:", "  tag-rules:", "    stage: release", "    require: { release_notes: true }"],
      '2:3: gates.tag-rules: "tag-rules" is a name the app uses for its own rows: choose another gate id',
    ],
  ])("refuses %s", (_, lines, expected) => {
    expect(problems(...lines)).toEqual([expected]);
  });
});

describe("releases under _extends", () => {
  const PATH = ".github/release-policy.yml";
  const files: Record<string, string> = {
    [`acme/.github:${PATH}`]: 'releases:\n  tags:\n    pattern: "^v[0-9]+"\n',
    [`acme/svc:${PATH}`]: "_extends: .github\nreleases:\n  tags:\n    signed: true\n",
    [`acme/weak:${PATH}`]: '_extends: .github\nreleases:\n  tags:\n    pattern: ".*"\n',
  };
  const source: PolicySource = {
    async read(owner, repo, path): Promise<PolicyFile | null> {
      const location = `${owner}/${repo}:${path}`;
      const text = files[location];
      return text === undefined ? null : { location, text };
    },
  };

  it("merges tag rules key by key: a repository adds rules to its base's", async () => {
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(loaded.kind === "valid" && loaded.policy.releases).toEqual({
      tags: { pattern: "^v[0-9]+", signed: true },
    });
  });

  it("refuses to redefine a rule the base sets", async () => {
    const loaded = await loadPolicy(source, "acme", "weak");
    expect(loaded.kind === "invalid" && loaded.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('releases key "tags.pattern" is already defined by the base policy'),
    ]);
  });
});
