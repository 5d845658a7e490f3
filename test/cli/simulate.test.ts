import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { labelsFor, resolveEnvironment } from "../../src/cli/simulate-facts.js";
import type { DeploymentEvaluation } from "../../src/evaluate/deployment.js";
import type { Policy } from "../../src/policy/schema.js";

// Office hours in Berlin, a year-end freeze emergencies bypass, a release manager's approval,
// and production promoted from staging after a day's soak.
const POLICY = `
change_types:
  emergency: { labels: ["change: emergency"] }
  standard: { labels: ["change: standard"] }
  normal: { default: true }
environments:
  staging: {}
  production: { after: staging, soak: 24h }
gates:
  production-window:
    stage: deployment
    environments: [production]
    unless: { change_types: [emergency] }
    require:
      window:
        timezone: Europe/Berlin
        allow: ["Mon-Thu 09:00-16:00"]
        freeze: [{ from: 2026-12-21, to: 2027-01-03, reason: Christmas freeze }]
  release-manager:
    stage: deployment
    environments: [production]
    require:
      deployment_approval: { count: 1, from: { users: [rosa], teams: [release-managers] } }
`;

/** The policy POLICY parses to, for the pure helpers. */
const PARSED: Policy = {
  change_types: {
    emergency: { labels: ["change: emergency"] },
    standard: { labels: ["change: standard"] },
    normal: { default: true },
  },
  environments: { staging: {}, production: { after: "staging", soak: "24h" } },
};

const NOW = new Date("2026-12-10T09:00:00Z");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "release-policy-simulate-"));
  await writeFile(join(dir, "policy.yml"), POLICY);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function simulate(...argv: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd: dir,
    now: () => NOW,
  };
  const code = await main(["simulate", "--policy", "policy.yml", ...argv], io);
  return { code, stdout, stderr };
}

const toProduction = (...argv: string[]) => simulate("--environment", "production", ...argv);

