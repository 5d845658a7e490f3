// Every glob a policy supplies (paths, base branches, release branches) is matched here.
// picomatch reads the glob (braces, character classes, `**`, dotfiles included) into a regular
// expression; that expression runs on RE2, which matches in time linear in the input, so no
// glob can stall the process the way backtracking on `*a*a*a*a*b` does.
//
// RE2 has no lookaround. picomatch emits lookarounds only to refuse empty, `.` and `..` path
// segments and to require a wildcard at a segment's start to match something; GitHub's file
// paths and branch names never have such segments, so they are dropped (the last wildcard of
// a glob keeps its "at least one character"). A glob whose expression still needs them (a `.`
// right before `*` in the middle of a name inside `{…}` or `(…)`) is refused by globError.
import picomatch from "picomatch";
import { RE2JS, RE2JSException } from "re2js";

/** Most wildcards (`*`, `**`, `?`) one glob may hold: each adds to the matching program. */
export const MAX_GLOB_WILDCARDS = 10;
/** Largest compiled program (RE2's measure of cost) a glob may have. */
export const MAX_GLOB_PROGRAM = 2_000;

// Dotfiles match too: a gate on "**" must not let a change under .github/ slip past it.
// Extglobs are refused by globError; matching without them keeps the two in agreement.
const OPTIONS = { dot: true, noextglob: true } as const;

/** The guards picomatch puts where a segment starts: not empty, not `.`, not `..`. */
const SEGMENT_GUARDS = [
  String.raw`(?!(?:^|\/)\.{1,2}(?:\/|$))`,
  String.raw`(?!\.{1,2}(?:\/|$))`,
  String.raw`(?!\.{0,1}(?:\/|$))`,
];
/** The same guard after a `.` that does not start a segment: it depends on what follows. */
const MID_NAME_DOT_GUARD = /[^/]\\\.\(\?!\\\.\{0,1\}/;
const NON_EMPTY = "(?=.)";
/** A wildcard that ends the glob and must match at least one character. */
const LAST_NON_EMPTY_STAR = /\(\?=\.\)\[\^\/\]\*\?(?=(?:\\\/\?)?$)/;
/**
 * Every escape, taken pair by pair so that an escaped backslash before a letter stays one:
 * escaped letters JavaScript reads as the letter itself, RE2 reads as something else.
 */
const ESCAPE = /\\([\s\S])/g;
const JS_CLASS_ESCAPES = /[bBdDwWsSfnrtvxcu]/;

/** A glob that cannot be used; the message says what is wrong in plain words. */
export class GlobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GlobError";
  }
}

/** A compiled glob: whether a path or branch name matches it. */
export type GlobTest = (value: string) => boolean;

/** Whether the text has glob syntax, or is a name to take literally. */
export function isGlob(glob: string): boolean {
  return picomatch.scan(glob).isGlob;
}

/** Why a glob cannot be used, or null. */
export function globError(glob: string): string | null {
  try {
    compileGlob(glob);
    return null;
  } catch (error) {
    if (error instanceof GlobError) return error.message;
    throw error;
  }
}

/** Compiles one glob as picomatch reads it, to run on RE2; throws GlobError. */
export function compileGlob(glob: string): GlobTest {
  const shown = JSON.stringify(glob);
  if (glob === "") throw new GlobError("a glob cannot be empty");
  if (picomatch.scan(glob).isExtglob)
    throw new GlobError(
      `glob ${shown} uses an extended glob ("+(…)", "!(…)", "@(…)"), which is not supported; use *, **, ?, [abc] or {a,b}`,
    );
  const wildcards = glob.match(/\*+|\?/g)?.length ?? 0;
  if (wildcards > MAX_GLOB_WILDCARDS)
    throw new GlobError(`glob ${shown} has ${wildcards} wildcards, at most ${MAX_GLOB_WILDCARDS}`);
  const { output, negated } = parse(glob);
  const re = toRe2(glob, output);
  // As picomatch: the glob itself matches literally, and nothing matches the empty name.
  return (value) => value !== "" && (value === glob || re.matches(value) !== negated);
}

/** A matcher for a list of globs: any may match. */
export function globsMatcher(globs: readonly string[]): GlobTest {
  const tests = globs.map(compiled);
  return (value) => tests.some((test) => test(value));
}

/** Globs compiled once per process: the same policies are evaluated on every event. */
const cache = new Map<string, GlobTest>();
const CACHE_SIZE = 1_000;

function compiled(glob: string): GlobTest {
  let test = cache.get(glob);
  if (!test) {
    test = compileGlob(glob);
    // Policies are few; a full cache means churn, and starting over keeps it bounded.
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(glob, test);
  }
  return test;
}

function parse(glob: string): { output: string; negated: boolean } {
  // picomatch turns a glob it cannot read (an unclosed "{" or "[", a reversed range) into a
  // pattern that matches nothing, which would silently never match.
  if (picomatch.makeRe(glob, { dot: true }).source === "$^")
    throw new GlobError(
      `glob ${JSON.stringify(glob)} is not valid: check for an unclosed "{" or "[", or a reversed range such as [z-a]`,
    );
  const { output, negated } = picomatch(glob, OPTIONS, true).state;
  return { output, negated: negated === true };
}

function toRe2(glob: string, output: string): RE2JS {
  const shown = JSON.stringify(glob);
  if (MID_NAME_DOT_GUARD.test(output))
    throw new GlobError(
      `glob ${shown} cannot be matched in linear time: a "." right before "*" inside {…} or (…) is not supported unless it starts a name; write the alternatives out as separate globs`,
    );
  let source = output;
  for (const guard of SEGMENT_GUARDS) source = source.split(guard).join("");
  source = source.replace(LAST_NON_EMPTY_STAR, "[^/]+?").split(NON_EMPTY).join("");
  source = source.replace(ESCAPE, (escape, char: string) =>
    /[a-zA-Z]/.test(char) && !JS_CLASS_ESCAPES.test(char) ? char : escape,
  );
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?:${source})$`);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    // RE2's own message names regular-expression syntax the policy's author never wrote.
    throw new GlobError(
      `glob ${shown} cannot be matched in linear time: check for an unbalanced "(" or ")", or a "\\" before a digit`,
    );
  }
  if (re.programSize() > MAX_GLOB_PROGRAM)
    throw new GlobError(
      `glob ${shown} is too complex (its program has ${re.programSize()} steps, at most ${MAX_GLOB_PROGRAM}); use fewer alternatives or a shorter range`,
    );
  return re;
}
