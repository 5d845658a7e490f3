/**
 * Glob matching: globs the validator accepts, written to make a backtracking matcher take
 * exponential time, each matched against 4 KB paths in this process. Every match must take
 * under GLOB_MATCH_MS: policies are matched in the process every installation shares. Each
 * figure is the median of REPEATS matches (a collection pause is not the matcher's), after
 * one warm-up match (the process's first match compiles the matcher's own code).
 */
import { compileGlob, globError } from "../src/model/glob.js";
import type { Line } from "./budget.js";

export const GLOB_BENCH = "glob matching";
const GLOB_MATCH_MS = 10;
const PATH_BYTES = 4096;
const REPEATS = 5;

/** Each accepted by the validator (checked below); each a catastrophe for backtracking. */
const HOSTILE_GLOBS = [
  "*a*a*a*a*a*a*a*a*a*b",
  "**/*a*a*a*a*a*a*a*a*b",
  "**a**a**a**a**a**a**a**a**a**b",
  "*?*?*?*?*?b",
  "[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*b",
  "{a,aa}*{a,aa}*{a,aa}*{a,aa}*{a,aa}*{a,aa}*{a,aa}*{a,aa}*{a,aa}*b",
  "**/a/**/a/**/a/**/a/**/a/**/a/**/a/**/a/**/a/**/b",
];

const PATHS = [
  "a".repeat(PATH_BYTES),
  `${"a".repeat(PATH_BYTES - 1)}c`,
  "a/".repeat(PATH_BYTES / 2 - 1) + "ac",
  `src/${"a.".repeat(PATH_BYTES / 2 - 3)}ts`,
];

export function globLines(): Line[] {
  const refused = HOSTILE_GLOBS.filter((glob) => globError(glob) !== null);
  compileGlob("**/*.ts")("src/index.ts");
  let slowest = { ms: 0, glob: "", path: "" };
  for (const glob of HOSTILE_GLOBS.filter((g) => !refused.includes(g))) {
    const matches = compileGlob(glob);
    for (const path of PATHS) {
      const ms = medianMs(() => matches(path));
      if (ms > slowest.ms) slowest = { ms, glob, path: `${path.slice(0, 8)}… (${path.length})` };
    }
  }
  return [
    {
      name: `${GLOB_BENCH}: every hostile glob the validator accepts matches a 4 KB path in < ${GLOB_MATCH_MS} ms`,
      pass: refused.length === 0 && slowest.ms < GLOB_MATCH_MS,
      measured:
        refused.length > 0
          ? `the validator refuses ${refused.join(", ")}: the case no longer measures them`
          : `slowest ${slowest.ms.toFixed(2)} ms (${slowest.glob} on ${slowest.path})`,
    },
  ];
}

function medianMs(work: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPEATS / 2)] ?? 0;
}
