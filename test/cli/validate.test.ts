import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { commands, helpText, main } from "../../src/cli/main.js";
import { MAX_POLICY_BYTES } from "../../src/policy/types.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], cwd: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "release-policy-cli-"));
  await mkdir(join(dir, ".github"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const VALID = [
  "gates:",
  "  tests:",
  "    stage: pull_request",
  "    require: { checks: [test] }",
  "  review:",
  "    stage: pull_request",
  "    require: { approvals: { count: 1 } }",
  "",
].join("\n");

describe("release-policy validate", () => {
  it("exits 0 with one OK line for a valid default file", async () => {
    await writeFile(join(dir, ".github/release-policy.yml"), VALID);
    expect(await run(["validate"], dir)).toEqual({
      code: 0,
      stdout: "OK .github/release-policy.yml: 2 gates\n",
      stderr: "",
    });
  });

  it("counts one gate in the singular", async () => {
    await writeFile(
      join(dir, "one.yml"),
      "gates:\n  t: { stage: pull_request, require: { checks: [t] } }\n",
    );
    expect((await run(["validate", "one.yml"], dir)).stdout).toBe("OK one.yml: 1 gate\n");
  });

  it("exits 1 with one file:line:col line per problem on stdout", async () => {
    await writeFile(
      join(dir, "bad.yml"),
      [
        "gates:",
        "  cab:",
        "    stage: pull_request",
        "    require:",
        "      approvals:",
        "        count: two",
        "        form: { teams: [cab] }",
        "  cab:",
        "    stage: pull_request",
        "",
      ].join("\n"),
    );
    expect(await run(["validate", "bad.yml"], dir)).toEqual({
      code: 1,
      stdout:
        'bad.yml:8:3: gates.cab: duplicate gate id "cab" (first at line 2); each key may appear once\n',
      stderr: "",
    });
    await writeFile(
      join(dir, "bad.yml"),
      [
        "gates:",
        "  cab:",
        "    stage: pull_request",
        "    require:",
        "      approvals:",
        "        count: two",
        "        form: { teams: [cab] }",
        "",
      ].join("\n"),
    );
    expect(await run(["validate", "bad.yml"], dir)).toEqual({
      code: 1,
      stdout: [
        'bad.yml:6:16: gates.cab.require.approvals.count: expected a whole number from 1 to 50, got "two"',
        'bad.yml:7:9: gates.cab.require.approvals.form: unknown key "form" (did you mean "from"?); allowed keys: count, from, exclude, invalidate_on_push',
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("exits 1 for an oversized file without reading it all", async () => {
    await writeFile(join(dir, "big.yml"), "#".repeat(MAX_POLICY_BYTES + 1));
    expect(await run(["validate", "big.yml"], dir)).toEqual({
      code: 1,
      stdout: `big.yml:1:1: the file is ${MAX_POLICY_BYTES + 1} bytes; a policy may be at most ${MAX_POLICY_BYTES} bytes (64 KiB)\n`,
      stderr: "",
    });
  });

  it("notes, without failing, that _extends cannot be checked offline", async () => {
    await writeFile(
      join(dir, "child.yml"),
      "_extends: .github\ngates:\n  t: { stage: pull_request, when: { change_types: [normal] }, require: { checks: [t] } }\n",
    );
    expect(await run(["validate", "child.yml"], dir)).toEqual({
      code: 0,
      stdout: "OK child.yml: 1 gate\n",
      stderr:
        'note: child.yml extends ".github", which cannot be fetched offline; this file was checked on its own\n',
    });
  });

  it.each<[string, string[], string]>([
    [
      "a missing file",
      ["validate", "nope.yml"],
      "release-policy validate: cannot read nope.yml: no such file\n",
    ],
    [
      "a missing default file",
      ["validate"],
      "release-policy validate: cannot read .github/release-policy.yml: no such file\n",
    ],
    [
      "a directory",
      ["validate", ".github"],
      "release-policy validate: cannot read .github: it is not a regular file\n",
    ],
  ])("exits 2 for %s, on stderr", async (_, argv, stderr) => {
    expect(await run(argv, dir)).toEqual({ code: 2, stdout: "", stderr });
  });

  it("exits 2 for an unknown option", async () => {
    const result = await run(["validate", "--strict"], dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe('release-policy validate: unknown option "--strict"');
    expect(result.stderr).toContain("Usage: release-policy validate [file|pattern]...");
  });

  it("prints its help on stdout with --help", async () => {
    const result = await run(["validate", "--help"], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: release-policy validate \[file\|pattern\]\.\.\.\n/);
    expect(result.stdout).toContain(
      "Exit codes: 0 every file valid, 1 problems found, 2 usage error",
    );
  });
});

describe("release-policy validate with many files", () => {
  const INVALID = "gates:\n  t: { stage: pull_request, require: { checks: [] } }\n";

  /** An organisation's checkouts: one directory per repository, each with its policy. */
  async function checkouts(policies: Record<string, string>): Promise<void> {
    for (const [repo, text] of Object.entries(policies)) {
      await mkdir(join(dir, "checkouts", repo, ".github"), { recursive: true });
      await writeFile(join(dir, "checkouts", repo, ".github/release-policy.yml"), text);
    }
  }

  it("checks every file a pattern matches, in order, and counts them", async () => {
    await checkouts({ shop: VALID, api: VALID, web: VALID });
    expect(await run(["validate", "checkouts/*/.github/release-policy.yml"], dir)).toEqual({
      code: 0,
      stdout: [
        "OK checkouts/api/.github/release-policy.yml: 2 gates",
        "OK checkouts/shop/.github/release-policy.yml: 2 gates",
        "OK checkouts/web/.github/release-policy.yml: 2 gates",
        "3 files: 3 valid, 0 invalid, 0 unreadable",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("reports every invalid file and exits 1", async () => {
    await checkouts({ shop: VALID, api: INVALID, web: INVALID });
    const result = await run(["validate", "checkouts/**/release-policy.yml"], dir);
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")).toEqual([
      expect.stringMatching(
        /^checkouts\/api\/\.github\/release-policy\.yml:2:\d+: gates\.t\.require\.checks: /,
      ),
      "OK checkouts/shop/.github/release-policy.yml: 2 gates",
      expect.stringMatching(
        /^checkouts\/web\/\.github\/release-policy\.yml:2:\d+: gates\.t\.require\.checks: /,
      ),
      "3 files: 1 valid, 2 invalid, 0 unreadable",
      "",
    ]);
  });

  it("takes paths and patterns together, each file once", async () => {
    await checkouts({ shop: VALID });
    await writeFile(join(dir, "org.yml"), VALID);
    const result = await run(
      [
        "validate",
        "org.yml",
        "checkouts/shop/.github/release-policy.yml",
        "checkouts/*/.github/*.yml",
        "*.yml",
      ],
      dir,
    );
    expect(result.stdout).toBe(
      [
        "OK org.yml: 2 gates",
        "OK checkouts/shop/.github/release-policy.yml: 2 gates",
        "2 files: 2 valid, 0 invalid, 0 unreadable",
        "",
      ].join("\n"),
    );
    expect(result.code).toBe(0);
  });

  it("exits 2 when a pattern matches nothing or a file cannot be read, and still checks the rest", async () => {
    await writeFile(join(dir, "org.yml"), INVALID);
    const result = await run(["validate", "nope/*.yml", "missing.yml", "org.yml"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      [
        "release-policy validate: no file matches nope/*.yml",
        "release-policy validate: cannot read missing.yml: no such file",
        "",
      ].join("\n"),
    );
    expect(result.stdout).toMatch(
      /^org\.yml:2:\d+: .*\n2 files: 0 valid, 1 invalid, 1 unreadable\n$/,
    );
  });

  it("never walks node_modules or .git, and follows no symbolic link", async () => {
    for (const hidden of ["node_modules/pkg", ".git/x"]) {
      await mkdir(join(dir, hidden, ".github"), { recursive: true });
      await writeFile(join(dir, hidden, ".github/release-policy.yml"), INVALID);
    }
    await symlink(join(dir, "node_modules"), join(dir, "linked"));
    await writeFile(join(dir, ".github/release-policy.yml"), VALID);
    expect(await run(["validate", "**/.github/release-policy.yml"], dir)).toEqual({
      code: 0,
      stdout: "OK .github/release-policy.yml: 2 gates\n",
      stderr: "",
    });
  });
});

describe("release-policy", () => {
  it("prints the version in package.json with --version", async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    expect(await run(["--version"], dir)).toEqual({
      code: 0,
      stdout: `release-policy ${manifest.version}\n`,
      stderr: "",
    });
  });

  it("lists every command in its help", async () => {
    const result = await run(["--help"], dir);
    expect(result).toEqual({ code: 0, stdout: helpText(), stderr: "" });
    for (const command of Object.values(commands)) expect(result.stdout).toContain(command.usage);
    // Summaries line up in one column, however long the longest usage is.
    expect(result.stdout).toMatch(
      /^ {2}validate \[file\|pattern\]\.\.\. +Check policy files \(default: \.github\/release-policy\.yml\)$/m,
    );
    const columns = result.stdout
      .split("\n")
      .filter((line) => /^ {2}\S/.test(line))
      .map((line) => /^ {2}\S.*?\S {2,}(?=\S)/.exec(line)?.[0].length);
    expect(new Set(columns).size).toBe(1);
  });

  it("exits 2 with the help on stderr when no command is given", async () => {
    expect(await run([], dir)).toEqual({ code: 2, stdout: "", stderr: helpText() });
  });

  it("exits 2 for an unknown command", async () => {
    const result = await run(["explode"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe('release-policy: unknown command "explode"');
  });

  it("does not treat inherited object keys as commands", async () => {
    expect((await run(["toString"], dir)).code).toBe(2);
  });
});

describe("this repository's own policy", () => {
  it("validates", async () => {
    expect(await run(["validate"], ROOT)).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^OK \.github\/release-policy\.yml: \d+ gates\n$/),
      stderr: "",
    });
  });
});
