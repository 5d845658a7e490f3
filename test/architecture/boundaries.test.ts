// The import-boundary rule bites: an upward import fails `npm run lint`, a downward one passes.
// Linted as text under a path inside src/, with the project's own configuration.
import { ESLint } from "eslint";

const eslint = new ESLint({ cwd: new URL("../..", import.meta.url).pathname });

async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === "boundaries/dependencies")
    .map((m) => m.message);
}

describe("the import-boundary rule", () => {
  it.each([
    ["src/model/probe.ts", 'import { KeyedQueue } from "../pipeline/keyed-queue.js";'],
    ["src/facts/probe.ts", 'import { evaluatePullRequest } from "../evaluate/pull-request.js";'],
    ["src/policy/probe.ts", 'import { renderCheckRun } from "../report/check-run.js";'],
    ["src/handlers/probe.ts", 'import { buildDeps } from "../app-deps.js";'],
  ])("refuses an upward import in %s", async (path, line) => {
    const errors = await boundaryErrors(path, `${line}\nexport const probe = 1;\n`);
    expect(errors).toEqual([expect.stringMatching(/no policy allowing dependencies/)]);
  });

  it.each([
    ["src/pipeline/probe.ts", 'import type { GateResult } from "../model/result.js";'],
    ["src/evaluate/probe.ts", 'import { KINDS } from "../requirements/registry.js";'],
    ["src/app-probe.ts", 'import { routeEvents } from "./handlers/router.js";'],
  ])("allows a downward import in %s", async (path, line) => {
    expect(await boundaryErrors(path, `${line}\nexport const probe = 1;\n`)).toEqual([]);
  });
});