describe("release-policy simulate", () => {
  it("passes inside the window with the release manager's approval, and exits 0", async () => {
    // Thursday 10 December, 10:00 in Berlin.
    const result = await toProduction("--at", "2026-12-10T10:00", "--approved-by", "rosa");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^A deployment to production would be approved: 3 of 3 gates pass$/m,
    );
    expect(result.stdout).toContain("At: Thu 10 Dec 2026 10:00 CET (2026-12-10T09:00:00.000Z)");
    expect(result.stdout).toContain(
      "Zone: Europe/Berlin (the window of gate production-window); --at was read in it",
    );
    expect(result.stdout).toContain(
      "PASS  production-window\n      why: Inside the deployment window",
    );
    expect(result.stdout).toContain("PASS  release-manager\n      why: 1 of 1 deployment approval");
    expect(result.stdout).toContain("PASS  promotion (promotion from staging, soak 24h)");
    expect(result.stdout).toContain("Window closes: Thu 10 Dec 16:00 CET (gate production-window)");
    expect(result.stdout).not.toContain("Waits until");
  });

  it("is held by the freeze, says when it ends and when the deployment moves on", async () => {
    // Christmas Eve, 17:00 in Berlin.
    const result = await toProduction("--at", "2026-12-24T17:00", "--approved-by", "rosa");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/would be held: 2 of 3 gates pass · waiting on 1$/m);
    expect(result.stdout).toMatch(
      /^WAIT {2}production-window\n {6}why: Christmas freeze until 3 Jan 2027 23:59 CET; the window opens Mon 4 Jan 2027 09:00 CET$/m,
    );
    expect(result.stdout).toContain(
      "Freeze: Christmas freeze (gate production-window), until Sun 3 Jan 2027 23:59 CET",
    );
    expect(result.stdout).toContain(
      "Window opens: Mon 4 Jan 2027 09:00 CET (gate production-window)",
    );
    expect(result.stdout).toContain(
      "Waits until: Mon 4 Jan 2027 09:00 CET (2027-01-04T08:00:00.000Z), when a time-bound gate opens; what still holds it then: --at 2027-01-04T09:00",
    );
  });

  it("passes during the freeze as an emergency change, which the window gate leaves out", async () => {
    const result = await toProduction(
      "--at",
      "2026-12-24T17:00",
      "--change-type",
      "emergency",
      "--approved-by",
      "rosa",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Change type: emergency (labels: change: emergency)");
    expect(result.stdout).toMatch(/^SKIP {2}production-window$/m);
    expect(result.stdout).not.toContain("Freeze:");
  });

  it("outside the window, names its next opening", async () => {
    // Friday 11 December, 17:00 in Berlin: the window opens on Monday.
    const result = await toProduction("--at", "2026-12-11T17:00", "--approved-by", "rosa");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "why: Outside the deployment window (Mon-Thu 09:00-16:00 Europe/Berlin); opens Mon 14 Dec 09:00 CET",
    );
    expect(result.stdout).toContain("Window opens: Mon 14 Dec 09:00 CET (gate production-window)");
    expect(result.stdout).not.toContain("Freeze:");
  });

  it("needs the release manager's approval, and no clock brings it", async () => {
    const result = await toProduction("--at", "2026-12-10T10:00");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Approved by: nobody (--approved-by names who)");
    expect(result.stdout).toMatch(
      /^WAIT {2}release-manager\n {6}why: 0 of 1 deployment approval from team release-managers or @rosa\n {6}fix: /m,
    );
    expect(result.stdout).not.toContain("Waits until");
  });

  it("counts a team member's approval only when --team names the team's members", async () => {
    const unknown = await toProduction("--at", "2026-12-10T10:00", "--approved-by", "@bob");
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/^ERROR release-manager$/m);
    expect(unknown.stdout).toContain("cannot tell whether it counts");
    const member = await toProduction(
      "--at",
      "2026-12-10T10:00",
      "--approved-by",
      "bob",
      "--team",
      "release-managers=alice, bob",
    );
    expect(member.code).toBe(0);
    expect(member.stdout).toContain(
      "@bob approved by deployment review (member of team release-managers)",
    );
  });

  it("with --no-promotion, the commit never ran in staging and is rejected", async () => {
    const result = await toProduction(
      "--at",
      "2026-12-10T10:00",
      "--approved-by",
      "rosa",
      "--no-promotion",
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/would be rejected: blocked by 1 of 3 gates$/m);
    expect(result.stdout).toContain("Promotion: 0000000 assumed never deployed to staging");
    expect(result.stdout).toMatch(/^FAIL {2}promotion /m);
  });

  it("reads --at with an offset as written, and shows times in --zone", async () => {
    const result = await toProduction(
      "--at",
      "2026-12-10T09:00Z",
      "--zone",
      "America/New_York",
      "--approved-by",
      "rosa",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("At: Thu 10 Dec 2026 04:00 EST (2026-12-10T09:00:00.000Z)");
    expect(result.stdout).toContain("Zone: America/New_York (--zone); --at gave its own offset");
  });

  it("reads a local --at in --zone: 04:00 in New York is 10:00 in Berlin", async () => {
    const result = await toProduction(
      "--at",
      "2026-12-10T04:00",
      "--zone",
      "America/New_York",
      "--approved-by",
      "rosa",
    );
    expect(result.stdout).toContain("(2026-12-10T09:00:00.000Z)");
    expect(result.code).toBe(0);
  });

  it("evaluates now when --at is left out", async () => {
    const result = await toProduction("--approved-by", "rosa");
    expect(result.stdout).toContain("(2026-12-10T09:00:00.000Z)");
    expect(result.stdout).toContain("; now");
  });

  it("prints the result tree as JSON", async () => {
    const result = await toProduction("--at", "2026-12-24T17:00", "--json");
    expect(result.code).toBe(1);
    const evaluation = JSON.parse(result.stdout) as DeploymentEvaluation;
    expect(evaluation).toMatchObject({
      conclusion: "pending",
      environment: "production",
      changeType: "normal",
      evaluatedAt: "2026-12-24T16:00:00.000Z",
      recheckAt: "2027-01-04T08:00:00.000Z",
    });
    expect(evaluation.gates.map((g) => [g.id, g.status])).toEqual([
      ["promotion", "pass"],
      ["production-window", "pending"],
      ["release-manager", "pending"],
    ]);
  });

  it("takes the environment in any case, and says when no gate guards it", async () => {
    const result = await simulate("--environment", "STAGING", "--at", "2026-12-24T17:00");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^A deployment to staging would be approved: no gate guards staging$/m,
    );
    expect(result.stdout).toContain("Zone: UTC (no window guards staging)");
  });

  it.each([
    [
      ["--environment", "prod"],
      'the policy names no environment "prod": use one of staging, production',
    ],
    [
      ["--environment", "production", "--at", "24.12.2026 17:00"],
      '--at "24.12.2026 17:00" is not a time: write a local time such as 2026-12-24T17:00 (read in Europe/Berlin)',
    ],
    [
      ["--environment", "production", "--at", "2026-02-30T10:00"],
      '--at "2026-02-30T10:00" is not a time',
    ],
    [
      ["--environment", "production", "--zone", "Berlin"],
      '--zone "Berlin" is not a time zone: use an IANA name',
    ],
    [
      ["--environment", "production", "--change-type", "hotfix"],
      'the policy defines no change type "hotfix": use one of emergency, standard, normal',
    ],
    [
      ["--environment", "production", "--change-type", "normal", "--labels", "change: standard"],
      'the labels "change: standard" select change type "standard", not "normal": leave out the labels of the other change type',
    ],
    [["--at", "2026-12-24"], "--environment is required"],
    [["--environment", "production", "--at"], "--at needs a value"],
    [
      ["--environment", "production", "--team", "alice"],
      '--team "alice": write the team as the policy names it',
    ],
    [["--environment", "production", "--frozen"], 'unknown option "--frozen"'],
    [["--environment", "production", "tomorrow"], 'unexpected argument "tomorrow"'],
  ])("refuses %j with a usage error", async (argv, message) => {
    const result = await simulate(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`release-policy simulate: ${message}`);
  });

  it("refuses an invalid policy, naming each problem", async () => {
    await writeFile(
      join(dir, "policy.yml"),
      "gates:\n  x: { stage: deployment, require: { window: { timezone: Mars } } }\n",
    );
    const result = await toProduction("--at", "2026-12-24T17:00");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("The policy is invalid: no gate was evaluated.");
    expect(result.stdout).toContain('unknown time zone "Mars"');
  });

  it("refuses a policy that extends a base without --bases, and says how to give them", async () => {
    await writeFile(join(dir, "policy.yml"), `_extends: org/.github\n${POLICY}`);
    const result = await toProduction("--at", "2026-12-24T17:00");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("give --bases DIR with each base at DIR/<owner>/<repo>/<path>");
  });

  describe("with the bases it extends in local files", () => {
    // The organization's base holds the freeze; the repository's file adds the approval.
    const BASE = `
environments:
  staging: {}
  production: { after: staging, soak: 24h }
gates:
  org-freeze:
    stage: deployment
    environments: [production]
    require:
      window:
        timezone: Europe/Berlin
        freeze: [{ from: 2026-12-21, to: 2027-01-03, reason: Org freeze }]
`;
    const OWN = `_extends: .github
gates:
  release-manager:
    stage: deployment
    environments: [production]
    require:
      deployment_approval: { count: 1, from: { users: [rosa] } }
`;
    beforeEach(async () => {
      await mkdir(join(dir, "bases", "acme", ".github", ".github"), { recursive: true });
      await writeFile(join(dir, "bases", "acme", ".github", ".github", "release-policy.yml"), BASE);
      await writeFile(join(dir, "policy.yml"), OWN);
    });

    it("judges by the merged policy: the base's freeze holds the deployment", async () => {
      const result = await toProduction(
        "--at",
        "2026-12-24T10:00",
        "--approved-by",
        "rosa",
        "--bases",
        "bases",
        "--repo",
        "acme/shop",
      );
      expect(result.stderr).toBe("");
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("org-freeze");
      expect(result.stdout).toContain("Org freeze");
    });

    it("names the base it could not find", async () => {
      const result = await toProduction("--bases", "bases", "--repo", "other/shop");
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("The policy is invalid: no gate was evaluated.");
      expect(result.stdout).toContain("other/.github");
    });
  });

  it("refuses a policy file it cannot read", async () => {
    await rm(join(dir, "policy.yml"));
    const result = await toProduction();
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("release-policy simulate: cannot read policy.yml: no such file\n");
  });

  it("prints its help", async () => {
    const result = await simulate("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: release-policy simulate --environment <name>/);
  });
});

