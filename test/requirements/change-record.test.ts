import type { ChangeRecordFact } from "../../src/facts/change-records.js";
import type { DeploymentFacts } from "../../src/facts/deployment.js";
import { findReferences } from "../../src/facts/change-records.js";
import { pullRequestFactsSchema } from "../../src/facts/recorded.js";
import {
  changeRecord,
  changeRecordSchema,
  evaluateChangeRecord,
  type ChangeRecordRequirement,
} from "../../src/requirements/change-record.js";
import { needsOf } from "../../src/requirements/registry.js";
import type { Subject } from "../../src/requirements/kind.js";
import { deploymentFacts, pull } from "../evaluate/deployment-builders.js";
import { NOW, pullRequestFacts } from "../evaluate/builders.js";

const SNOW: ChangeRecordRequirement = { system: "servicenow", pattern: "CHG[0-9]{7}" };
const URL = "https://acme.service-now.com/nav_to.do?uri=change_request.do?sys_id=abc";

function record(overrides: Partial<ChangeRecordFact> = {}): ChangeRecordFact {
  return {
    system: "servicenow",
    reference: "CHG0012345",
    found: true,
    number: "CHG0012345",
    title: "Release shop 4.2",
    state: "Scheduled",
    approval: "Approved",
    plannedStart: "2026-03-10T11:00:00Z",
    plannedEnd: "2026-03-10T13:00:00Z",
    url: URL,
    ...overrides,
  };
}

function onPull(records: ChangeRecordFact[] | undefined, title = "CHG0012345 ship it"): Subject {
  return {
    stage: "pull_request",
    facts: pullRequestFacts({ title, ...(records ? { changeRecords: records } : {}) }),
  };
}

function onDeployment(records: ChangeRecordFact[], title = "CHG0012345 ship it"): Subject {
  return {
    stage: "deployment",
    facts: deploymentFacts({ pulls: [pull({ title })], changeRecords: records }),
  };
}

