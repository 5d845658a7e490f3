// `validate --format github`: each problem a GitHub Actions workflow command on its file,
// line and column, for an organization's repositories checked out side by side and merged
// with their bases (--bases), and escaped so a policy's own text cannot start a command.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escapeData, escapeProperty } from "../../src/cli/workflow-commands.js";
import { ANNOTATED, writeCheckouts } from "./org-checkouts.js";
import { runCli } from "./run-cli.js";

const ALL = "repos/*/*/.github/release-policy.yml";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "release-policy-github-format-"));
  await writeCheckouts(dir);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = (text: string): string[] => text.split("\n").filter((line) => line !== "");

describe("validate --format github", () => {
  it("annotates each problem's line, each file merged with its bases as its checkout's repository", async () => {
    const { code, stdout, stderr } = await runCli(
      ["validate", ALL, "--bases", "repos", "--format", "github"],
      { cwd: dir, env: {} },
    );
    expect(lines(stdout)).toEqual(ANNOTATED);
    expect(stderr).toBe("");
    expect(code).toBe(1);
  });

  it("is the default inside a GitHub Actions job, and text outside one", async () => {
    const args = ["validate", "repos/acme/web/.github/release-policy.yml"];
    const inActions = await runCli(args, { cwd: dir, env: { GITHUB_ACTIONS: "true" } });
    const outside = await runCli(args, { cwd: dir, env: {} });
    const forced = await runCli([...args, "--format", "text"], {
      cwd: dir,
      env: { GITHUB_ACTIONS: "true" },
    });
    expect(inActions.stdout).toMatch(/^::error file=repos\/acme\/web\//);
    expect(outside.stdout).toMatch(/^repos\/acme\/web\/\.github\/release-policy\.yml:4:39: /);
    expect(forced.stdout).toBe(outside.stdout);
    expect([inActions.code, outside.code, forced.code]).toEqual([1, 1, 1]);
  });

  it("prints warnings as ::warning, and they leave the exit code at 0", async () => {
    await writeFile(
      join(dir, "ungated.yml"),
      [
        "change_types:",
        "  emergency: { labels: [emergency] }",
        "environments:",
        "  production: {}",
        "gates:",
        "  window:",
        "    stage: deployment",
        "    environments: [production]",
        "    unless: { change_types: [emergency] }",
        "    require: { deployment_approval: { count: 1, from: { teams: [ops] } } }",
        "",
      ].join("\n"),
    );
    const { code, stdout } = await runCli(["validate", "--format", "github", "ungated.yml"], {
      cwd: dir,
      env: {},
    });
    expect(lines(stdout)[0]).toMatch(
      /^::warning file=ungated\.yml,line=4,col=3,title=environments\.production::"emergency" changes can reach production /,
    );
    expect(lines(stdout)[1]).toBe("OK ungated.yml: 1 gate, 1 warning");
    expect(code).toBe(0);
  });

  it("refuses an unknown format", async () => {
    const { code, stderr } = await runCli(["validate", "--format", "xml"], { cwd: dir, env: {} });
    expect(stderr).toMatch(/^release-policy validate: --format must be text or github, not "xml"/);
    expect(code).toBe(2);
  });
});

describe("a policy's text in a workflow command", () => {
  it("cannot start a command of its own, from a key, a message or a file name", async () => {
    const evil = join("repos", "acme", "evil,line=1::\n::warning::x", ".github");
    await mkdir(join(dir, evil), { recursive: true });
    await writeFile(join(dir, evil, "release-policy.yml"), '"x\\n::warning::x\\r%0A": 1\n');
    const { code, stdout } = await runCli(
      ["validate", "--format", "github", join(evil, "release-policy.yml")],
      { cwd: dir, env: {} },
    );
    expect(stdout).toBe(
      [
        '::error file=repos/acme/evil%2Cline=1%3A%3A%0A%3A%3Awarning%3A%3Ax/.github/release-policy.yml,line=1,col=1,title=["x\\n%3A%3Awarning%3A%3Ax\\r%250A"]::unknown key "x%0A::warning::x%0D%250A"; allowed keys: _extends, required, mode, change_types, environments, gates, defaults, releases, desk',
        "",
      ].join("\n"),
    );
    // One line: whatever the file holds, the runner reads one command.
    expect(stdout.trimEnd().split(/\r|\n/)).toHaveLength(1);
    expect(code).toBe(1);
  });

  it("escapes as GitHub documents: %, CR and LF in data; also : and , in properties", () => {
    expect(escapeData("100%\r\n::warning::x")).toBe("100%25%0D%0A::warning::x");
    expect(escapeProperty("a:b,c%\n")).toBe("a%3Ab%2Cc%25%0A");
  });
});
