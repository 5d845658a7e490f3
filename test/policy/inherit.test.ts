import { loadPolicy, MAX_EXTENDS_DEPTH } from "../../src/policy/inherit.js";
import { formatProblem } from "../../src/policy/problems.js";
import type { LoadedPolicy, PolicyFile, PolicySource } from "../../src/policy/types.js";

const PATH = ".github/release-policy.yml";
const yaml = (...lines: string[]): string => `${lines.join("\n")}\n`;

/** Files by "owner/repo:path"; records every read. */
function memorySource(files: Record<string, string>): PolicySource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async read(owner, repo, path): Promise<PolicyFile | null> {
      const location = `${owner}/${repo}:${path}`;
      reads.push(location);
      const text = files[location];
      return text === undefined ? null : { location, text, sha: `sha-of-${location}` };
    },
  };
}

const lines = (loaded: LoadedPolicy): string[] =>
  loaded.kind === "invalid" ? loaded.problems.map(formatProblem) : [];
const locations = (loaded: LoadedPolicy): string[] =>
  loaded.kind === "none" ? [] : loaded.files.map((f) => f.location);

const ORG = `acme/.github:${PATH}`;
const REPO = `acme/svc:${PATH}`;

const orgPolicy = yaml(
  "change_types:",
  '  standard: { labels: ["change: standard"] }',
  "  normal: { default: true }",
  "gates:",
  "  cab:",
  "    stage: pull_request",
  "    require: { approvals: { count: 2, from: { teams: [cab] } } }",
  "environments:",
  "  staging: {}",
  "defaults:",
  "  invalidate_on_push: true",
);

describe("loadPolicy: finding the file", () => {
  it("reads the repository's own file, and no other for a personal account", async () => {
    const source = memorySource({ [REPO]: yaml("gates: {}"), [ORG]: orgPolicy });
    const loaded = await loadPolicy(source, "acme", "svc", { organization: false });
    expect(loaded).toEqual({
      kind: "valid",
      policy: { gates: {} },
      files: [{ location: REPO, text: "gates: {}\n", sha: `sha-of-${REPO}` }],
    });
    expect(source.reads).toEqual([REPO]);
  });

  it("reads an organization's base too, and leaves it out when it is not required", async () => {
    for (const facts of [{ organization: true }, {}]) {
      const source = memorySource({ [REPO]: yaml("gates: {}"), [ORG]: orgPolicy });
      const loaded = await loadPolicy(source, "acme", "svc", facts);
      expect(locations(loaded)).toEqual([REPO]);
      expect(source.reads).toEqual([REPO, ORG]);
    }
  });

  it("falls back to the owner's .github repository", async () => {
    const source = memorySource({ [ORG]: orgPolicy });
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(loaded.kind).toBe("valid");
    expect(locations(loaded)).toEqual([ORG]);
    expect(source.reads).toEqual([REPO, ORG]);
  });

  it("is none when there is no policy anywhere", async () => {
    const source = memorySource({});
    expect(await loadPolicy(source, "acme", "svc")).toEqual({ kind: "none" });
    expect(source.reads).toEqual([REPO, ORG]);
  });

  it("does not read the .github repository twice for itself", async () => {
    const source = memorySource({});
    expect(await loadPolicy(source, "acme", ".github")).toEqual({ kind: "none" });
    expect(source.reads).toEqual([ORG]);
  });

  it("lets a source failure through, so the caller fails closed", async () => {
    const source: PolicySource = {
      read: () => Promise.reject(new Error("GitHub is down")),
    };
    await expect(loadPolicy(source, "acme", "svc")).rejects.toThrow("GitHub is down");
  });

  it("reports an invalid file with its own location", async () => {
    const source = memorySource({ [REPO]: yaml("gates: []") });
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(lines(loaded)).toEqual([
      `${REPO}:1:8: gates: expected a mapping of names to settings, got an empty list`,
    ]);
    expect(locations(loaded)).toEqual([REPO]);
  });
});

