// The registry is the one list of requirement kinds: everything else derives from it, so a
// kind left out of it, or out of what derives from it, fails here.
import { readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import {
  requirementSchema,
  KIND_KEYS,
  KINDS,
  STAGE_KINDS,
} from "../../src/requirements/registry.js";
import { STAGES } from "../../src/requirements/kind.js";

const folder = new URL("../../src/requirements/", import.meta.url);

/** Every object a module in src/requirements/ exports that is shaped like a kind. */
async function declaredKinds(): Promise<{ file: string; key: string; kind: unknown }[]> {
  const files = readdirSync(folder).filter((f) => f.endsWith(".ts"));
  const found: { file: string; key: string; kind: unknown }[] = [];
  for (const file of files) {
    const module: Record<string, unknown> = await import(new URL(file, folder).href);
    for (const value of Object.values(module)) {
      if (typeof value === "object" && value !== null && "evaluate" in value && "key" in value) {
        found.push({ file, key: String(value.key), kind: value });
      }
    }
  }
  return found;
}

describe("the requirement registry", () => {
  it("lists every kind a module declares, under its own key", async () => {
    const declared = await declaredKinds();
    expect(declared.length).toBeGreaterThan(10);
    for (const { file, key, kind } of declared) {
      expect({ file, registered: KINDS[key as keyof typeof KINDS] }).toEqual({
        file,
        registered: kind,
      });
    }
    expect(KIND_KEYS.sort()).toEqual(declared.map((d) => d.key).sort());
  });

  it("makes every kind, and nothing else, a key of `require`", () => {
    expect(Object.keys(requirementSchema.shape).sort()).toEqual([...KIND_KEYS].sort());
  });

  it("gives every stage at least one kind, and every kind a stage", () => {
    for (const stage of STAGES) expect(STAGE_KINDS[stage].length).toBeGreaterThan(0);
    for (const key of KIND_KEYS) expect(KINDS[key].stages.length).toBeGreaterThan(0);
  });

  it("names only events the app subscribes to (app.yml)", () => {
    const manifest = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as {
      default_events: string[];
    };
    for (const key of KIND_KEYS) {
      for (const event of KINDS[key].events) {
        expect({ key, event: event.split(".")[0] }).toEqual({
          key,
          event: expect.stringMatching(new RegExp(`^(${manifest.default_events.join("|")})$`)),
        });
      }
    }
  });

  it("documents every kind in docs/policy.md", () => {
    const doc = readFileSync(new URL("../../docs/policy.md", import.meta.url), "utf8");
    for (const key of KIND_KEYS) {
      expect(doc).toContain(`| \`gates.<gate>.require.${key}\``);
      expect(doc).toContain(`| \`${key}\``);
    }
  });
});
