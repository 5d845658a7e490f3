// `release-policy validate` warns about change types that reach an environment ungated, and a
// warning leaves the exit code at 0.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";

async function run(argv: string[], cwd: string) {
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

const POLICY = [
  "change_types:",
  '  emergency: { labels: ["change: emergency"] }',
  "  normal: { default: true }",
  "environments:",
  "  production: {}",
  "gates:",
  "  production-window:",
  "    stage: deployment",
  "    environments: [production]",
  "    unless: { change_types: [emergency] }",
  '    require: { window: { timezone: UTC, allow: ["Mon-Fri 09:00-16:00"] } }',
  "",
].join("\n");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "release-policy-warn-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("release-policy validate: warnings", () => {
  it("prints the warning with its position and still exits 0", async () => {
    await writeFile(join(dir, "p.yml"), POLICY);
    expect(await run(["validate", "p.yml"], dir)).toEqual({
      code: 0,
      stdout:
        'p.yml:5:3: environments.production: warning: "emergency" changes can reach production with no deployment gate: every gate guarding it can leave them out: production-window (unless: change_types emergency). If that is not meant, give production a gate that always applies to them\n' +
        "OK p.yml: 1 gate, 1 warning\n",
      stderr: "",
    });
  });

  it("does not warn about a file with _extends: its bases may add gates", async () => {
    await writeFile(join(dir, "p.yml"), `_extends: .github\n${POLICY}`);
    const result = await run(["validate", "p.yml"], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("OK p.yml: 1 gate\n");
  });
});
