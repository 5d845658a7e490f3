import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_FACTS_BYTES } from "../../src/cli/explain.js";
import { main } from "../../src/cli/main.js";
import type { Evaluation } from "../../src/model/result.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const EXAMPLE = join(ROOT, "docs/examples/pull-request-facts.json");
const POLICY = join(ROOT, ".github/release-policy.yml");
const NOW = new Date("2026-11-26T10:00:00Z");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function explain(...argv: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd: dir,
    now: () => NOW,
  };
  const code = await main(["explain", ...argv], io);
  return { code, stdout, stderr };
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "release-policy-explain-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function exampleFacts(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(EXAMPLE, "utf8")) as Record<string, unknown>;
}

async function write(name: string, content: string): Promise<string> {
  await writeFile(join(dir, name), content);
  return name;
}

describe("release-policy explain", () => {
  it("prints each gate, why and how to satisfy it, and exits 1 while one waits", async () => {
    const result = await explain(EXAMPLE, "--policy", POLICY);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("2 of 3 gates pass · waiting on 1");
    expect(result.stdout).toContain("Evaluated for: 2026-11-26T10:00:00.000Z");
    expect(result.stdout).toMatch(
      /^WAIT {2}readiness\n {6}why: 1 of 3 checklist items ticked\n {6}fix: Tick/m,
    );
    expect(result.stdout).toContain("PASS  peer-review");
    expect(result.stdout).toContain("SKIP  policy-review");
  });

  it("exits 0 when every applicable gate holds", async () => {
    const facts = await exampleFacts();
    facts.labels = ["change: standard"];
    const file = await write("facts.json", JSON.stringify(facts));
    const result = await explain(file, "--policy", POLICY);
    expect(result.stdout).toContain("All 2 gates pass (success: the change may merge)");
    expect(result.code).toBe(0);
  });

  it("prints the result tree as JSON, evaluated at --now", async () => {
    const result = await explain(
      EXAMPLE,
      "--policy",
      POLICY,
      "--json",
      "--now",
      "2027-01-02T03:04:05Z",
    );
    const evaluation = JSON.parse(result.stdout) as Evaluation;
    expect(evaluation.conclusion).toBe("pending");
    expect(evaluation.evaluatedAt).toBe("2027-01-02T03:04:05.000Z");
    expect(evaluation.gates.map((g) => [g.id, g.status])).toEqual([
      ["tests", "pass"],
      ["peer-review", "pass"],
      ["policy-review", "skipped"],
      ["readiness", "pending"],
    ]);
  });

  it("reads the policy from .github/release-policy.yml by default", async () => {
    const result = await explain(EXAMPLE);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read .github/release-policy.yml: no such file");
  });

  it("names every problem of a facts file by its key path", async () => {
    const facts = await exampleFacts();
    facts.numbr = 1;
    facts.draft = "no";
    delete facts.title;
    const file = await write("facts.json", JSON.stringify(facts));
    const result = await explain(file, "--policy", POLICY);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("facts.json: title:");
    expect(result.stdout).toContain("facts.json: draft:");
    expect(result.stdout).toContain('facts.json: (top level): Unrecognized key: "numbr"');
  });

  it("refuses a facts file that is not JSON, or too large to be one", async () => {
    const notJson = await explain(await write("bad.json", "{ nope"), "--policy", POLICY);
    expect(notJson.code).toBe(1);
    expect(notJson.stdout).toMatch(/^bad\.json: not JSON: /);
    const huge = await explain(
      await write("huge.json", " ".repeat(MAX_FACTS_BYTES + 1)),
      "--policy",
      POLICY,
    );
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain(`facts files are at most ${MAX_FACTS_BYTES}`);
  });

  it("reports an invalid policy at its line and evaluates nothing", async () => {
    const policy = await write(
      "policy.yml",
      "gates:\n  tests:\n    stage: pull_reqest\n    require: { checks: [test] }\n",
    );
    const result = await explain(EXAMPLE, "--policy", policy);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^The policy is invalid: no gate was evaluated\.\npolicy\.yml:3:12: gates\.tests\.stage: /,
    );
  });

  it("refuses a policy that extends another, which cannot be fetched offline", async () => {
    const policy = await write("policy.yml", "_extends: .github\ngates: {}\n");
    const result = await explain(EXAMPLE, "--policy", policy);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('extends ".github"; give --bases DIR');
  });

  it.each([
    [[], "expected a facts file"],
    [["a.json", "b.json"], "expected one facts file"],
    [["a.json", "--policy"], "--policy needs a value"],
    [["a.json", "--verbose"], 'unknown option "--verbose"'],
    [["a.json", "--now", "yesterday"], '--now "yesterday" is not a time'],
  ])("refuses the arguments %j", async (argv, why) => {
    const result = await explain(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`release-policy explain: ${why}`);
  });
});
