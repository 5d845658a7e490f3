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
      name: "a check run and a status of one name: two sources, fails closed",
      checks: [
        checkRun("build", "success"),
        checkRun("test", "success"),
        commitStatus("test", "success"),
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
    ]);
    expect(result.reason).toBe("checks `build`, `lint` failed");
    expect(result.details).toEqual(["`build`: failure", "`lint`: neutral (counted as a failure)"]);
    expect(result.fix).toContain("`build`, `lint`");
  });

  describe("sources", () => {
    it("two apps report one name the policy ties to none: fails, naming both", () => {
      const result = judge(
        ["build"],
        [checkRun("build", "success", "impostor"), checkRun("build", "failure", "ci")],
      );
      expect(result.status).toBe("fail");
      expect(result.reason).toBe(
        "check `build` reported by more than one source: `build` by app `impostor` and app `ci`",
      );
      expect(result.fix).toContain("{ name: build, app: <slug> }");
    });

    it("an app and a commit status report one name: fails, naming both", () => {
      const result = judge(
        ["build"],
        [checkRun("build", "failure", "ci"), commitStatus("build", "success")],
      );
      expect(result.status).toBe("fail");
      expect(result.reason).toContain("app `ci` and a commit status");
    });

    it.each([
      {
        name: "only the named app counts",
        checks: [checkRun("build", "success", "impostor"), checkRun("build", "failure", "ci")],
        status: "fail",
      },
      {
        name: "the named app passing passes, whatever others say",
        checks: [checkRun("build", "success", "ci"), commitStatus("build", "failure")],
        status: "pass",
      },
      {
        name: "slugs compare case-insensitively",
        checks: [checkRun("build", "success", "CI")],
        status: "pass",
      },
      {
        name: "another app's success does not stand in for the named app",
        checks: [checkRun("build", "success", "impostor")],
        status: "pending",
      },
      {
        name: "a commit status never satisfies a named app",
        checks: [commitStatus("build", "success")],
        status: "pending",
      },
      {
        name: "a check run whose app is unknown never satisfies a named app",
        checks: [checkRun("build", "success")],
        status: "pending",
      },
    ])("$name → $status", ({ checks, status }) => {
      expect(judge([{ name: "build", app: "ci" }], checks).status).toBe(status);
    });

    it("says which reports did not count", () => {
      const result = judge({ names: [{ name: "build", app: "github-actions" }] }, [
        checkRun("build", "success", "impostor"),
      ]);
      expect(result.details).toEqual([
        "`build` from app `github-actions`: not reported yet",
        "`build` from app `impostor`: not counted, the policy names app `github-actions`",
      ]);
    });

    it("a plain name and a sourced one mix", () => {
      const result = judge(
        ["lint", { name: "build", app: "github-actions" }],
        [checkRun("lint", "success", "linter"), checkRun("build", "success", "github-actions")],
      );
      expect(result.status).toBe("pass");
    });
  });
});
