// Warnings for change types that reach an environment with no deployment gate.
import { readPolicy } from "../../src/policy/parse.js";
import { exemption, ungatedWarnings } from "../../src/policy/coverage.js";
import { formatProblem } from "../../src/policy/problems.js";
import { policySchema, type Gate } from "../../src/policy/schema.js";

const yaml = (...lines: string[]): string => `${lines.join("\n")}\n`;

function warnings(text: string): string[] {
  const { policy, locator, problems } = readPolicy({ location: "p.yml", text });
  expect(problems).toEqual([]);
  if (!policy || !locator) throw new Error("not parsed");
  return ungatedWarnings(policy, locator).map(formatProblem);
}

const TYPES = [
  "change_types:",
  '  emergency: { labels: ["change: emergency"] }',
  "  normal: { default: true }",
];
const WINDOW = '    require: { window: { timezone: UTC, allow: ["Mon-Fri 09:00-16:00"] } }';

describe("ungatedWarnings", () => {
  it("warns when every gate guarding production leaves emergency changes out, at the environment", () => {
    const text = yaml(
      ...TYPES,
      "environments:",
      "  staging: {}",
      "  production: { after: staging }",
      "gates:",
      "  production-window:",
      "    stage: deployment",
      "    environments: [production]",
      "    unless: { change_types: [emergency] }",
      WINDOW,
    );
    expect(warnings(text)).toEqual([
      'p.yml:6:3: environments.production: "emergency" changes can reach production with no deployment gate: every gate guarding it can leave them out: production-window (unless: change_types emergency). If that is not meant, give production a gate that always applies to them',
    ]);
  });

  it("is quiet when another gate always applies (the design's release manager)", () => {
    const text = yaml(
      ...TYPES,
      "environments:",
      "  production: {}",
      "gates:",
      "  production-window:",
      "    stage: deployment",
      "    environments: [production]",
      "    unless: { change_types: [emergency] }",
      WINDOW,
      "  release-manager:",
      "    stage: deployment",
      "    environments: [production]",
      "    require: { deployment_approval: { count: 1, from: { teams: [rm] } } }",
    );
    expect(warnings(text)).toEqual([]);
  });

  it("a gate for one change type only warns for the others; a gate for every environment counts", () => {
    const only = yaml(
      ...TYPES,
      "environments:",
      "  production: {}",
      "gates:",
      "  approval:",
      "    stage: deployment",
      "    environments: [production]",
      "    when: { change_types: [normal] }",
      "    require: { deployment_approval: { count: 1, from: { teams: [rm] } } }",
    );
    expect(warnings(only)).toEqual([
      expect.stringMatching(
        /^p\.yml:5:3: environments\.production: "emergency" changes can reach production .*approval \(when: change_types normal\)/,
      ),
    ]);
    const everywhere = yaml(
      only.trimEnd(),
      "  compliant:",
      "    stage: deployment",
      "    require: { compliant_changes: true }",
    );
    expect(warnings(everywhere)).toEqual([]);
  });

  it("leaves alone an environment no gate guards, and a policy without change types", () => {
    expect(warnings(yaml(...TYPES, "environments:", "  staging: {}"))).toEqual([]);
    expect(
      warnings(
        yaml("gates:", "  w:", "    stage: deployment", "    unless: { labels: [hotfix] }", WINDOW),
      ),
    ).toEqual([]);
  });
});

describe("exemption", () => {
  const gate = (conditions: Partial<Gate>): Gate =>
    policySchema.parse({
      gates: { g: { stage: "deployment", require: { compliant_changes: true }, ...conditions } },
    }).gates?.g as Gate;

  it.each<[string, Partial<Gate>, string | null]>([
    ["no conditions", {}, null],
    ["when it names the type", { when: { change_types: ["emergency"] } }, null],
    ["when it names another", { when: { change_types: ["normal"] } }, "when: change_types normal"],
    ["when a label is needed", { when: { labels: ["risky"] } }, "when: labels risky"],
    ["unless it names another", { unless: { change_types: ["normal"] } }, null],
    ["unless a label", { unless: { labels: ["hotfix"] } }, "unless: labels hotfix"],
    // A deployment cannot judge paths: such an unless never skips the gate there.
    ["unless with paths", { unless: { change_types: ["emergency"], paths: ["docs/**"] } }, null],
  ])("%s", (_, conditions, expected) => {
    expect(exemption(gate(conditions), "emergency")).toBe(expected);
  });
});
