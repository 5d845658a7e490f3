// What notifications read from a decision and the calendar: which pending gates wait on
// people, which freezes are in force, and which started or ended between two looks.
import type { GateResult } from "../../src/model/result.js";
import {
  freezesInForce,
  freezeTransitions,
  gatesWaitingOnPeople,
  type FreezeInForce,
} from "../../src/evaluate/notify.js";
import { policySchema, type Policy } from "../../src/policy/schema.js";

const policy = (value: unknown): Policy => policySchema.parse(value);

const POLICY = policy({
  environments: { production: {} },
  gates: {
    "release-manager": {
      stage: "deployment",
      require: { deployment_approval: { count: 1, from: { users: ["rm1"] } } },
    },
    window: {
      stage: "deployment",
      environments: ["production"],
      require: {
        window: {
          timezone: "Europe/Berlin",
          freeze: [
            { from: "2026-12-20", to: "2027-01-04", reason: "Year-end freeze" },
            { from: "2026-11-27T18:00", to: "2026-11-28T06:00" },
          ],
        },
      },
    },
    both: {
      stage: "deployment",
      environments: ["staging"],
      require: {
        window: { timezone: "UTC", freeze: [{ from: "2026-12-24", to: "2026-12-26" }] },
        deployment_approval: { count: 1, from: { users: ["rm1"] } },
      },
    },
    record: {
      stage: "deployment",
      require: { change_record: { system: "servicenow", pattern: "CHG[0-9]{7}" } },
    },
  },
});

const row = (id: string, status: GateResult["status"], children?: GateResult[]): GateResult => ({
  id,
  stage: "deployment",
  status,
  reason: "r",
  ...(children ? { children } : {}),
});

describe("gatesWaitingOnPeople", () => {
  it("counts pending approvals and change records, not windows, soaks or passed gates", () => {
    expect(
      gatesWaitingOnPeople(
        [
          row("release-manager", "pending"),
          row("window", "pending"),
          row("promotion", "pending"),
          row("record", "pending"),
        ],
        POLICY,
      ),
    ).toEqual(["release-manager", "record"]);
    expect(gatesWaitingOnPeople([row("release-manager", "pass")], POLICY)).toEqual([]);
    expect(gatesWaitingOnPeople([row("release-manager", "pending")], undefined)).toEqual([]);
  });

  it("a gate of several kinds waits on people only while its approval is what is pending", () => {
    const onWindow = row("both", "pending", [
      row("window", "pending"),
      row("deployment_approval", "pass"),
    ]);
    const onApproval = row("both", "pending", [
      row("window", "pass"),
      row("deployment_approval", "pending"),
    ]);
    expect(gatesWaitingOnPeople([onWindow], POLICY)).toEqual([]);
    expect(gatesWaitingOnPeople([onApproval], POLICY)).toEqual(["both"]);
  });

  it("the release gate waits on people when one of the release's sign-offs does", () => {
    const release = policy({
      gates: {
        "sign-off": {
          stage: "release",
          require: { signoffs: { count: 1, from: { users: ["qa"] } } },
        },
        notes: { stage: "release", require: { release_notes: true } },
      },
    });
    expect(
      gatesWaitingOnPeople(
        [row("release", "pending", [row("sign-off", "pending"), row("notes", "pass")])],
        release,
      ),
    ).toEqual(["release"]);
    expect(
      gatesWaitingOnPeople([row("release", "pending", [row("notes", "pending")])], release),
    ).toEqual([]);
  });
});

describe("freezesInForce", () => {
  it("finds the freeze in force, read in the window's zone, with its end", () => {
    // 20 Dec 00:00 in Berlin is 19 Dec 23:00 UTC.
    expect(freezesInForce(POLICY, "production", new Date("2026-12-19T22:59:00Z"))).toEqual([]);
    expect(freezesInForce(POLICY, "Production", new Date("2026-12-19T23:00:00Z"))).toEqual([
      {
        gate: "window",
        reason: "Year-end freeze",
        // A date-only end covers its whole day: frozen through 4 Jan 23:59 in Berlin.
        until: "2027-01-04T23:00:00.000Z",
        timezone: "Europe/Berlin",
        text: expect.stringContaining("Year-end freeze until 4 Jan 2027 23:59") as string,
      },
    ]);
    expect(freezesInForce(POLICY, "production", new Date("2026-11-27T17:30:00Z"))).toEqual([
      expect.objectContaining({ reason: "Change freeze", until: "2026-11-28T05:00:00.000Z" }),
    ]);
  });

  it("only the window gates that guard the environment count", () => {
    const christmas = new Date("2026-12-24T12:00:00Z");
    expect(freezesInForce(POLICY, "staging", christmas).map((f) => f.gate)).toEqual(["both"]);
    expect(freezesInForce(POLICY, "test", christmas)).toEqual([]);
  });
});

describe("freezeTransitions", () => {
  const freeze = (gate: string, reason: string, until: string): FreezeInForce => ({
    gate,
    reason,
    until,
    timezone: "UTC",
    text: `${reason} until ${until}`,
  });
  const yearEnd = freeze("window", "Year-end freeze", "2027-01-05T00:00:00.000Z");

  it("a freeze starts when it was not in force at the last look, and ends when it no longer is", () => {
    expect(freezeTransitions([], [yearEnd])).toEqual({ started: [yearEnd], ended: [] });
    expect(freezeTransitions([yearEnd], [yearEnd])).toEqual({ started: [], ended: [] });
    expect(freezeTransitions([yearEnd], [])).toEqual({ started: [], ended: [yearEnd] });
  });

  it("a freeze whose end moves is the same freeze; another gate's is another", () => {
    const later = { ...yearEnd, until: "2027-01-08T00:00:00.000Z" };
    expect(freezeTransitions([yearEnd], [later])).toEqual({ started: [], ended: [] });
    const other = freeze("staging-window", "Year-end freeze", yearEnd.until);
    expect(freezeTransitions([yearEnd], [yearEnd, other])).toEqual({ started: [other], ended: [] });
  });
});
