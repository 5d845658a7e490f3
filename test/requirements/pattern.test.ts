import { judgeGate, pullRequestFacts } from "../evaluate/builders.js";

describe("pattern", () => {
  it.each([
    {
      name: "in the title",
      req: "CHG[0-9]{7}",
      facts: { title: "CHG0001234 add button" },
      status: "pass",
    },
    {
      name: "in the body",
      req: "CHG[0-9]{7}",
      facts: { body: "Change: CHG0001234" },
      status: "pass",
    },
    { name: "too short", req: "CHG[0-9]{7}", facts: { title: "CHG123" }, status: "fail" },
    {
      name: "branch is not searched by default",
      req: "CHG[0-9]{7}",
      facts: { headRef: "CHG0001234-x" },
      status: "fail",
    },
    {
      name: "branch when asked",
      req: { regex: "CHG[0-9]{7}", in: ["branch"] },
      facts: { headRef: "CHG0001234-x" },
      status: "pass",
    },
    {
      name: "only where asked",
      req: { regex: "CHG[0-9]{7}", in: ["body"] },
      facts: { title: "CHG0001234" },
      status: "fail",
    },
  ] as const)("$name → $status", ({ req, facts, status }) => {
    expect(judgeGate({ require: { pattern: req } }, pullRequestFacts(facts)).status).toBe(status);
  });

  it("says where to put the reference when it is missing", () => {
    const result = judgeGate({ require: { pattern: "CHG[0-9]{7}" } }, pullRequestFacts());
    expect(result).toMatchObject({
      status: "fail",
      reason: "no change record reference matching /CHG[0-9]{7}/ in the title or body",
      fix: "Put a change record reference matching /CHG[0-9]{7}/ in the title or body",
    });
  });

  it("uses the description and the fields asked for", () => {
    const req = {
      regex: "[A-Z]+-[0-9]+",
      in: ["title", "body", "branch"],
      description: "a Jira issue key",
    };
    const result = judgeGate({ require: { pattern: req } }, pullRequestFacts());
    expect(result.fix).toBe(
      "Put a Jira issue key matching /[A-Z]+-[0-9]+/ in the title, body or branch name",
    );
  });

  it("is an error, not a pass, when the expression is not valid RE2", () => {
    // Lookahead is not RE2: validation refuses it, and the evaluator fails closed if it slips by.
    const result = judgeGate(
      { require: { pattern: "CHG(?=1)" } },
      pullRequestFacts({ title: "CHG1" }),
    );
    expect(result.status).toBe("error");
  });
});
