// Which files `validate` checks: paths as given, and glob patterns (picomatch syntax)
// expanded by walking the directory before the pattern's first wildcard, so that an
// organisation can check every repository's policy in one run, e.g.
// 'checkouts/*/.github/release-policy.yml', on any shell (quoted, the pattern reaches us).
import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { resolve } from "node:path";
import picomatch from "picomatch";

/** Never walked: no policy lives there, and a dependency tree alone can hold 100k files. */
const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git"]);

export interface PolicyPaths {
  /** Every file to check, in the order given; a pattern's matches sorted, each path once. */
  paths: string[];
  /** Patterns that matched no file: a typo must not pass as "nothing to check". */
  unmatched: string[];
}

export function isPattern(arg: string): boolean {
  return picomatch.scan(arg).isGlob;
}

export async function expandPolicyPaths(
  args: readonly string[],
  cwd: string,
): Promise<PolicyPaths> {
  const paths: string[] = [];
  const unmatched: string[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    const key = resolve(cwd, path);
    if (seen.has(key)) return;
    seen.add(key);
    paths.push(path);
  };
  for (const arg of args) {
    if (!isPattern(arg)) {
      add(arg);
      continue;
    }
    const matches = await matchPattern(arg, cwd);
    if (matches.length === 0) unmatched.push(arg);
    for (const path of matches) add(path);
  }
  return { paths, unmatched };
}

/** The files under the pattern's base directory whose relative path matches its glob. */
async function matchPattern(pattern: string, cwd: string): Promise<string[]> {
  const { base, glob } = picomatch.scan(pattern);
  // dot: a policy lives in .github, which a pattern like '*/.github/*.yml' must reach.
  const matches = picomatch(glob, { dot: true });
  // Without "**" a pattern names a fixed depth: deeper directories need not be read.
  const depth = glob.includes("**") ? Infinity : glob.split("/").length;
  const found: string[] = [];
  for (const relative of await filesUnder(resolve(cwd, base), depth)) {
    if (matches(relative)) found.push(base === "" ? relative : `${base}/${relative}`);
  }
  return found.sort();
}

/**
 * Every regular file below `root` at most `depth` path segments down, as /-separated paths
 * relative to it. Symbolic links are not followed, so a link cycle cannot loop.
 */
async function filesUnder(root: string, depth: number): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string, prefix: string, level: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // a missing or unreadable directory holds no match; the pattern reports that
    }
    for (const entry of entries) {
      const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        if (level < depth && !SKIPPED_DIRECTORIES.has(entry.name)) {
          await walk(resolve(dir, entry.name), relative, level + 1);
        }
      } else if (entry.isFile()) {
        files.push(relative);
      }
    }
  };
  await walk(root, "", 1);
  return files;
}
