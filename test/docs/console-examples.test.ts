// The command line's examples in the docs (```console blocks: `$ command`, then what it
// prints) are run, and what they print compared, so the docs never show output the
// command no longer gives. Commands run in-process through the CLI's `main`, from the
// repository root; test/docs/readme-commands.test.ts runs the npm script itself.
// In the shown output, a line `...` stands for any number of lines left out, and a line
// ending in `...` for the rest of that line.
import { main } from "../../src/cli/main.js";
import { codeBlocks, projectDocs, ROOT } from "./markdown.js";

const PREFIX = "npm run -s release-policy -- ";

interface Example {
  where: string;
  args: string[];
  shown: string[];
}

/** Words as sh splits them, for the quoting the examples use ('…' and "…"). */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

function examples(): Example[] {
  const found: Example[] = [];
  for (const block of projectDocs().flatMap(codeBlocks)) {
    if (block.lang !== "console") continue;
    let current: Example | undefined;
    block.text
      .trimEnd()
      .split("\n")
      .forEach((line, index) => {
        if (line.startsWith("$ ")) {
          const command = line.slice(2).trim();
          current = command.startsWith(PREFIX)
            ? {
                where: `${block.file}:${block.line + index}`,
                args: words(command.slice(PREFIX.length)),
                shown: [],
              }
            : undefined; // another program's example: not this test's to run
          if (current) found.push(current);
        } else current?.shown.push(line);
      });
  }
  return found;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The shown output as a pattern for the whole output. */
function pattern(shown: readonly string[]): RegExp {
  const lines = shown.map((line) => {
    if (line === "...") return "(?:[^\\n]*\\n)*?";
    const text = line.endsWith("...") ? `${escape(line.slice(0, -3))}[^\\n]*` : escape(line);
    return `${text}\\n`;
  });
  return new RegExp(`^${lines.join("")}${shown.at(-1) === "..." ? "[\\s\\S]*" : ""}$`);
}

const all = examples();

describe("console examples in the docs", () => {
  it("are found", () => {
    expect(all.length).toBeGreaterThanOrEqual(4);
  });

  it.each(all.map((e) => [e.where, e] as const))(
    "%s prints what the docs show",
    async (_, example) => {
      let out = "";
      const io = {
        stdout: { write: (text: string) => (out += text) },
        stderr: { write: (text: string) => (out += text) },
        cwd: ROOT,
      };
      await main(example.args, io);
      expect(out).toMatch(pattern(example.shown));
    },
  );

  it("reads `...` as lines left out, and nothing else", () => {
    expect("a\nb\nc\nd\n").toMatch(pattern(["a", "...", "d"]));
    expect("a\nb\nc\n").toMatch(pattern(["a", "..."]));
    expect("a long line\nb\n").toMatch(pattern(["a long...", "b"]));
    expect("a\nb\nc\n").not.toMatch(pattern(["a", "c"]));
    expect("a\nb\n").not.toMatch(pattern(["a"]));
  });
});