describe("change_record", () => {
  it("fails without a reference, saying where to put one", () => {
    const out = evaluateChangeRecord(SNOW, onPull([], "ship it"), NOW);
    expect(out.status).toBe("fail");
    expect(out.reason).toBe(
      "no ServiceNow change record reference matching /CHG[0-9]{7}/ in the title, body or branch name",
    );
    expect(out.fix).toContain("/CHG[0-9]{7}/");
  });

  it("fails on a made-up reference", () => {
    const out = evaluateChangeRecord(SNOW, onPull([record({ found: false })]), NOW);
    expect(out).toMatchObject({
      status: "fail",
      reason: "CHG0012345 does not exist in ServiceNow",
    });
  });

  it("fails on a rejected change", () => {
    const out = evaluateChangeRecord(SNOW, onPull([record({ approval: "Rejected" })]), NOW);
    expect(out.status).toBe("fail");
    expect(out.reason).toContain("Rejected");
  });

  it.each(["Canceled", "Closed"])("fails on a change in state %s", (state) => {
    expect(evaluateChangeRecord(SNOW, onPull([record({ state })]), NOW).status).toBe("fail");
  });

  it("waits for a state that counts, naming it", () => {
    const out = evaluateChangeRecord(SNOW, onDeployment([record({ state: "Assess" })]), NOW);
    expect(out.status).toBe("pending");
    expect(out.reason).toBe(
      "#7: CHG0012345 is in state Assess; production needs Scheduled or Implement",
    );
    expect(out.recheckAt).toBeUndefined();
  });

  it("waits for approval", () => {
    const out = evaluateChangeRecord(SNOW, onPull([record({ approval: "Requested" })]), NOW);
    expect(out).toMatchObject({
      status: "pending",
      reason: "CHG0012345 is not yet approved (approval: Requested)",
    });
  });

  it("does not ask Jira for an approval unless told", () => {
    const spec: ChangeRecordRequirement = {
      system: "jira",
      pattern: "OPS-[0-9]+",
      states: ["Approved"],
    };
    const fact = record({ system: "jira", reference: "OPS-4", number: "OPS-4", state: "Approved" });
    delete fact.approval;
    expect(evaluateChangeRecord(spec, onPull([fact], "OPS-4 ship"), NOW).status).toBe("pass");
  });

  describe("with Jira", () => {
    const JIRA: ChangeRecordRequirement = {
      system: "jira",
      pattern: "OPS-[0-9]+",
      states: ["Approved", "Implementing"],
    };
    const issue = (overrides: Partial<ChangeRecordFact>): ChangeRecordFact => {
      const fact = record({ system: "jira", reference: "OPS-4", number: "OPS-4", ...overrides });
      delete fact.approval;
      return fact;
    };

    it("waits for a status that counts, naming the statuses", () => {
      const out = evaluateChangeRecord(
        JIRA,
        onDeployment([issue({ state: "Awaiting CAB" })], "OPS-4 ship"),
        NOW,
      );
      expect(out).toMatchObject({
        status: "pending",
        reason: "#7: OPS-4 is in state Awaiting CAB; production needs Approved or Implementing",
      });
    });

    it("fails a declined issue, whatever the statuses named", () => {
      const out = evaluateChangeRecord(
        { ...JIRA, states: ["Declined"] },
        onPull([issue({ state: "Declined" })], "OPS-4 ship"),
        NOW,
      );
      expect(out.status).toBe("fail");
      expect(out.reason).toContain("can no longer authorize a change");
    });

    it("holds a deployment to the window read from its custom fields, unless told not to", () => {
      const after = issue({
        state: "Approved",
        plannedStart: "2026-03-09T08:00:00Z",
        plannedEnd: "2026-03-09T10:00:00Z",
      });
      const subject = onDeployment([after], "OPS-4 ship");
      expect(evaluateChangeRecord(JIRA, subject, NOW).status).toBe("fail");
      expect(evaluateChangeRecord({ ...JIRA, window: false }, subject, NOW).status).toBe("pass");
    });

    it("fails a deployment whose issue has no planned window to place it in", () => {
      const bare = issue({ state: "Approved" });
      delete bare.plannedStart;
      delete bare.plannedEnd;
      const out = evaluateChangeRecord(JIRA, onDeployment([bare], "OPS-4 ship"), NOW);
      expect(out).toMatchObject({
        status: "fail",
        reason:
          "#7: OPS-4 has no planned start and end, so the deployment cannot be placed in its window",
      });
    });
  });

  it("waits, never passes, while the system does not answer", () => {
    const out = evaluateChangeRecord(
      SNOW,
      onPull([
        record({
          found: false,
          error: "ServiceNow answered 429: Too Many Requests",
          passing: true,
        }),
      ]),
      NOW,
    );
    expect(out.status).toBe("pending");
    expect(out.reason).toBe(
      "CHG0012345 could not be looked up in ServiceNow: ServiceNow answered 429: Too Many Requests; asked again on the next look",
    );
  });

  it("waits until the time the system named, looking again no sooner, and says so", () => {
    const out = evaluateChangeRecord(
      SNOW,
      onDeployment([
        record({
          found: false,
          error: "ServiceNow asked us to wait until 12:00:08 UTC",
          passing: true,
          askAgainAt: "2026-03-10T12:00:08.000Z",
        }),
      ]),
      NOW,
    );
    expect(out).toMatchObject({
      status: "pending",
      reason:
        "#7: CHG0012345 could not be looked up in ServiceNow: ServiceNow asked us to wait until 12:00:08 UTC; asked again once that time has come",
      recheckAt: Date.parse("2026-03-10T12:00:08Z"),
    });
  });

  it("errors, never passes, when the system refuses the app", () => {
    const out = evaluateChangeRecord(
      SNOW,
      onPull([record({ found: false, error: "ServiceNow answered 401: User Not Authenticated" })]),
      NOW,
    );
    expect(out.status).toBe("error");
    expect(out.reason).toContain("401");
  });

  it("errors when the records were not read", () => {
    expect(evaluateChangeRecord(SNOW, onPull(undefined), NOW).status).toBe("error");
  });

  it("passes an approved change inside its window, naming number, title, state and link", () => {
    const out = evaluateChangeRecord(SNOW, onDeployment([record()]), NOW);
    expect(out.status).toBe("pass");
    expect(out.reason).toBe(
      `#7: CHG0012345 "Release shop 4.2" is Scheduled, approval Approved, inside its window 2026-03-10T11:00:00Z to 2026-03-10T13:00:00Z (${URL})`,
    );
  });

  it("holds a deployment before the planned start until it", () => {
    const out = evaluateChangeRecord(
      SNOW,
      onDeployment([
        record({ plannedStart: "2026-03-10T14:00:00Z", plannedEnd: "2026-03-10T16:00:00Z" }),
      ]),
      NOW,
    );
    expect(out.status).toBe("pending");
    expect(out.recheckAt).toBe(Date.parse("2026-03-10T14:00:00Z"));
  });

  it("fails a deployment after the planned end", () => {
    const out = evaluateChangeRecord(
      SNOW,
      onDeployment([
        record({ plannedStart: "2026-03-09T08:00:00Z", plannedEnd: "2026-03-09T10:00:00Z" }),
      ]),
      NOW,
    );
    expect(out.status).toBe("fail");
    expect(out.reason).toContain("window ended");
  });

  it("does not hold a pull request to the window", () => {
    const out = evaluateChangeRecord(
      SNOW,
      onPull([record({ plannedEnd: "2026-03-09T10:00:00Z" })]),
      NOW,
    );
    expect(out.status).toBe("pass");
  });

  it("finds every distinct reference where asked", () => {
    expect(
      findReferences("CHG[0-9]{3}", ["title", "labels"], {
        title: ["CHG001 and CHG002"],
        body: ["CHG003"],
        labels: ["CHG001", "CHG004"],
      }),
    ).toEqual(["CHG001", "CHG002", "CHG004"]);
  });

  describe("judges every reference a pull request carries", () => {
    const numbers = (n: number) =>
      Array.from({ length: n }, (_, i) => `CHG00000${String(i + 1).padStart(2, "0")}`);
    const approvedAll = (refs: string[]) => refs.map((n) => record({ reference: n, number: n }));

    it("fails on a rejected sixth reference, five approved before it", () => {
      const refs = numbers(6);
      const records = approvedAll(refs);
      records[5] = { ...records[5]!, approval: "Rejected" };
      const out = evaluateChangeRecord(SNOW, onPull(records, refs.join(" ")), NOW);
      expect(out.status).toBe("fail");
      expect(out.reason).toContain("CHG0000006");
    });

    it.each([
      ["pull request", (refs: string[]) => onPull(approvedAll(refs), refs.join(" "))],
      ["deployment", (refs: string[]) => onDeployment(approvedAll(refs), refs.join(" "))],
    ])("passes 20 approved references at a %s, and fails closed on 21", (_, subject) => {
      expect(evaluateChangeRecord(SNOW, subject(numbers(20)), NOW).status).toBe("pass");
      const out = evaluateChangeRecord(SNOW, subject(numbers(21)), NOW);
      expect(out.status).toBe("fail");
      expect(out.reason).toMatch(/ 21 change records; the app looks up and judges at most 20$/);
      expect(out.fix).toContain("at most 20 change records");
    });
  });

  it("asks the gatherers for its system, pattern and fields", () => {
    const spec = changeRecordSchema.parse({ ...SNOW, in: ["labels"] });
    expect(needsOf([{ change_record: spec }], undefined).changeRecords).toEqual([
      { system: "servicenow", pattern: "CHG[0-9]{7}", in: ["labels"] },
    ]);
    expect(changeRecord.stages).toEqual(["pull_request", "deployment"]);
  });

  it("can be recorded for explain, and is checked there", () => {
    const facts = pullRequestFacts({ changeRecords: [record()] });
    expect(pullRequestFactsSchema.parse(facts).changeRecords).toEqual([record()]);
    expect(
      pullRequestFactsSchema.safeParse({ ...facts, changeRecords: [{ reference: "CHG1" }] })
        .success,
    ).toBe(false);
  });
});

