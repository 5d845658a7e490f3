// Every regular expression a policy supplies runs through here. RE2 matches in time linear in
// the input, so no pattern can hang the process; the input and program caps bound that line.
import { RE2JS, RE2JSException, RE2JSSyntaxException } from "re2js";

/** Longest text a pattern is tested against: GitHub caps a pull request body at 65,536 chars. */
export const MAX_PATTERN_INPUT = 65_536;
/** Largest compiled program (RE2's rough measure of cost) a pattern may have. */
export const MAX_PATTERN_PROGRAM = 2_000;

const RE2_NOTE = "patterns use RE2 syntax (no backreferences, no lookaround)";

/** A pattern that cannot be used; the message says what is wrong in plain words. */
export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatternError";
  }
}

/** Compiles a user-supplied RE2 pattern; throws PatternError with a readable message. */
export function compilePattern(source: string): RE2JS {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (error) {
    if (error instanceof RE2JSException) throw new PatternError(explain(source, error));
    throw error;
  }
  if (re.programSize() > MAX_PATTERN_PROGRAM) {
    throw new PatternError(
      `invalid regular expression /${source}/: too complex (its program has ${re.programSize()} steps, at most ${MAX_PATTERN_PROGRAM}); simplify repetition counts`,
    );
  }
  return re;
}

/** The reason a pattern cannot be compiled, or null when it compiles. */
export function patternError(source: string): string | null {
  try {
    compilePattern(source);
    return null;
  } catch (error) {
    if (error instanceof PatternError) return error.message;
    throw error;
  }
}

/** Whether the pattern matches anywhere in the text (only its first MAX_PATTERN_INPUT chars). */
export function testPattern(re: RE2JS, text: string): boolean {
  return re.test(text.length > MAX_PATTERN_INPUT ? text.slice(0, MAX_PATTERN_INPUT) : text);
}

function explain(source: string, error: RE2JSException): string {
  const head = `invalid regular expression /${source}/`;
  if (!(error instanceof RE2JSSyntaxException)) return `${head}: ${error.message}; ${RE2_NOTE}`;
  const what = error.getDescription();
  const where = error.getPattern();
  const detail = where && where !== source ? `${what} at \`${where}\`` : what;
  return `${head}: ${detail}; ${hint(where ?? "")}`;
}

/** Names the unsupported Perl feature when that is what the user reached for. */
function hint(fragment: string): string {
  if (/^\\[1-9]/.test(fragment)) return "RE2 has no backreferences such as \\1";
  if (/\(\?<?[=!]/.test(fragment)) return "RE2 has no lookahead or lookbehind";
  return RE2_NOTE;
}
