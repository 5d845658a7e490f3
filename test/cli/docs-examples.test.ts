// The docs' examples of the commands that read GitHub (```console blocks running
// `$ release-policy facts …` or `audit …`) were captured from the GitHub stand-in seeded in
// docs-scenario.ts; here they run against it again, and what they print must still be what
// the docs show. Every `$ release-policy` line of such a block runs in order in one
// directory (a checkout of acme/shop: explain reads the file facts wrote); other `$` lines
// (`export GITHUB_TOKEN=…`) are the reader's to run. The stand-in's address reads as
// https://github.com, as it would against GitHub. In the shown output, a line `...` stands
// for any number of lines, as in test/docs/console-examples.test.ts.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { codeBlocks } from "../docs/markdown.js";
import { start, type StandIn } from "../stand-in/server.js";
import { DOCS_NOW, DOCS_POLICY, seedDocsScenario } from "./docs-scenario.js";

const COMMAND = "$ release-policy ";
const READS_GITHUB = /^\$ release-policy (facts|audit) /m;

interface Step {
  /** Arguments, or null for a line the reader runs (not this test). */
  args: string[] | null;
  shown: string[];
}

interface Session {
  where: string;
  steps: Step[];
}

function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

function sessions(): Session[] {
  return ["README.md", "docs/policy.md"].flatMap((file) =>
    codeBlocks(file)
      .filter((block) => block.lang === "console" && READS_GITHUB.test(block.text))
      .map((block) => {
        const steps: Step[] = [];
        for (const line of block.text.trimEnd().split("\n")) {
          if (line.startsWith(COMMAND))
            steps.push({ args: words(line.slice(COMMAND.length)), shown: [] });
          else if (line.startsWith("$ ")) steps.push({ args: null, shown: [] });
          else steps.at(-1)?.shown.push(line);
        }
        return { where: `${file}:${block.line}`, steps };
      }),
  );
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function pattern(shown: readonly string[]): RegExp {
  const lines = shown.map((line) => (line === "..." ? "(?:[^\\n]*\\n)*?" : `${escape(line)}\\n`));
  return new RegExp(`^${lines.join("")}$`);
}

const all = sessions();
let gh: StandIn;
let token: string;

beforeAll(async () => {
  gh = await start({ clock: () => DOCS_NOW });
  token = seedDocsScenario(gh);
});

afterAll(async () => {
  await gh?.close();
});

afterEach(() => {
  expect(gh.violations()).toEqual([]);
  expect(gh.unmodelled()).toEqual([]);
});

describe("the docs' examples of facts and audit", () => {
  it("are found in the README and docs/policy.md", () => {
    expect(all.map((s) => s.where.split(":")[0])).toEqual(
      expect.arrayContaining(["README.md", "docs/policy.md"]),
    );
  });

  it.each(all.map((s) => [s.where, s] as const))(
    "%s prints what the docs show",
    async (_, session) => {
      const dir = await mkdtemp(join(tmpdir(), "release-policy-docs-"));
      try {
        await mkdir(join(dir, ".github"));
        await writeFile(join(dir, ".github/release-policy.yml"), DOCS_POLICY);
        for (const step of session.steps) {
          if (step.args === null) {
            expect(step.shown).toEqual([]);
            continue;
          }
          let out = "";
          const io = {
            stdout: { write: (text: string) => (out += text) },
            stderr: { write: (text: string) => (out += text) },
            cwd: dir,
            env: { GITHUB_TOKEN: token, GITHUB_API_URL: gh.baseUrl },
            now: () => DOCS_NOW,
          };
          await main(step.args, io);
          const seen = out.split(gh.url).join("https://github.com");
          expect(`$ release-policy ${step.args.join(" ")}\n${seen}`).toMatch(
            pattern([`$ release-policy ${step.args.join(" ")}`, ...step.shown]),
          );
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