describe("loadPolicy: _extends", () => {
  const repoPolicy = yaml(
    "_extends: .github",
    "gates:",
    "  tests:",
    "    stage: pull_request",
    "    when: { change_types: [normal] }",
    "    require: { checks: [test] }",
    "environments:",
    "  production: { after: staging }",
    "defaults:",
    "  approvals: { exclude: [author] }",
  );

  it("merges the base and the additions, base first", async () => {
    const source = memorySource({ [REPO]: repoPolicy, [ORG]: orgPolicy });
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(loaded).toEqual({
      kind: "valid",
      policy: {
        change_types: { standard: { labels: ["change: standard"] }, normal: { default: true } },
        gates: {
          cab: {
            stage: "pull_request",
            require: { approvals: { count: 2, from: { teams: ["cab"] } } },
          },
          tests: {
            stage: "pull_request",
            when: { change_types: ["normal"] },
            require: { checks: ["test"] },
          },
        },
        environments: { staging: {}, production: { after: "staging" } },
        defaults: { invalidate_on_push: true, approvals: { exclude: ["author"] } },
      },
      files: [
        { location: REPO, text: repoPolicy, sha: `sha-of-${REPO}` },
        { location: ORG, text: orgPolicy, sha: `sha-of-${ORG}` },
      ],
    });
    if (loaded.kind === "valid") {
      expect(Object.keys(loaded.policy.gates ?? {})).toEqual(["cab", "tests"]);
    }
  });

  it.each([
    ["owner/repo", "platform/policies", `platform/policies:${PATH}`],
    ["repo:path", "policies:strict.yml", "acme/policies:strict.yml"],
    ["owner/repo:path", "platform/policies:base/release.yml", "platform/policies:base/release.yml"],
  ])("reads a base named %s", async (_, value, location) => {
    const source = memorySource({
      [REPO]: yaml(`_extends: ${value}`),
      [location]: orgPolicy,
    });
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(loaded.kind).toBe("valid");
    expect(locations(loaded)).toEqual([REPO, location]);
  });

  it("resolves a base's own bare repository name against the base's owner", async () => {
    const source = memorySource({
      [REPO]: yaml("_extends: platform/policies"),
      [`platform/policies:${PATH}`]: yaml("_extends: .github"),
      [`platform/.github:${PATH}`]: orgPolicy,
    });
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(locations(loaded)).toEqual([
      REPO,
      `platform/policies:${PATH}`,
      `platform/.github:${PATH}`,
    ]);
  });

  it("refuses a missing base, at the _extends line", async () => {
    const source = memorySource({ [REPO]: yaml("gates: {}", "_extends: policies") });
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(lines(loaded)).toEqual([
      `${REPO}:2:11: _extends: base policy acme/policies:${PATH} does not exist on its default branch (or the app cannot read that repository)`,
    ]);
    expect(locations(loaded)).toEqual([REPO]);
  });

  it("refuses a cycle, naming where it closes", async () => {
    const source = memorySource({
      [REPO]: yaml("_extends: .github"),
      [ORG]: yaml("# base", "_extends: ACME/svc"),
    });
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(lines(loaded)).toEqual([
      `${ORG}:2:11: _extends: _extends forms a cycle: acme/.github:${PATH} → ACME/svc:${PATH}, which is already in the chain`,
    ]);
    expect(locations(loaded)).toEqual([REPO, ORG]);
  });

  it(`follows at most ${MAX_EXTENDS_DEPTH} levels`, async () => {
    const files: Record<string, string> = { [REPO]: yaml("_extends: b1") };
    for (let i = 1; i <= 4; i++) files[`acme/b${i}:${PATH}`] = yaml(`_extends: b${i + 1}`);
    const loaded = await loadPolicy(memorySource(files), "acme", "svc");
    expect(lines(loaded)).toEqual([
      `acme/b3:${PATH}:1:11: _extends: _extends goes deeper than 3 levels; flatten the chain of base policies`,
    ]);
    expect(locations(loaded)).toEqual([
      REPO,
      `acme/b1:${PATH}`,
      `acme/b2:${PATH}`,
      `acme/b3:${PATH}`,
    ]);
  });

  it("reports a base's own problems in the base file", async () => {
    const source = memorySource({
      [REPO]: yaml("_extends: .github"),
      [ORG]: yaml("gates:", "  cab: { stage: pull_request, require: { approvals: { count: 0 } } }"),
    });
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(lines(loaded)).toEqual([
      `${ORG}:2:62: gates.cab.require.approvals.count: expected a whole number from 1 to 50, got 0`,
    ]);
  });
});

