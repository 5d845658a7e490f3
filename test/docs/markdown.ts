// Fenced code blocks of the project's Markdown, so tests can run what the docs show.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

export interface CodeBlock {
  /** Repository-relative path of the Markdown file. */
  file: string;
  /** 1-based line of the block's first content line. */
  line: number;
  /** The info string's first word: "yaml", "sh", "console", … */
  lang: string;
  text: string;
}

/** README.md and every docs/*.md: the pages a reader follows. */
export function projectDocs(): string[] {
  const docs = readdirSync(resolve(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

/** The fenced blocks of a Markdown file (``` or ~~~ fences, at the left margin or in a list). */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(resolve(ROOT, file), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  let open: { fence: string; indent: number; lang: string; line: number; body: string[] } | null =
    null;
  lines.forEach((line, index) => {
    if (open === null) {
      const start = /^( *)(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
      if (start) {
        open = {
          indent: start[1]?.length ?? 0,
          fence: start[2] ?? "```",
          lang: start[3] ?? "",
          line: index + 2,
          body: [],
        };
      }
      return;
    }
    if (line.trim().startsWith(open.fence) && line.trim().replace(/[`~]/g, "") === "") {
      blocks.push({ file, line: open.line, lang: open.lang, text: `${open.body.join("\n")}\n` });
      open = null;
      return;
    }
    open.body.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
  });
  return blocks;
}