describe("simulated deployment facts", () => {
  it("a change type's first label selects it, unless the labels given select it already", () => {
    expect(labelsFor(PARSED, "emergency", [])).toEqual({ labels: ["change: emergency"] });
    expect(labelsFor(PARSED, "emergency", ["Change: Emergency"])).toEqual({
      labels: ["Change: Emergency"],
    });
    expect(labelsFor(PARSED, "normal", ["bug"])).toEqual({ labels: ["bug"] });
    expect(labelsFor(PARSED, undefined, ["bug"])).toEqual({ labels: ["bug"] });
  });

  it("a change type no pull request can have is refused", () => {
    const policy: Policy = { change_types: { hidden: {}, normal: { default: true } } };
    expect(labelsFor(policy, "hidden", [])).toBe(
      'change type "hidden" has no labels and is not the default: no pull request can be of that type',
    );
    expect(labelsFor({}, "normal", [])).toBe(
      "the policy defines no change types: leave --change-type out",
    );
  });

  it("an environment is one the policy names, or any when it names none", () => {
    expect(resolveEnvironment(PARSED, "Production")).toEqual({ name: "production" });
    expect(resolveEnvironment({}, "qa")).toEqual({ name: "qa" });
    const gated: Policy = {
      gates: { w: { stage: "deployment", environments: ["prod-eu"], require: {} } },
    };
    expect(resolveEnvironment(gated, "prod-us")).toBe(
      'the policy names no environment "prod-us": use one of prod-eu',
    );
  });
});
