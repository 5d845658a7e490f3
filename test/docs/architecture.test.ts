// docs/architecture.md draws what the lint rule enforces and shows real code: the layers'
// table must list the layers of eslint.layers.js in their order, and the example kind must
// be the one in src/requirements/.
import { readFileSync } from "node:fs";
// eslint.layers.js is plain JavaScript shared with eslint.config.js.
import { LAYERS } from "../../eslint.layers.js";

const read = (path: string): string =>
  readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const doc = read("docs/architecture.md");

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no ${start} … ${end} in the document`);
  return text.slice(from + start.length, to);
}

/** "src/model/**" is shown as `src/model/`; a file pattern as itself. */
const shown = (pattern: string): string => `\`${pattern.replace(/\*\*$/, "")}\``;

describe("docs/architecture.md", () => {
  it("lists the lint rule's layers, lowest first, with their folders", () => {
    const rows = between(doc, "<!-- layers:start -->", "<!-- layers:end -->")
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    expect(rows.map((cells) => [cells[1], cells[2]])).toEqual(
      LAYERS.map(([name, patterns]) => [`\`${name}\``, patterns.map(shown).join(", ")]),
    );
  });

  it("shows the example kind exactly as src/requirements/ declares it", () => {
    const example = between(doc, "<!-- kind-example:start -->", "<!-- kind-example:end -->");
    const code = example.slice(example.indexOf("```ts\n") + 6, example.lastIndexOf("```"));
    expect(read("src/requirements/max-changed-files.ts")).toContain(code);
  });

  it("shows the registry line that adds it", () => {
    expect(read("src/requirements/registry.ts")).toContain("  max_changed_files: maxChangedFiles,");
    expect(doc).toContain("  max_changed_files: maxChangedFiles,");
  });
});
