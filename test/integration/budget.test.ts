// The request budget the integration tests hold each event to: each way of breaking it is
// caught and named, and a plan that reads less still keeps to it.
import { budgetProblems, expectWithin, NOTHING, type Budget, type Counted } from "./budget.js";

const TOKEN = "POST /app/installations/77/access_tokens";
const POLICY = "GET /repos/o/r/contents/.github%2Frelease-policy.yml";
const RUNS = "GET /repos/o/r/commits/abc/check-runs?filter=latest&per_page=100";
const REVIEWS = "GET /repos/o/r/pulls/2/reviews?per_page=100";
const CREATE_RUN = "POST /repos/o/r/check-runs";
const COMMENT = "POST /repos/o/r/issues/2/comments";

const answered = (...lines: string[]): Counted[] => lines.map((line) => ({ line, matched: true }));
const OPENED = answered(TOKEN, POLICY, RUNS, CREATE_RUN);
const BUDGET: Budget = { reads: { atMost: 3 }, writes: [CREATE_RUN] };

describe("a request budget", () => {
  test("is kept by the reads it allows, by fewer, and by writes in any order", () => {
    expect(budgetProblems(OPENED, BUDGET)).toEqual([]);
    expect(budgetProblems(answered(POLICY, CREATE_RUN), BUDGET)).toEqual([]);
    expect(
      budgetProblems(answered(COMMENT, POLICY, CREATE_RUN), {
        reads: { atMost: 1 },
        writes: [CREATE_RUN, COMMENT],
      }),
    ).toEqual([]);
    expect(budgetProblems([], NOTHING)).toEqual([]);
  });

  test("counts the token request as a read, not a write", () => {
    expect(budgetProblems(OPENED, { ...BUDGET, reads: { atMost: 2 } })).toEqual([
      "3 reads, over the budget of 2",
    ]);
  });

  test("names a read over the count, a missing and an unexpected write", () => {
    expect(budgetProblems(answered(TOKEN, POLICY, RUNS, REVIEWS, COMMENT), BUDGET)).toEqual([
      `missing write: ${CREATE_RUN}`,
      `unexpected write: ${COMMENT}`,
      "4 reads, over the budget of 3",
    ]);
  });

  test("refuses a repeated write, whether made or allowed", () => {
    expect(budgetProblems([...OPENED, ...answered(CREATE_RUN)], BUDGET)).toEqual([
      `repeated write: ${CREATE_RUN} made 2 times`,
    ]);
    expect(
      budgetProblems([...OPENED, ...answered(CREATE_RUN)], {
        ...BUDGET,
        writes: [CREATE_RUN, CREATE_RUN],
      }),
    ).toEqual([
      `the budget lists ${CREATE_RUN} 2 times: no write may repeat`,
      `repeated write: ${CREATE_RUN} made 2 times`,
    ]);
  });

  test("refuses a read listed as a write", () => {
    expect(budgetProblems(OPENED, { ...BUDGET, writes: [CREATE_RUN, TOKEN] })).toEqual([
      `the budget lists ${TOKEN} as a write: it is a read`,
    ]);
  });

  test("fails on a request the stand-in did not answer, even within the count", () => {
    const unanswered = [...answered(POLICY, CREATE_RUN), { line: REVIEWS, matched: false }];
    expect(budgetProblems(unanswered, BUDGET)).toEqual([
      `not answered by GitHub's stand-in: ${REVIEWS}`,
    ]);
  });

  test("checks the reads a test names: included, and excluded with any query", () => {
    const named: Budget = {
      reads: {
        atMost: 3,
        includes: [REVIEWS],
        excludes: ["GET /repos/o/r/commits/abc/check-runs"],
      },
      writes: [CREATE_RUN],
    };
    expect(budgetProblems(OPENED, named)).toEqual([
      `missing read: ${REVIEWS}`,
      `read that should have been avoided: ${RUNS}`,
    ]);
    // A pattern with a query names that query only.
    expect(
      budgetProblems(OPENED, { ...BUDGET, reads: { atMost: 3, excludes: [`${RUNS}&page=2`] } }),
    ).toEqual([]);
  });

  test("a broken budget fails with every problem and every request made", () => {
    expect(() => expectWithin(answered(POLICY), BUDGET)).toThrow(
      [
        "the event broke its request budget:",
        `- missing write: ${CREATE_RUN}`,
        "requests made:",
        `  ${POLICY}`,
      ].join("\n"),
    );
  });
});
