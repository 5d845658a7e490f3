import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedFiles } from "../../scripts/generate.js";
import {
  expectedWords,
  policyJsonSchema,
  REFERENCE_END,
  REFERENCE_START,
  renderReference,
  replaceReference,
  schemaAt,
} from "../../src/policy/reference.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

describe("generated files", () => {
  it("are up to date with src/policy/schema.ts", async () => {
    for (const { path, content } of await generatedFiles(ROOT)) {
      const committed = await readFile(resolve(ROOT, path), "utf8");
      if (committed !== content) {
        throw new Error(`${path} is stale: run npm run generate`);
      }
    }
  });
});

describe("the JSON Schema", () => {
  it("is draft 2020-12 and closed at every level", () => {
    const schema = policyJsonSchema();
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.additionalProperties).toBe(false);
    expect(schemaAt(schema, ["gates", "cab", "require"])?.additionalProperties).toBe(false);
  });

  it.each([
    [["gates", "cab", "require", "approvals", "count"], "a whole number from 1 to 50"],
    [
      ["gates", "cab", "require", "approvals", "from", "permission"],
      'one of "read", "triage", "write", "maintain" or "admin"',
    ],
    [["gates", "cab", "require", "checks", "neutral"], 'one of "pass" or "fail"'],
    [["defaults", "invalidate_on_push"], "true or false"],
    [["environments", "production", "soak"], 'a duration such as "30m", "24h" or "2d"'],
    [["gates", "cab", "require", "checklist", 0, "text"], "text (1 to 300 characters)"],
  ])("describes %j as %s", (path, words) => {
    const node = schemaAt(policyJsonSchema(), path);
    expect(node && expectedWords(node)).toBe(words);
  });
});

describe("the key reference", () => {
  const reference = renderReference();

  it.each([
    "| `_extends` | text | optional |",
    '| `gates.<gate>.require.approvals.from.permission` | `"read"` or `"triage"` or `"write"` or `"maintain"` or `"admin"` | optional |',
    "| `gates.<gate>.require.approvals.count` | whole number (1 to 50) | required |",
    '| `gates.<gate>.require.checks.neutral` | `"pass"` or `"fail"` | optional | pass | How a neutral conclusion counts. |',
    "| `gates.<gate>.require.checklist[].by.teams` | list of text | optional |",
    "| `defaults.invalidate_on_push` | true/false | optional | true | Drop approvals given to an older head commit. |",
    "| `environments.<environment>.soak` | duration | optional |",
  ])("has the row %s", (row) => {
    expect(reference).toContain(row);
  });

  it("replaces only the text between the markers", () => {
    const doc = `# Title\n\n${REFERENCE_START}\nold\n${REFERENCE_END}\n\nAfter.\n`;
    const replaced = replaceReference(doc, "NEW");
    expect(replaced).toBe(
      `# Title\n\n${REFERENCE_START}\n\n<!-- Generated from src/policy/schema.ts by \`npm run generate\`; do not edit. -->\n\nNEW\n\n${REFERENCE_END}\n\nAfter.\n`,
    );
    expect(replaceReference(replaced, "NEW")).toBe(replaced);
  });

  it("refuses a document without markers", () => {
    expect(() => replaceReference("# Title\n", "x")).toThrow(/reference:start/);
  });
});
