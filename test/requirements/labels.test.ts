import { judgeGate, pullRequestFacts } from "../evaluate/builders.js";

describe("labels", () => {
  it.each([
    {
      name: "one_of present",
      req: { one_of: ["risk: low", "risk: high"] },
      labels: ["risk: high"],
      status: "pass",
    },
    {
      name: "one_of absent",
      req: { one_of: ["risk: low", "risk: high"] },
      labels: [],
      status: "fail",
      fix: "Add one of the labels `risk: low`, `risk: high`",
    },
    {
      name: "all_of present",
      req: { all_of: ["a", "b"] },
      labels: ["b", "a", "c"],
      status: "pass",
    },
    {
      name: "all_of missing one",
      req: { all_of: ["a", "b"] },
      labels: ["a"],
      status: "fail",
      fix: "Add the label `b`",
    },
    { name: "none_of clear", req: { none_of: ["do not merge"] }, labels: ["x"], status: "pass" },
    {
      name: "none_of present",
      req: { none_of: ["do not merge", "wip"] },
      labels: ["WIP", "do not merge"],
      status: "fail",
      fix: "Remove the labels `do not merge`, `wip`",
    },
    {
      name: "several rules: each fix",
      req: { one_of: ["risk: low"], none_of: ["wip"] },
      labels: ["wip"],
      status: "fail",
      fix: "Add one of the labels `risk: low`. Remove the label `wip`",
    },
    {
      name: "case-insensitive",
      req: { all_of: ["Risk: High"] },
      labels: ["risk: high"],
      status: "pass",
    },
    { name: "no rule at all is an error", req: {}, labels: [], status: "error" },
  ])("$name", ({ req, labels, status, fix }) => {
    const result = judgeGate({ require: { labels: req } }, pullRequestFacts({ labels }));
    expect(result.status).toBe(status);
    if (fix) expect(result.fix).toBe(fix);
  });
});