describe("loadPolicy: what a base defines is final", () => {
  it.each<[string, string[], string[]]>([
    [
      "a gate",
      ["gates:", "  cab:", "    stage: pull_request", "    require: { approvals: { count: 1 } }"],
      [
        `${REPO}:3:3: gates.cab: gate "cab" is already defined by the base policy ${ORG} line 5; an extending policy may add to its base but not redefine what it defines`,
      ],
    ],
    [
      "a change type",
      ["change_types:", "  normal: { labels: [normal] }"],
      [
        `${REPO}:3:3: change_types.normal: change type "normal" is already defined by the base policy ${ORG} line 3; an extending policy may add to its base but not redefine what it defines`,
      ],
    ],
    [
      "an environment, in another case",
      ["environments:", "  Staging: {}"],
      [
        `${REPO}:3:3: environments.Staging: environment "Staging" is already defined by the base policy ${ORG} line 9; an extending policy may add to its base but not redefine what it defines`,
      ],
    ],
    [
      "a defaults key",
      ["defaults:", "  invalidate_on_push: false"],
      [
        `${REPO}:3:3: defaults.invalidate_on_push: defaults key "invalidate_on_push" is already defined by the base policy ${ORG} line 11; an extending policy may add to its base but not redefine what it defines`,
      ],
    ],
    [
      "a second default change type",
      ["change_types:", "  emergency: { labels: [hotfix], default: true }"],
      [
        `${REPO}:3:43: change_types.emergency.default: only one change type may be the default, and "normal" already is (${ORG} line 3)`,
      ],
    ],
    [
      "a label that already selects a base change type",
      ["change_types:", '  quick: { labels: ["Change: Standard"] }'],
      [
        `${REPO}:3:21: change_types.quick.labels[0]: label "Change: Standard" already selects change type "standard" (${ORG} line 2); a label selects at most one change type`,
      ],
    ],
    [
      "a change type neither file defines",
      [
        "gates:",
        "  tests:",
        "    stage: pull_request",
        "    when: { change_types: [emergency] }",
        "    require: { checks: [t] }",
      ],
      [
        `${REPO}:5:28: gates.tests.when.change_types[0]: unknown change type "emergency"; defined: "standard", "normal"`,
      ],
    ],
  ])("refuses redefining or contradicting %s", async (_, lines_, expected) => {
    const source = memorySource({ [REPO]: yaml("_extends: .github", ...lines_), [ORG]: orgPolicy });
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(lines(loaded)).toEqual(expected);
    expect(locations(loaded)).toEqual([REPO, ORG]);
  });

  it("does not concatenate lists: a defaults list is one value", async () => {
    const base = yaml("defaults:", "  approvals: { exclude: [author, committers] }");
    const source = memorySource({
      [REPO]: yaml("_extends: .github", "defaults:", "  approvals: { exclude: [pusher] }"),
      [ORG]: base,
    });
    const loaded = await loadPolicy(source, "acme", "svc");
    expect(lines(loaded)).toEqual([
      `${REPO}:3:16: defaults.approvals.exclude: defaults key "approvals.exclude" is already defined by the base policy ${ORG} line 2; an extending policy may add to its base but not redefine what it defines`,
    ]);
  });
});

