import { MAX_ALIAS_COUNT, parsePolicy } from "../../src/policy/parse.js";
import { formatProblem } from "../../src/policy/problems.js";
import { MAX_POLICY_BYTES } from "../../src/policy/types.js";

const FILE = "acme/svc:.github/release-policy.yml";
const yaml = (...lines: string[]): string => `${lines.join("\n")}\n`;

/** Problems as the CLI prints them, without the file name. */
function problems(text: string): string[] {
  return parsePolicy({ location: FILE, text }).problems.map((p) =>
    formatProblem(p).slice(FILE.length + 1),
  );
}

const gate = (...require: string[]): string[] => [
  "gates:",
  "  cab:",
  "    stage: pull_request",
  "    require:",
  ...require.map((l) => `      ${l}`),
];

describe("parsePolicy: valid policies", () => {
  it.each([
    ["an empty mapping", "{}\n", 0],
    ["one gate", yaml(...gate("checks: [test]")), 1],
    [
      "the documented pull-request example",
      yaml(
        "change_types:",
        '  standard:  { labels: ["change: standard"] }',
        '  emergency: { labels: ["change: emergency"] }',
        "  normal:    { default: true }",
        "gates:",
        "  change-record:",
        "    stage: pull_request",
        '    require: { pattern: "CHG[0-9]{7}" }',
        "  tests:",
        "    stage: pull_request",
        "    require: { checks: [build, test] }",
        "  cab:",
        "    stage: pull_request",
        '    when: { labels: ["risk: high"], change_types: [normal] }',
        "    require: { approvals: { count: 2, from: { teams: [cab] } } }",
        "  readiness:",
        "    stage: pull_request",
        "    require:",
        "      checklist:",
        "        - Rollback plan documented",
        "        - { text: Service desk briefed, by: { teams: [service-desk] } }",
        "defaults:",
        "  approvals: { exclude: [author, committers] }",
        "  invalidate_on_push: true",
      ),
      4,
    ],
    [
      "anchors and aliases sharing a list",
      yaml(
        "gates:",
        "  a:",
        "    stage: pull_request",
        "    require: { approvals: { count: 1, from: { teams: &owners [eng, ops] } } }",
        "  b:",
        "    stage: pull_request",
        "    require: { approvals: { count: 2, from: { teams: *owners } } }",
      ),
      2,
    ],
  ])("accepts %s", (_, text, gates) => {
    const result = parsePolicy({ location: FILE, text });
    expect(result.problems).toEqual([]);
    expect(Object.keys(result.policy?.gates ?? {})).toHaveLength(gates);
  });

  it("returns the policy as typed data", () => {
    const result = parsePolicy({ location: FILE, text: yaml(...gate("checks: [test]")) });
    expect(result.policy).toEqual({
      gates: { cab: { stage: "pull_request", require: { checks: ["test"] } } },
    });
  });
});

