import type { CheckFact } from "../../src/facts/types.js";
import { checkRun, commitStatus, judgeGate, pullRequestFacts } from "../evaluate/builders.js";

const judge = (req: unknown, checks: CheckFact[]) =>
  judgeGate({ require: { checks: req } }, pullRequestFacts({ checks }));

describe("checks", () => {
  it.each([
    {
      name: "all succeed",
      checks: [checkRun("build", "success"), commitStatus("test", "success")],
      status: "pass",
    },
    {
      name: "one failed",
      checks: [checkRun("build", "success"), checkRun("test", "failure")],
      status: "fail",
    },
    ...(["cancelled", "timed_out", "action_required", "stale", "error"] as const).map((s) => ({
      name: `${s} fails`,
      checks: [checkRun("build", "success"), checkRun("test", s)],
      status: "fail",
    })),
    { name: "missing → pending", checks: [checkRun("build", "success")], status: "pending" },
    {
      name: "running → pending",
      checks: [checkRun("build", "success"), checkRun("test", "pending")],
      status: "pending",
    },
    { name: "fail outranks pending", checks: [checkRun("build", "failure")], status: "fail" },
    {
      name: "neutral passes by default",
      checks: [checkRun("build", "neutral"), checkRun("test", "skipped")],
      status: "pass",
    },
    {
      name: "check run and status of one name: both must pass",
      checks: [
        checkRun("build", "success"),
        checkRun("test", "success"),
        commitStatus("test", "failure"),
      ],
      status: "fail",
    },
    {
      name: "duplicates: the first (latest) per source counts",
      checks: [
        checkRun("build", "success"),
        checkRun("test", "success"),
        checkRun("test", "failure"),
      ],
      status: "pass",
    },
    {
      name: "names are exact",
      checks: [checkRun("Build", "success"), checkRun("test", "success")],
      status: "pending",
    },
  ])("$name → $status", ({ checks, status }) => {
    expect(judge(["build", "test"], checks).status).toBe(status);
  });

  it.each([
    { counting: { neutral: "fail" }, state: "neutral", status: "fail" },
    { counting: { neutral: "pass" }, state: "neutral", status: "pass" },
    { counting: { skipped: "fail" }, state: "skipped", status: "fail" },
    { counting: { skipped: "fail" }, state: "neutral", status: "pass" },
    { counting: {}, state: "skipped", status: "pass" },
  ] as const)("$state with $counting → $status", ({ counting, state, status }) => {
    expect(judge({ names: ["lint"], ...counting }, [checkRun("lint", state)]).status).toBe(status);
  });

  it("waits for a missing check, naming it", () => {
    const result = judge(["build", "test"], [checkRun("build", "success")]);
    expect(result.reason).toBe("waiting for check `test` to report");
    expect(result.details).toEqual(["`build`: success", "`test`: not reported yet"]);
  });

  it("lists each check with its state", () => {
    const result = judge({ names: ["build", "lint"], neutral: "fail" }, [
      checkRun("build", "failure"),
      checkRun("lint", "neutral"),
      commitStatus("lint", "success"),
    ]);
    expect(result.reason).toBe("checks `build`, `lint` failed");
    expect(result.details).toEqual([
      "`build`: failure",
      "`lint` (check run): neutral (counted as a failure)",
      "`lint` (status): success",
    ]);
    expect(result.fix).toContain("`build`, `lint`");
  });
});
