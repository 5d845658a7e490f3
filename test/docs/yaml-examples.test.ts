// Every YAML example in README.md and docs/*.md is run through the validator, so no example
// a reader copies is wrong. A block shows either a whole policy, or a fragment the docs
// introduce by its key: a gate's `require:` (checked inside a gate of some stage) or a
// requirement's `window:`. Conventions, said in docs/policy.md ("Validate a policy"):
// - an example meant to be invalid starts with a comment line `# invalid: <why>`, and
//   must then have a problem;
// - a YAML file that is not a policy (a workflow, a manifest) starts with a comment line
//   naming it, `# .github/workflows/deploy.yml`, and is left out.
import { parsePolicy } from "../../src/policy/parse.js";
import type { PolicyProblem } from "../../src/model/result.js";
import { codeBlocks, projectDocs, type CodeBlock } from "./markdown.js";

const STAGES = ["pull_request", "release", "deployment"] as const;
const INVALID = /^#\s*invalid:/;
const OTHER_FILE = /^#\s*(?!.*release-policy\.ya?ml)\S+\.ya?ml\s*$/;

const examples = projectDocs()
  .flatMap(codeBlocks)
  .filter((block) => block.lang === "yaml" || block.lang === "yml")
  .filter((block) => !OTHER_FILE.test(firstLine(block)));

function firstLine(block: CodeBlock): string {
  return block.text.split("\n")[0]?.trim() ?? "";
}

const indent = (text: string, spaces: number): string =>
  text
    .split("\n")
    .map((line) => (line === "" ? line : `${" ".repeat(spaces)}${line}`))
    .join("\n");

/** The policies an example can stand for: itself, or its fragment placed where it belongs. */
function candidates(text: string): { text: string; offset: number }[] {
  const top = /^([a-z_]+):/m.exec(text.replace(/^#.*$/gm, ""))?.[1];
  const inGate = (body: string, offset: number) =>
    STAGES.map((stage) => ({
      text: `gates:\n  example:\n    stage: ${stage}\n${indent(body, 4)}`,
      offset: offset + 3,
    }));
  if (top === "require") return inGate(text, 0);
  if (top === "window") return inGate(`require:\n${indent(text, 2)}`, 1);
  return [{ text, offset: 0 }];
}

/** The problems of the best placement: none when any placement is valid. */
function problemsOf(block: CodeBlock): string[] {
  let best: string[] | undefined;
  for (const candidate of candidates(block.text)) {
    const { policy, problems } = parsePolicy({ location: block.file, text: candidate.text });
    const lines = problems.map(
      (p: PolicyProblem) =>
        `${block.file}:${block.line + p.line - 1 - candidate.offset}: ${p.path}: ${p.message}`,
    );
    if (policy && problems.length === 0) return [];
    if (best === undefined || lines.length < best.length) best = lines;
  }
  return best ?? ["no placement was tried"];
}

describe("YAML examples in the docs", () => {
  it("are found (the extraction works)", () => {
    expect(examples.length).toBeGreaterThanOrEqual(20);
    expect(examples.some((b) => b.file === "README.md")).toBe(true);
  });

  it.each(examples.map((b) => [`${b.file}:${b.line}`, b] as const))(
    "%s validates as its first line says",
    (_, block) => {
      const problems = problemsOf(block);
      if (INVALID.test(firstLine(block))) expect(problems).not.toEqual([]);
      else expect(problems).toEqual([]);
    },
  );
});