describe("parsePolicy: schema problems, with positions", () => {
  it.each<[string, string, unknown[]]>([
    [
      "a count that is not a number",
      yaml(...gate("approvals:", "  count: two")),
      ['6:16: gates.cab.require.approvals.count: expected a whole number from 1 to 50, got "two"'],
    ],
    [
      "a count out of range",
      yaml(...gate("approvals: { count: 0 }")),
      ["5:27: gates.cab.require.approvals.count: expected a whole number from 1 to 50, got 0"],
    ],
    [
      "an empty value",
      yaml(...gate("approvals:", "  count:")),
      [
        "6:9: gates.cab.require.approvals.count: expected a whole number from 1 to 50, got an empty value",
      ],
    ],
    [
      "an unknown key, pointing at the key and suggesting the near one",
      yaml(...gate("approvals:", "  count: 1", "  form: { teams: [cab] }")),
      [
        '7:9: gates.cab.require.approvals.form: unknown key "form" (did you mean "from"?); allowed keys: count, from, exclude, invalidate_on_push',
      ],
    ],
    [
      "an unknown top-level key",
      yaml("gate:", "  cab: {}"),
      [
        'gate: unknown key "gate" (did you mean "gates"?); allowed keys: _extends, required, mode, change_types, environments, gates, defaults, releases, desk',
      ].map((m) => `1:1: ${m}`),
    ],
    [
      "a missing required key, at the mapping that lacks it",
      yaml("gates:", "  cab:", "    stage: pull_request", "    description: no require"),
      [
        expect.stringMatching(
          /^2:3: gates\.cab: missing required key "require": expected a mapping with keys pattern, labels, checks, approvals, release_notes, checklist\b/,
        ),
      ],
    ],
    [
      "a stage that does not exist",
      yaml("gates:", "  cab:", "    stage: deploy", "    require: { checks: [test] }"),
      [
        expect.stringMatching(
          /^3:12: gates\.cab\.stage: expected (one of )?"pull_request".*, got "deploy"$/,
        ),
      ],
    ],
    [
      "an invalid gate id",
      yaml("gates:", "  risk high:", "    stage: pull_request", "    require: { checks: [t] }"),
      [
        `2:3: gates["risk high"]: invalid name "risk high": expected a gate id: 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit`,
      ],
    ],
    [
      "a list where a mapping belongs",
      yaml("gates:", "  - cab"),
      ["2:3: gates: expected a mapping of names to settings, got a list of 1 items"],
    ],
    [
      "a string where a list of checks belongs",
      yaml(...gate("checks: test")),
      [
        '5:15: gates.cab.require.checks: expected a list of 1 to 100 items (each: text (1 to 200 characters), or a mapping with keys name, app), or a mapping with keys names, neutral, skipped, got "test"',
      ],
    ],
    [
      "an empty list of checks",
      yaml(...gate("checks: []")),
      [
        "5:15: gates.cab.require.checks: expected a list of 1 to 100 items (each: text (1 to 200 characters), or a mapping with keys name, app), got an empty list",
      ],
    ],
    [
      "a mistake inside the long form of a union",
      yaml(...gate("pattern: { regex: CHG, where: [title] }")),
      [
        '5:30: gates.cab.require.pattern.where: unknown key "where"; allowed keys: regex, in, description',
      ],
    ],
    [
      "a checklist item mapping without text",
      yaml(...gate("checklist:", "  - Rollback plan", "  - { by: { teams: [ops] } }")),
      [
        '7:11: gates.cab.require.checklist[1]: missing required key "text": expected text (1 to 300 characters)',
      ],
    ],
    [
      "an empty condition list",
      yaml(
        "gates:",
        "  cab:",
        "    stage: pull_request",
        "    when: { labels: [] }",
        "    require: { checks: [t] }",
      ),
      [
        "4:21: gates.cab.when.labels: expected a list of 1 to 100 items (each: text (1 to 200 characters)), got an empty list",
      ],
    ],
    [
      "a check whose app is not a slug",
      yaml(
        "gates:",
        "  cab:",
        "    stage: pull_request",
        '    require: { checks: [{ name: build, app: "GitHub Actions" }] }',
      ),
      [
        expect.stringMatching(
          /^4:45: gates\.cab\.require\.checks\[0\]\.app: .*slug.*got "GitHub Actions"/,
        ),
      ],
    ],
    [
      "a check mapping without its app",
      yaml(
        "gates:",
        "  cab:",
        "    stage: pull_request",
        "    require: { checks: [{ name: build }] }",
      ),
      [expect.stringMatching(/^4:25: gates\.cab\.require\.checks\[0\]: .*app/)],
    ],
    [
      "a malformed duration",
      yaml("environments:", "  production: { soak: 1 day }"),
      [
        '2:23: environments.production.soak: expected a duration such as "30m", "24h" or "2d", got "1 day"',
      ],
    ],
    [
      "a YAML merge key",
      yaml(
        "x-base: &base { stage: pull_request }",
        "gates:",
        "  cab:",
        "    <<: *base",
        "    require: { checks: [t] }",
      ),
      [
        '1:1: x-base: unknown key "x-base"; allowed keys: _extends, required, mode, change_types, environments, gates, defaults, releases, desk',
        expect.stringMatching(
          /^3:3: gates\.cab: missing required key "stage": expected .*"pull_request"/,
        ),
        '4:5: gates.cab["<<"]: YAML merge keys (<<) are not supported: write the keys out, or share settings with _extends',
      ],
    ],
  ])("reports %s", (_, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it("gives every problem a file, line, column, path and message", () => {
    const text = yaml(...gate("approvals: { count: two, form: [] }", "pattern: 5"));
    const found = parsePolicy({ location: FILE, text }).problems;
    expect(found.length).toBeGreaterThanOrEqual(3);
    for (const p of found) {
      expect(p).toEqual({
        file: FILE,
        line: expect.any(Number),
        column: expect.any(Number),
        path: expect.stringMatching(/^gates\.cab\.require\./),
        message: expect.any(String),
      });
      expect(p.line).toBeGreaterThanOrEqual(5);
    }
  });
});

describe("parsePolicy: YAML problems", () => {
  it.each<[string, string, string[]]>([
    [
      "a duplicate gate id",
      yaml(
        "gates:",
        "  cab:",
        "    stage: pull_request",
        "    require: { checks: [a] }",
        "  cab:",
        "    stage: pull_request",
        "    require: { checks: [b] }",
      ),
      ['5:3: gates.cab: duplicate gate id "cab" (first at line 2); each key may appear once'],
    ],
    [
      "a duplicate key inside a gate",
      yaml(...gate("checks: [a]", "checks: [b]")),
      [
        '6:7: gates.cab.require.checks: duplicate key "checks" (first at line 5); each key may appear once',
      ],
    ],
    [
      "a tab used as indentation",
      "gates:\n\tcab: {}\n",
      ["2:1: invalid YAML: Tabs are not allowed as indentation"],
    ],
    [
      "an unclosed flow sequence",
      yaml("gates:", "  cab: [", "    stage: x"),
      [
        "4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    ],
    [
      "two documents",
      yaml("gates: {}", "---", "gates: {}"),
      ["2:1: the file holds more than one YAML document (a second ---); a policy is one document"],
    ],
    [
      "a YAML tag",
      yaml("gates: !!binary aGVsbG8="),
      [
        "1:8: gates: Unresolved tag: tag:yaml.org,2002:binary: a policy uses plain YAML values, no tags",
      ],
    ],
    [
      "an alias without an anchor",
      yaml("gates: *missing"),
      ["1:8: gates: alias *missing has no anchor &missing before it"],
    ],
    [
      "a key that is a list",
      yaml("? [a, b]", ": 1"),
      ["1:3: a key must be plain text, not a list or mapping"],
    ],
    [
      "a __proto__ key",
      yaml("gates:", "  __proto__: { stage: pull_request, require: { checks: [t] } }"),
      ['2:3: gates.__proto__: "__proto__" cannot be used as a key'],
    ],
    [
      "an empty file",
      "",
      [
        "1:1: the file is empty: expected a mapping with top-level keys such as gates, change_types, environments, defaults and _extends (see docs/policy.md)",
      ],
    ],
    [
      "a file of comments only",
      yaml("# nothing yet"),
      [
        "1:1: the file is empty: expected a mapping with top-level keys such as gates, change_types, environments, defaults and _extends (see docs/policy.md)",
      ],
    ],
    [
      "a list at the top level",
      yaml("- gates"),
      [
        "1:1: expected a mapping with top-level keys such as gates, change_types, environments, defaults and _extends, got a list",
      ],
    ],
    [
      "a single value at the top level",
      yaml("release policy"),
      [
        "1:1: expected a mapping with top-level keys such as gates, change_types, environments, defaults and _extends, got a single value",
      ],
    ],
  ])("reports %s", (_, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });
});

describe("parsePolicy: hostile input", () => {
  it("refuses a 1 MB file without parsing it", () => {
    const text = `gates:\n  x:\n    description: "${"a".repeat(1024 * 1024)}"\n`;
    expect(problems(text)).toEqual([
      `1:1: the file is ${Buffer.byteLength(text)} bytes; a policy may be at most ${MAX_POLICY_BYTES} bytes (64 KiB)`,
    ]);
  });

  it("counts bytes, not characters", () => {
    const text = `# ${"é".repeat(MAX_POLICY_BYTES / 2)}\n`; // fewer chars than bytes allowed
    expect(text.length).toBeLessThan(MAX_POLICY_BYTES);
    expect(problems(text)[0]).toMatch(/^1:1: the file is \d+ bytes; a policy may be at most/);
  });

  it("refuses a billion-laughs alias bomb", () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = "abcdefghi";
    for (let i = 1; i < names.length; i++) {
      const refs = Array.from({ length: 9 }, () => `*${names[i - 1]}`).join(",");
      lines.push(`${names[i]}: &${names[i]} [${refs}]`);
    }
    expect(problems(yaml(...lines))).toEqual([
      `2:8: b[0]: YAML aliases expand beyond the limit of ${MAX_ALIAS_COUNT}; a file whose aliases multiply is refused, so write repeated values out`,
    ]);
  });

  it("refuses nesting deeper than a policy needs, however deep", () => {
    const text = `gates: ${"[".repeat(30_000)}${"]".repeat(30_000)}\n`;
    const found = problems(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^1:\d+: gates(\[0\]){32}: nested more than 32 levels deep$/);
  });
});

describe("parsePolicy: semantic problems, with positions", () => {
  const changeTypes = [
    "change_types:",
    '  standard: { labels: ["change: standard"] }',
    "  normal: { default: true }",
  ];
  it.each<[string, string, unknown[]]>([
    [
      "an invalid regex",
      yaml(...gate('pattern: "(CHG)\\\\1"')),
      [
        "5:16: gates.cab.require.pattern: invalid regular expression /(CHG)\\1/: invalid escape sequence at `\\1`; RE2 has no backreferences such as \\1",
      ],
    ],
    [
      "an invalid regex in the long form",
      yaml(...gate('pattern: { regex: "a(?=b)" }')),
      [
        "5:25: gates.cab.require.pattern.regex: invalid regular expression /a(?=b)/: invalid or unsupported Perl syntax at `(?=`; RE2 has no lookahead or lookbehind",
      ],
    ],
    [
      "two default change types",
      yaml(...changeTypes, "  emergency: { labels: [hotfix], default: true }"),
      [
        '4:43: change_types.emergency.default: only one change type may be the default, and "normal" already is (line 3)',
      ],
    ],
    [
      "a label selecting two change types, ignoring case",
      yaml(...changeTypes, '  emergency: { labels: ["Change: Standard"] }'),
      [
        '4:25: change_types.emergency.labels[0]: label "Change: Standard" already selects change type "standard" (line 2); a label selects at most one change type',
      ],
    ],
    [
      "a change type that can never be chosen",
      yaml(...changeTypes, "  emergency: { description: unreachable }"),
      [
        '4:3: change_types.emergency: change type "emergency" can never be chosen: give it labels, or make it the default',
      ],
    ],
    [
      "a condition naming an undefined change type",
      yaml(
        ...changeTypes,
        "gates:",
        "  cab:",
        "    stage: pull_request",
        "    when: { change_types: [normal, emergency] }",
        "    require: { checks: [t] }",
      ),
      [
        '7:36: gates.cab.when.change_types[1]: unknown change type "emergency"; defined: "standard", "normal"',
      ],
    ],
    [
      "a change type named when the policy defines none",
      yaml(
        "gates:",
        "  cab:",
        "    stage: pull_request",
        "    unless: { change_types: [standard] }",
        "    require: { checks: [t] }",
      ),
      [
        '4:30: gates.cab.unless.change_types[0]: unknown change type "standard"; the policy defines none',
      ],
    ],
    [
      "invalid globs",
      yaml(
        "gates:",
        "  cab:",
        "    stage: pull_request",
        '    when: { paths: ["src/{a,b", "+(x|y)", "[z-a]"], base_branches: ["*/*/*/*/*/*/*/*/*/*/*"] }',
        "    require: { checks: [t] }",
      ),
      [
        '4:21: gates.cab.when.paths[0]: glob "src/{a,b" is not valid: check for an unclosed "{" or "[", or a reversed range such as [z-a]',
        '4:33: gates.cab.when.paths[1]: glob "+(x|y)" uses an extended glob ("+(…)", "!(…)", "@(…)"), which is not supported; use *, **, ?, [abc] or {a,b}',
        '4:43: gates.cab.when.paths[2]: glob "[z-a]" is not valid: check for an unclosed "{" or "[", or a reversed range such as [z-a]',
        '4:69: gates.cab.when.base_branches[0]: glob "*/*/*/*/*/*/*/*/*/*/*" has 11 wildcards, at most 10',
      ],
    ],
    [
      "an empty condition and a gate requiring nothing",
      yaml("gates:", "  cab:", "    stage: pull_request", "    unless: {}", "    require: {}"),
      [
        "4:13: gates.cab.unless: an empty condition names nothing: remove it, or give labels, change_types, base_branches, paths or draft",
        expect.stringMatching(
          /^5:14: gates\.cab\.require: the gate requires nothing: give at least one of pattern, labels, checks, approvals, checklist\b/,
        ),
      ],
    ],
    [
      "a label both required and forbidden",
      yaml(...gate("labels: { all_of: [approved], none_of: [Approved] }")),
      [
        '5:47: gates.cab.require.labels.none_of[0]: label "Approved" is both required and forbidden, so the gate can never hold',
      ],
    ],
    [
      "more approvals than listed approvers",
      yaml(...gate("approvals: { count: 3, from: { users: [alice, bob, Alice] } }")),
      [
        "5:27: gates.cab.require.approvals.count: 3 approvals are required but only 2 users are listed in from.users, so the gate can never hold",
      ],
    ],
    [
      "approvers that name nobody, and malformed logins and slugs",
      yaml(
        ...gate(
          "approvals: { count: 1, from: {} }",
          "checklist:",
          '  - { text: Briefed, by: { users: ["@carol"], teams: ["Service Desk"] } }',
        ),
      ),
      [
        "5:36: gates.cab.require.approvals.from: names nobody: give users or teams (or, for approvals, a permission)",
        '7:42: gates.cab.require.checklist[0].by.users[0]: "@carol" is not a GitHub login: write it without "@"',
        '7:61: gates.cab.require.checklist[0].by.teams[0]: "Service Desk" is not a team slug: use the team\'s slug ("release-managers"), not its display name',
      ],
    ],
    [
      "a repeated checklist item",
      yaml(...gate("checklist:", "  - Rollback plan", "  - { text: rollback plan }")),
      [
        '7:11: gates.cab.require.checklist[1]: checklist item "rollback plan" appears twice (also at line 6); items are told apart by their text',
      ],
    ],
    [
      "environments: unknown, self, cycle, soak without after, soak too long, same name",
      yaml(
        "environments:",
        "  staging: { after: qa }",
        "  production: { after: staging, soak: 31d }",
        "  a: { after: b }",
        "  b: { after: a }",
        "  c: { after: c, soak: 1h }",
        "  d: { soak: 1h }",
        "  Production: {}",
      ),
      [
        '2:21: environments.staging.after: unknown environment "qa"; defined: "staging", "production", "a", "b", "c", "d", "Production"',
        "3:39: environments.production.soak: soak 31d is longer than 30d, the longest GitHub holds a deployment waiting for approval",
        "4:15: environments.a.after: environments form a cycle: a → b → a; promotion order must have a first environment",
        '6:15: environments.c.after: environment "c" cannot come after itself',
        '7:14: environments.d.soak: soak needs "after": it is the time spent in the previous environment',
        '8:3: environments.Production: environment "Production" is the same GitHub environment as "production" (names ignore case)',
      ],
    ],
    [
      "a malformed _extends",
      yaml("_extends: a/b/c", ...gate("checks: [t]")),
      ['1:11: _extends: expected "repo", "owner/repo" or either with ":path", got "a/b/c"'],
    ],
    [
      "an _extends path that leaves the repository",
      yaml("_extends: .github:../secrets.yml"),
      ['1:11: _extends: expected a path inside the repository after ":", got "../secrets.yml"'],
    ],
  ])("reports %s", (_, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it("leaves names to the base when the file extends one", () => {
    const text = yaml(
      "_extends: .github",
      "gates:",
      "  cab:",
      "    stage: pull_request",
      "    when: { change_types: [normal] }",
      "    require: { checks: [t] }",
      "environments:",
      "  production: { after: staging }",
    );
    expect(problems(text)).toEqual([]);
  });
});

describe("reserved gate ids", () => {
  test.each(["change-type", "policy-file", "release-policy"])("%s is refused at its key", (id) => {
    const text = `gates:\n  ${id}:\n    stage: pull_request\n    require: { labels: { one_of: [x] } }\n`;
    const { problems } = parsePolicy({ location: "p.yml", text });
    expect(problems).toEqual([
      expect.objectContaining({ line: 2, column: 3, path: `gates.${id}` }),
    ]);
    expect(problems[0]?.message).toContain("choose another gate id");
  });
});
