import { combineOutcomes, conclude, worstStatus, type Outcome } from "../../src/model/outcome.js";
import type { GateResult, GateStatus } from "../../src/model/result.js";

const gate = (status: GateStatus): GateResult => ({
  id: status,
  stage: "pull_request",
  status,
  reason: "r",
});

describe("conclude", () => {
  it.each<[GateStatus[], string]>([
    [[], "success"],
    [["pass"], "success"],
    [["skipped"], "success"],
    [["pass", "skipped"], "success"],
    [["pass", "pending"], "pending"],
    [["pending", "fail"], "failure"],
    [["pass", "error"], "failure"],
    [["error", "pending", "pass"], "failure"],
  ])("%j → %s", (statuses, expected) => {
    expect(conclude(statuses.map(gate))).toBe(expected);
  });
});

describe("worstStatus", () => {
  it.each([
    [["pass", "pending"], "pending"],
    [["pending", "fail"], "fail"],
    [["fail", "error"], "error"],
    [["error", "pass"], "error"],
    [[], "pass"],
  ] as const)("%j → %s", (statuses, expected) => {
    expect(worstStatus(statuses)).toBe(expected);
  });
});

describe("combineOutcomes", () => {
  const o = (status: Outcome["status"], reason: string, fix?: string): Outcome => ({
    status,
    reason,
    ...(fix ? { fix } : {}),
    details: [`${reason} detail`],
  });

  it("takes the worst status and speaks of the requirements that do not hold", () => {
    expect(
      combineOutcomes([o("pass", "a"), o("pending", "b", "do b"), o("fail", "c", "do c")]),
    ).toEqual({
      status: "fail",
      reason: "b; c",
      fix: "do b. do c",
      details: ["a detail", "b detail", "c detail"],
    });
  });

  it("gives every reason and no fix when all pass", () => {
    expect(combineOutcomes([o("pass", "a"), o("pass", "b")])).toEqual({
      status: "pass",
      reason: "a; b",
      details: ["a detail", "b detail"],
    });
  });
});
