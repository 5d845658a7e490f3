import { pullRequestNeeds } from "../../src/evaluate/needs.js";
import { evaluateMaxChangedFiles } from "../../src/requirements/max-changed-files.js";
import { judgeGate, policyOf, pullRequestFacts } from "../evaluate/builders.js";

const files = (n: number): string[] => Array.from({ length: n }, (_, i) => `src/f${i}.ts`);

describe("max_changed_files", () => {
  it("passes at the limit and says how many", () => {
    expect(evaluateMaxChangedFiles(3, pullRequestFacts({ changedFiles: files(3) }))).toEqual({
      status: "pass",
      reason: "3 files changed, at most 3",
      details: [],
    });
  });

  it("fails above the limit, and says to split the pull request", () => {
    expect(evaluateMaxChangedFiles(2, pullRequestFacts({ changedFiles: files(3) }))).toEqual({
      status: "fail",
      reason: "3 files changed, at most 2",
      fix: "Split the pull request so that each changes at most 2 files",
      details: [],
    });
  });

  it("is an error, never a pass, when the files were not read", () => {
    const facts = pullRequestFacts();
    delete facts.changedFiles;
    expect(evaluateMaxChangedFiles(50, facts).status).toBe("error");
  });

  it("asks the gatherer for the changed files", () => {
    const policy = policyOf({
      gates: { small: { stage: "pull_request", require: { max_changed_files: 50 } } },
    });
    expect(pullRequestNeeds(policy, "acme").changedFiles).toBe(true);
  });

  it("is judged by a pull-request gate like any other kind", () => {
    const gate = judgeGate(
      { require: { max_changed_files: 1 } },
      pullRequestFacts({ changedFiles: files(2) }),
    );
    expect(gate).toMatchObject({ status: "fail", reason: "2 files changed, at most 1" });
  });
});
