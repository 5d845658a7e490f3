// action.yml, the composite action that validates an organization's policies in CI: it parses,
// its inputs are the ones the docs name, and its validate step, run as written with the
// inputs the docs' workflow gives it, prints the annotations `validate --format github` prints.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
import { codeBlocks, ROOT } from "../docs/markdown.js";
import { ANNOTATED, writeCheckouts } from "./org-checkouts.js";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  "working-directory"?: string;
}

interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; default?: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(await readFile(join(ROOT, "action.yml"), "utf8")) as Action;
const WORKFLOW = "# .github/workflows/release-policies.yml";

/** The docs' workflow for an organization's .github repository. */
function documentedWorkflow(): { jobs: Record<string, { steps: Step[] }> } {
  const block = codeBlocks("docs/policy.md").find((b) => b.text.startsWith(WORKFLOW));
  if (!block) throw new Error(`docs/policy.md shows no ${WORKFLOW}`);
  return parse(block.text) as { jobs: Record<string, { steps: Step[] }> };
}

/** The workflow's step that uses this action (not actions/…). */
function actionStep(): Step {
  const steps = Object.values(documentedWorkflow().jobs).flatMap((job) => job.steps);
  const step = steps.find((s) => s.uses !== undefined && !s.uses.startsWith("actions/"));
  if (!step) throw new Error("the documented workflow does not use the action");
  return step;
}

function stepNamed(name: string): Step {
  const step = action.runs.steps.find((s) => s.name === name);
  if (!step) throw new Error(`action.yml has no step "${name}"`);
  return step;
}

/** Runs a step's script as a GitHub runner runs a composite step's bash. */
function bash(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const args = ["--noprofile", "--norc", "-eo", "pipefail", "-c", script];
    execFile("bash", args, { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("action.yml", () => {
  it("is a composite action with the inputs files, bases and repo", () => {
    expect(action.name).toBe("Validate release policies");
    expect(action.description).toMatch(/annotate/);
    expect(Object.keys(action.inputs)).toEqual(["files", "bases", "repo"]);
    expect(action.inputs["files"]?.default).toBe("**/.github/release-policy.yml");
    expect(action.runs.using).toBe("composite");
  });

  it("is documented with its inputs, and the docs' workflow gives it only those", async () => {
    const docs = await readFile(join(ROOT, "docs/policy.md"), "utf8");
    for (const input of Object.keys(action.inputs)) expect(docs).toContain(`\`${input}\``);
    expect(docs).toContain("default `**/.github/release-policy.yml`");
    expect(Object.keys(actionStep().with ?? {})).toEqual(["files", "bases"]);
  });

  it("builds the command line the docs say it runs, and runs it with --format github", async () => {
    const docs = await readFile(join(ROOT, "docs/policy.md"), "utf8");
    expect(docs).toContain(
      "`node dist/cli/main.js validate <files> --bases <bases> --format github`",
    );
    const build = stepNamed("Build the command line");
    expect(build["working-directory"]).toBe("${{ github.action_path }}");
    expect(build.run).toBe("npm ci --no-audit --no-fund && npm run build");
    const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    expect(manifest.bin["release-policy"]).toBe("dist/cli/main.js");
    expect(stepNamed("Validate").run).toContain(
      'node "$GITHUB_ACTION_PATH/dist/cli/main.js" validate "${args[@]}" --format github',
    );
  });

  describe("its validate step, run as written with the docs' inputs", () => {
    let dir: string;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "release-policy-action-"));
      await writeCheckouts(dir);
      // The action's directory once built: dist/cli/main.js, here the source run through tsx.
      await mkdir(join(dir, "action", "dist", "cli"), { recursive: true });
      await symlink(join(ROOT, "src/cli/main.ts"), join(dir, "action/dist/cli/main.js"));
    });

    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("annotates every problem of the organization's checkouts and fails the job", async () => {
      const step = stepNamed("Validate");
      const given = actionStep().with ?? {};
      const input = (name: string): string => given[name] ?? action.inputs[name]?.default ?? "";
      const tsx = pathToFileURL(join(ROOT, "node_modules/tsx/dist/esm/index.mjs")).href;
      const { code, stdout, stderr } = await bash(step.run ?? "", dir, {
        PATH: process.env["PATH"] ?? "",
        FILES: input("files"),
        BASES: input("bases"),
        REPO: input("repo"),
        GITHUB_ACTION_PATH: join(dir, "action"),
        NODE_OPTIONS: `--import ${tsx}`,
      });
      expect({ stdout: stdout.split("\n").filter((l) => l !== ""), stderr }).toEqual({
        stdout: ANNOTATED,
        stderr: "",
      });
      expect(code).toBe(1);
    }, 60_000);
  });
});
