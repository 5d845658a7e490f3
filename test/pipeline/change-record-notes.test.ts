import { describe, expect, it } from "@jest/globals";
import type { ChangeRecordFact } from "../../src/facts/change-records.js";
import type { DeploymentFacts } from "../../src/facts/deployment.js";
import type { GateResult } from "../../src/model/result.js";
import { approvedForNote } from "../../src/pipeline/change-record-notes.js";
import type { DeploymentDecided } from "../../src/pipeline/deployment-listeners.js";
import type { Policy } from "../../src/policy/schema.js";

const SHA = "c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff";
const repo = { owner: "acme", repo: "shop", defaultBranch: "main" };

const record = (number: string, extra: Partial<ChangeRecordFact> = {}): ChangeRecordFact => ({
  system: "servicenow",
  reference: number,
  found: true,
  number,
  title: "Release",
  state: "Implement",
  approval: "Approved",
  url: `https://acme.service-now.com/${number}`,
  sysId: `sys-${number}`,
  ...extra,
});

const facts: DeploymentFacts = {
  repo,
  environment: "production",
  sha: SHA,
  ref: "main",
  runId: 9001,
  pulls: [
    {
      number: 7,
      title: "CHG0000001 and CHG0000002: ship",
      url: "https://github.com/acme/shop/pull/7",
      author: "author",
      labels: ["CHG0000003"],
      mergedAt: "2026-03-09T10:00:00Z",
      mergeCommitSha: SHA,
      headSha: "feed",
    },
  ],
  approvals: [
    { user: "rita", at: "2026-03-10T11:00:00Z", via: "review" },
    { user: "rita", at: "2026-03-10T11:05:00Z", via: "review" },
    { user: "sam", at: "2026-03-10T11:10:00Z", via: "comment" },
  ],
  teams: {},
  changeRecords: [
    record("CHG0000001"),
    record("CHG0000002", { found: false, sysId: undefined }),
    record("CHG0000003"),
  ],
};

function policy(workNote: boolean | undefined): Policy {
  return {
    gates: {
      change: {
        stage: "deployment",
        require: {
          change_record: {
            system: "servicenow",
            pattern: "CHG[0-9]{7}",
            ...(workNote === undefined ? {} : { work_note: workNote }),
          },
        },
      },
    },
  };
}

const gate = (status: GateResult["status"]): GateResult => ({
  id: "change",
  stage: "deployment",
  status,
  reason: "",
});

function decided(extra: Partial<DeploymentDecided> = {}): DeploymentDecided {
  return {
    request: {
      repo,
      installationId: 1,
      runId: 9001,
      environment: "production",
      deploymentId: 55,
      sha: SHA,
      ref: "main",
    },
    decision: "approved",
    gates: [gate("pass")],
    at: "2026-03-10T12:00:00.000Z",
    facts,
    policy: policy(true),
    ...extra,
  };
}

describe("approvedForNote", () => {
  it("keeps the records a passing gate with work_note judged, found ones only, and who approved", () => {
    expect(approvedForNote(decided())).toEqual({
      repo,
      deploymentId: 55,
      environment: "production",
      runId: 9001,
      sha: SHA,
      approvedAt: "2026-03-10T12:00:00.000Z",
      approvers: [
        { user: "rita", via: "review" },
        { user: "sam", via: "comment" },
      ],
      pulls: [7],
      // The default `in` is title, body and branch: the label's reference was not judged.
      records: [
        {
          system: "servicenow",
          number: "CHG0000001",
          id: "sys-CHG0000001",
          url: "https://acme.service-now.com/CHG0000001",
        },
      ],
    });
  });

  it("keeps the commit range when the gates read it", () => {
    const since = "1111111111111111111111111111111111111111";
    const withRange: DeploymentFacts = {
      ...facts,
      range: {
        since: { sha: since, deploymentId: 40 },
        commits: [
          { sha: SHA, pulls: [7] },
          { sha: "b", pulls: [] },
        ],
      },
    };
    expect(approvedForNote(decided({ facts: withRange }))?.range).toEqual({
      from: since,
      to: SHA,
      commits: 2,
    });
  });

  it("keeps nothing without work_note, for another decision, or for a gate that did not pass", () => {
    expect(approvedForNote(decided({ policy: policy(undefined) }))).toBeNull();
    expect(approvedForNote(decided({ policy: policy(false) }))).toBeNull();
    expect(approvedForNote(decided({ decision: "rejected" }))).toBeNull();
    expect(approvedForNote(decided({ decision: "waiting", gates: [gate("pending")] }))).toBeNull();
    expect(approvedForNote(decided({ gates: [gate("fail")] }))).toBeNull();
  });

  it("notes the records an advisory policy approved whatever the gate said", () => {
    const approved = approvedForNote(decided({ gates: [gate("fail")], advisory: true }));
    expect(approved?.advisory).toBe(true);
    expect(approved?.records.map((r) => r.number)).toEqual(["CHG0000001"]);
  });
});