describe("change_record over what a deployment ships", () => {
  const SECOND = "e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2";
  const shipped = (pulls: DeploymentFacts["pulls"], records: ChangeRecordFact[]): Subject => ({
    stage: "deployment",
    facts: deploymentFacts({
      pulls,
      changeRecords: records,
      range: {
        since: { sha: "0".repeat(40), deploymentId: 40 },
        commits: pulls.map((p) => ({ sha: p.mergeCommitSha ?? SECOND, pulls: [p.number] })),
      },
    }),
  });
  const seven = pull({ title: "CHG0000001 payments", mergeCommitSha: SECOND });
  const eight = pull({ number: 8, title: "CHG0000002 checkout" });
  const approved = (n: string) => record({ reference: n, number: n });

  it("judges each shipped pull request on its own references, naming it", () => {
    const out = evaluateChangeRecord(
      SNOW,
      shipped(
        [eight, seven],
        [approved("CHG0000002"), { ...approved("CHG0000001"), approval: "Requested" }],
      ),
      NOW,
    );
    expect(out).toMatchObject({
      status: "pending",
      reason: "#7: CHG0000001 is not yet approved (approval: Requested)",
    });
  });

  it("does not let one pull request's approved change speak for another without a reference", () => {
    const untitled = pull({ title: "payments", mergeCommitSha: SECOND });
    const out = evaluateChangeRecord(
      SNOW,
      shipped([eight, untitled], [approved("CHG0000002")]),
      NOW,
    );
    expect(out.status).toBe("fail");
    expect(out.reason).toContain("#7: no ServiceNow change record reference");
  });

  it("does not let the deployed ref speak for a pull request", () => {
    const untitled = pull({ title: "payments" });
    const subject = shipped([untitled], [approved("CHG0000002")]);
    if (subject.stage !== "deployment") throw new Error("a deployment");
    subject.facts.ref = "release/CHG0000002";
    expect(evaluateChangeRecord(SNOW, subject, NOW).status).toBe("fail");
  });

  it("fails closed beyond the pull requests it judges, and beyond the range", () => {
    const many = Array.from({ length: 21 }, (_, i) =>
      pull({ number: 100 + i, title: `CHG00001${String(i).padStart(2, "0")}` }),
    );
    const out = evaluateChangeRecord(SNOW, shipped(many, []), NOW);
    expect(out).toMatchObject({ status: "fail" });
    expect(out.reason).toContain("ships 21 pull requests to production; the app checks");

    const subject = shipped([eight], [approved("CHG0000002")]);
    if (subject.stage !== "deployment" || !subject.facts.range) throw new Error("a range");
    subject.facts.range.exceeded = { count: 25, limit: 20 };
    expect(evaluateChangeRecord(SNOW, subject, NOW).status).toBe("fail");
  });

  it("asks for the shipped range, shared with compliant_changes", () => {
    const needs = needsOf([{ change_record: SNOW }, { compliant_changes: true }], undefined);
    expect(needs).toMatchObject({ range: true, verdicts: true });
    expect(needsOf([{ change_record: SNOW }], undefined)).toMatchObject({
      range: true,
      verdicts: false,
    });
  });
});