describe("loadPolicy: an organization's required base", () => {
  const required = `required: true\n${orgPolicy}`;
  const own = yaml(
    "gates:",
    "  tests:",
    "    stage: pull_request",
    "    when: { change_types: [normal] }", // defined by the base alone
    "    require: { checks: [test] }",
  );
  const org = { organization: true };

  it("binds a repository whose file does not extend it, as if it said _extends: .github", async () => {
    const source = memorySource({ [REPO]: own, [ORG]: required });
    const loaded = await loadPolicy(source, "acme", "svc", org);
    expect(loaded.kind).toBe("valid");
    if (loaded.kind !== "valid") return;
    expect(Object.keys(loaded.policy.gates ?? {})).toEqual(["cab", "tests"]);
    expect(Object.keys(loaded.policy.change_types ?? {})).toEqual(["standard", "normal"]);
    expect(locations(loaded)).toEqual([REPO, ORG]);
    expect(source.reads).toEqual([REPO, ORG]); // each file once
  });

  it("binds a repository without a file, and one that extends it, the same way", async () => {
    const without = memorySource({ [ORG]: required });
    expect(locations(await loadPolicy(without, "acme", "svc", org))).toEqual([ORG]);
    const extending = memorySource({ [REPO]: `_extends: .github\n${own}`, [ORG]: required });
    const loaded = await loadPolicy(extending, "acme", "svc", org);
    expect(locations(loaded)).toEqual([REPO, ORG]);
    expect(extending.reads).toEqual([REPO, ORG]);
  });

  it("refuses a repository that redefines what the base defines, at the repository's line", async () => {
    const weaker = yaml(
      "gates:",
      "  cab:",
      "    stage: pull_request",
      "    require: { approvals: { count: 1 } }",
    );
    const source = memorySource({ [REPO]: weaker, [ORG]: required });
    const loaded = await loadPolicy(source, "acme", "svc", org);
    expect(lines(loaded)).toEqual([
      `${REPO}:2:3: gates.cab: gate "cab" is already defined by the base policy ${ORG} line 6; an extending policy may add to its base but not redefine what it defines`,
    ]);
  });

  it("joins below the repository's own chain: its other base is merged too", async () => {
    const BASE = `acme/policies:${PATH}`;
    const source = memorySource({
      [REPO]: yaml("_extends: policies"),
      [BASE]: own,
      [ORG]: required,
    });
    const loaded = await loadPolicy(source, "acme", "svc", org);
    expect(loaded.kind).toBe("valid");
    expect(locations(loaded)).toEqual([REPO, BASE, ORG]);
  });

  it("merges a base both the repository and the required base extend once, not as a cycle", async () => {
    const SHARED = `platform/policies:${PATH}`;
    const source = memorySource({
      [REPO]: yaml("_extends: platform/policies", ...own.trim().split("\n")),
      [SHARED]: yaml(
        "gates:",
        "  tests-pass:",
        "    stage: pull_request",
        "    require: { checks: [ci] }",
      ),
      [ORG]: `_extends: platform/policies\n${required}`,
    });
    const loaded = await loadPolicy(source, "acme", "svc", org);
    expect(lines(loaded)).toEqual([]);
    expect(locations(loaded)).toEqual([REPO, SHARED, ORG]);
    if (loaded.kind === "valid") {
      expect(Object.keys(loaded.policy.gates ?? {}).sort()).toEqual(["cab", "tests", "tests-pass"]);
    }
  });

  it("still refuses a real cycle through the required base", async () => {
    const source = memorySource({
      [REPO]: own,
      [ORG]: `_extends: acme/other\n${required}`,
      [`acme/other:${PATH}`]: yaml("_extends: .github"),
    });
    const loaded = await loadPolicy(source, "acme", "svc", org);
    expect(lines(loaded)[0]).toContain("_extends forms a cycle");
  });

  it("fails every repository closed while the required base is invalid", async () => {
    const broken = yaml("required: true", "gates:", "  cab: { stage: later, require: {} }");
    const source = memorySource({ [REPO]: own, [ORG]: broken });
    const loaded = await loadPolicy(source, "acme", "svc", org);
    expect(loaded.kind).toBe("invalid");
    expect(lines(loaded)[0]).toMatch(new RegExp(`^${ORG}:3:`));
  });

  it("treats a base that is not even YAML as binding: it fails closed, it does not set repositories free", async () => {
    const source = memorySource({ [REPO]: own, [ORG]: "gates: [unclosed\n" });
    const loaded = await loadPolicy(source, "acme", "svc", org);
    expect(loaded.kind).toBe("invalid");
    expect(lines(loaded)[0]?.startsWith(ORG)).toBe(true);
  });

  it.each([
    ["a repository's own file", { [REPO]: yaml("required: true", "gates: {}") }, REPO, 1],
    [
      "a shared base elsewhere",
      { [REPO]: yaml("_extends: policies"), [`acme/policies:${PATH}`]: "required: false\n" },
      `acme/policies:${PATH}`,
      1,
    ],
  ])("refuses required in %s", async (_, files, file, line) => {
    const loaded = await loadPolicy(memorySource(files), "acme", "svc", org);
    expect(lines(loaded)).toEqual([
      `${file}:${line}:1: required: "required" is only read from an organization's base policy (acme/.github:${PATH}): it binds the organization's repositories, and a repository or another base cannot make itself binding; remove it here`,
    ]);
  });

  it("refuses required: true in a personal account's base rather than ignoring it", async () => {
    const source = memorySource({ [ORG]: required });
    const loaded = await loadPolicy(source, "acme", "svc", { organization: false });
    expect(lines(loaded)).toEqual([
      `${ORG}:1:1: required: "required" binds the repositories of an organization; acme is a personal account, whose repositories follow this policy only when they have no file of their own or extend it`,
    ]);
  });

  it("is not required of anyone when it says required: false, or nothing", async () => {
    for (const text of [`required: false\n${orgPolicy}`, orgPolicy]) {
      const source = memorySource({ [REPO]: own.replace("normal", "standard"), [ORG]: text });
      const loaded = await loadPolicy(source, "acme", "svc", org);
      expect(lines(loaded)).toEqual([
        `${REPO}:4:28: gates.tests.when.change_types[0]: unknown change type "standard"; the policy defines none`,
      ]);
    }
  });
});
