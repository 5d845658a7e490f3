import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
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

  it.each([
    [["validate", "--strict"], 'release-policy validate: unknown option "--strict"'],
    [["validate", "a.yml", "b.yml"], "release-policy validate: expected at most one file"],
  ])("exits 2 for the usage error %j", async (argv, first) => {
    const result = await run(argv, dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe(first);
    expect(result.stderr).toContain("Usage: release-policy validate [file]");
  });

  it("prints its help on stdout with --help", async () => {
    const result = await run(["validate", "--help"], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: release-policy validate \[file\]\n/);
    expect(result.stdout).toContain("Exit codes: 0 valid, 1 problems found, 2 usage error");
  });
});

describe("release-policy", () => {
  it("lists every command in its help", async () => {
    const result = await run(["--help"], dir);
    expect(result).toEqual({ code: 0, stdout: helpText(), stderr: "" });
    for (const command of Object.values(commands)) expect(result.stdout).toContain(command.usage);
    expect(result.stdout).toContain(
      "  validate [file]       Check a policy file (default: .github/release-policy.yml)",
    );
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
