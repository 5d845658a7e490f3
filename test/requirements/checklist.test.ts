import type { ChecklistTick, PullRequestFacts } from "../../src/facts/types.js";
import { judgeGate, pullRequestFacts, ticked, unticked } from "../evaluate/builders.js";

const items = [
  "Rollback plan documented",
  { text: "Service desk briefed", by: { teams: ["service-desk"] } },
];
const teams = { "acme/service-desk": ["sam"] };

const judge = (
  ticks: PullRequestFacts["checklist"]["ticks"],
  facts: Partial<PullRequestFacts> = {},
) =>
  judgeGate(
    { require: { checklist: items } },
    pullRequestFacts({ teams, checklist: { commentId: 7, ticks }, ...facts }),
  );

describe("checklist", () => {
  it("passes when every item is ticked by someone allowed", () => {
    const result = judge({
      "Rollback plan documented": ticked("anyone"),
      "Service desk briefed": ticked("Sam"),
    });
    expect(result.status).toBe("pass");
    expect(result.reason).toBe("2 of 2 checklist items ticked");
    expect(result.details).toEqual([
      '"Rollback plan documented": ticked by @anyone at 2026-03-10T10:00:00Z',
      '"Service desk briefed": ticked by @Sam at 2026-03-10T10:00:00Z',
    ]);
  });

  it.each<{ name: string; ticks: Record<string, ChecklistTick>; status: string }>([
    { name: "nothing ticked (no comment yet)", ticks: {}, status: "pending" },
    {
      name: "unticked box",
      ticks: { "Rollback plan documented": unticked, "Service desk briefed": ticked("sam") },
      status: "pending",
    },
    {
      name: "unauthorized tick counts as none",
      ticks: { "Rollback plan documented": ticked("x"), "Service desk briefed": ticked("mallory") },
      status: "pending",
    },
    {
      name: "tick of a restricted item by an unknown user counts as none",
      ticks: { "Rollback plan documented": ticked("x"), "Service desk briefed": { checked: true } },
      status: "pending",
    },
    {
      name: "an unrestricted item accepts a tick by anyone",
      ticks: {
        "Rollback plan documented": { checked: true },
        "Service desk briefed": ticked("sam"),
      },
      status: "pass",
    },
  ])("$name → $status", ({ ticks, status }) => {
    expect(judge(ticks).status).toBe(status);
  });

  it("explains an unauthorized tick and whom to ask", () => {
    const result = judge({
      "Rollback plan documented": ticked("x"),
      "Service desk briefed": ticked("mallory"),
    });
    expect(result.details?.[1]).toBe(
      '"Service desk briefed": ticked by @mallory at 2026-03-10T10:00:00Z, who may not tick it (only team service-desk may), so it does not count',
    );
    expect(result.fix).toBe(
      'Tick "Service desk briefed" (only team service-desk may) in the checklist comment',
    );
  });

  it("is an error when the team's members are missing", () => {
    const result = judge(
      { "Rollback plan documented": ticked("x"), "Service desk briefed": ticked("sam") },
      { teams: {} },
    );
    expect(result.status).toBe("error");
  });

  it("a restricted item ticked by a listed user passes without team facts", () => {
    const result = judgeGate(
      { require: { checklist: [{ text: "Go", by: { users: ["sam"], teams: ["ops"] } }] } },
      pullRequestFacts({ checklist: { ticks: { Go: ticked("sam") } } }),
    );
    expect(result.status).toBe("pass");
  });
});
