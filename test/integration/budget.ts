// What one event may cost GitHub, checked as a budget rather than as an exact list: the
// writes are the behaviour under test and are listed exactly, while the reads are only
// counted (and named where a test is about making or avoiding one), so a better fetching
// plan changes a number, not every test. Shared by the harness and the deployment World;
// it has no side effects of its own.

/** One request as a budget sees it: "METHOD /path?query", and whether the stand-in answered it. */
export interface Counted {
  line: string;
  /** False when no interceptor of GitHub's stand-in matched it (nock answered 501). */
  matched: boolean;
}

export interface Budget {
  /** GET requests and the installation-token request. */
  reads: {
    /** Today's count for the event: a change that adds a read fails the test. */
    atMost: number;
    /** Reads the test is about making: each must be among them. */
    includes?: readonly string[];
    /** Reads the test is about avoiding (kept, cached, not needed): none may be made. */
    excludes?: readonly string[];
  };
  /** Every other POST, PATCH, PUT and DELETE, exactly, in any order; none may repeat. */
  writes: readonly string[];
}

/** An event that reaches GitHub not at all. */
export const NOTHING: Budget = { reads: { atMost: 0 }, writes: [] };

// Probot asks for a token before an installation's first call: it changes nothing on GitHub.
const TOKEN = /^POST \/app\/installations\/\d+\/access_tokens$/;
const WRITE = /^(POST|PATCH|PUT|DELETE) /;

export function isWrite(line: string): boolean {
  return WRITE.test(line) && !TOKEN.test(line);
}

/**
 * Whether `pattern` names `line`: the same line, or, for a pattern without a query, the same
 * path with any query, so "GET /repos/o/r/pulls" in `excludes` also rules out a listing
 * with another page size.
 */
export function names(pattern: string, line: string): boolean {
  return line === pattern || (!pattern.includes("?") && line.startsWith(`${pattern}?`));
}

function counts(lines: readonly string[]): Map<string, number> {
  const counted = new Map<string, number>();
  for (const line of lines) counted.set(line, (counted.get(line) ?? 0) + 1);
  return counted;
}

/** Each way `made` breaks `budget`, as a sentence; none when it keeps to it. */
export function budgetProblems(made: readonly Counted[], budget: Budget): string[] {
  const problems: string[] = [];
  for (const request of made.filter((r) => !r.matched))
    problems.push(`not answered by GitHub's stand-in: ${request.line}`);

  const lines = made.filter((r) => r.matched).map((r) => r.line);
  const writes = counts(lines.filter(isWrite));
  const expected = counts(budget.writes);
  for (const [line, times] of expected) {
    // A budget that lists a write twice would allow what it is there to forbid.
    if (times > 1) problems.push(`the budget lists ${line} ${times} times: no write may repeat`);
    if (!isWrite(line)) problems.push(`the budget lists ${line} as a write: it is a read`);
    else if (!writes.has(line)) problems.push(`missing write: ${line}`);
  }
  for (const [line, times] of writes) {
    if (!expected.has(line)) problems.push(`unexpected write: ${line}`);
    if (times > 1) problems.push(`repeated write: ${line} made ${times} times`);
  }

  const reads = lines.filter((line) => !isWrite(line));
  if (reads.length > budget.reads.atMost)
    problems.push(`${reads.length} reads, over the budget of ${budget.reads.atMost}`);
  for (const pattern of budget.reads.includes ?? [])
    if (!reads.some((line) => names(pattern, line))) problems.push(`missing read: ${pattern}`);
  for (const pattern of budget.reads.excludes ?? [])
    for (const line of reads.filter((read) => names(pattern, read)))
      problems.push(`read that should have been avoided: ${line}`);
  return problems;
}

/**
 * Fails the test when the requests one event made break `budget`, listing every problem and
 * every request made (in the order seen), so the failure says what to change.
 */
export function expectWithin(made: readonly Counted[], budget: Budget): void {
  const problems = budgetProblems(made, budget);
  if (problems.length === 0) return;
  const seen = made.map((r) => `  ${r.line}${r.matched ? "" : " (not answered)"}`);
  throw new Error(
    [
      "the event broke its request budget:",
      ...problems.map((p) => `- ${p}`),
      "requests made:",
      ...seen,
    ].join("\n"),
  );
}
