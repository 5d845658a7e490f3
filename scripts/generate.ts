// `npm run generate`: writes the files derived from src/policy/schema.ts (the JSON Schema,
// docs/policy.md's reference) and from the app's renderers (README.md's "What a developer
// sees"), formatted as the repository formats them. test/policy/generated.test.ts fails when they are stale.
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { renderJsonSchema, replaceReference } from "../src/policy/reference.js";
import { renderDeveloperView, replaceDeveloperView } from "./developer-view.js";

export const SCHEMA_FILE = "schema/release-policy.schema.json";
export const DOC_FILE = "docs/policy.md";
export const README_FILE = "README.md";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");

async function formatted(path: string, text: string): Promise<string> {
  const options = (await resolveConfig(path)) ?? {};
  return format(text, { ...options, filepath: path });
}

/** Each generated file's path (relative to the root) and the content it should have. */
export async function generatedFiles(root = ROOT): Promise<{ path: string; content: string }[]> {
  const doc = await readFile(resolve(root, DOC_FILE), "utf8");
  const readme = await readFile(resolve(root, README_FILE), "utf8");
  return [
    {
      path: SCHEMA_FILE,
      content: await formatted(resolve(root, SCHEMA_FILE), renderJsonSchema()),
    },
    { path: DOC_FILE, content: await formatted(resolve(root, DOC_FILE), replaceReference(doc)) },
    {
      path: README_FILE,
      content: await formatted(
        resolve(root, README_FILE),
        replaceDeveloperView(readme, await renderDeveloperView(root)),
      ),
    },
  ];
}

async function run(): Promise<void> {
  for (const { path, content } of await generatedFiles()) {
    await writeFile(resolve(ROOT, path), content);
    console.log(`wrote ${path}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}
