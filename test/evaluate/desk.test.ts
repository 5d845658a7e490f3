import { deskEnvironments, deskWaits } from "../../src/evaluate/desk.js";
import type { DeploymentFacts } from "../../src/facts/deployment.js";
import type { GateResult } from "../../src/model/result.js";
import type { Policy } from "../../src/policy/schema.js";

const NOW = new Date("2026-12-03T10:00:00Z"); // a Thursday

const gate = (id: string, status: GateResult["status"], reason = "waits"): GateResult => ({
  id,
  stage: "deployment",
  status,
  reason,
});

const policy: Policy = {
  environments: { production: {}, staging: {} },
  gates: {
    "release-manager": {
      stage: "deployment",
      environments: ["production"],
      require: {
        deployment_approval: { count: 1, from: { users: ["rita"], teams: ["release-managers"] } },
      },
    },
    window: {
      stage: "deployment",
      environments: ["production"],
      require: { window: { timezone: "UTC", allow: ["Mon-Fri 12:00-16:00"] } },
    },
    freeze: {
      stage: "deployment",
      environments: ["staging"],
      require: {
        window: {
          timezone: "UTC",
          freeze: [{ from: "2026-12-01", to: "2026-12-04", reason: "Quarter-end" }],
        },
      },
    },
    change: {
      stage: "deployment",
      require: { change_record: { system: "servicenow", pattern: "CHG[0-9]{7}" } },
    },
    soak: { stage: "deployment", require: { window: { timezone: "UTC" } } },
  },
};

const facts = {
  changeRecords: [
    {
      system: "servicenow",
      reference: "CHG0000001",
      found: true,
      number: "CHG0000001",
      title: "Deploy",
      state: "Assess",
      approval: "requested",
      url: "https://acme.service-now.com/CHG0000001",
    },
    {
      system: "jira",
      reference: "OPS-1",
      found: true,
      number: "OPS-1",
      title: "other system",
      state: "Open",
      url: "https://acme.atlassian.net/browse/OPS-1",
    },
  ],
} as unknown as DeploymentFacts;

describe("deskWaits", () => {
  it("names whose approval, with teams in the owner's organization", () => {
    expect(deskWaits([gate("release-manager", "pending")], policy, facts, "acme", NOW)).toEqual([
      { kind: "approval", by: ["rita", "acme/release-managers"] },
    ]);
  });

  it("gives the window's next opening, and a freeze with its end and reason", () => {
    expect(deskWaits([gate("window", "pending")], policy, facts, "acme", NOW)).toEqual([
      { kind: "window", opensAt: "2026-12-03T12:00:00.000Z" },
    ]);
    expect(deskWaits([gate("freeze", "pending")], policy, facts, "acme", NOW)).toEqual([
      { kind: "freeze", until: "2026-12-05T00:00:00.000Z", reason: "Quarter-end" },
    ]);
  });

  it("lists the gate's change records with their state and approval, and only its system's", () => {
    expect(deskWaits([gate("change", "pending")], policy, facts, "acme", NOW)).toEqual([
      {
        kind: "change-record",
        id: "CHG0000001",
        state: "Assess, approval requested",
        url: "https://acme.service-now.com/CHG0000001",
      },
    ]);
  });

  it("names any other pending gate with its reason, and skips gates that do not wait", () => {
    const gates = [
      gate("promotion", "pending", "staging soaks until 12:00"),
      gate("window", "pass"),
      gate("release-manager", "fail"),
      gate("soak", "pending", "open window, waiting on something else"),
    ];
    expect(deskWaits(gates, policy, facts, "acme", NOW)).toEqual([
      { kind: "gate", gate: "promotion", reason: "staging soaks until 12:00" },
      { kind: "gate", gate: "soak", reason: "open window, waiting on something else" },
    ]);
  });

  it("works without a policy or facts (a notice, a failed read)", () => {
    expect(deskWaits([gate("x", "pending", "why")], undefined, undefined, "acme", NOW)).toEqual([
      { kind: "gate", gate: "x", reason: "why" },
    ]);
  });
});

describe("deskEnvironments", () => {
  it("gives each environment of the policy its first window gate, and the one deployed to", () => {
    expect(deskEnvironments(policy, "acme/shop", "Preview")).toEqual([
      {
        repo: "acme/shop",
        environment: "production",
        window: { timezone: "UTC", allow: ["Mon-Fri 12:00-16:00"] },
      },
      {
        repo: "acme/shop",
        environment: "staging",
        window: {
          timezone: "UTC",
          freeze: [{ from: "2026-12-01", to: "2026-12-04", reason: "Quarter-end" }],
        },
      },
      // The change gate names no environment: every environment has the soak window's gate.
      { repo: "acme/shop", environment: "Preview", window: { timezone: "UTC" } },
    ]);
  });

  it("does not list an environment twice when the deployed one differs only in case", () => {
    expect(
      deskEnvironments({ environments: { production: {} } }, "acme/shop", "Production"),
    ).toEqual([{ repo: "acme/shop", environment: "production" }]);
  });
});
