// The policy's mode under inheritance: an extending file may tighten its base's mode (enforce an
// advisory base), never loosen it, since a base that says nothing enforces.
import { loadPolicy } from "../../src/policy/inherit.js";
import { formatProblem } from "../../src/policy/problems.js";
import type { LoadedPolicy, PolicyFile, PolicySource } from "../../src/policy/types.js";

const PATH = ".github/release-policy.yml";
const ORG = `acme/.github:${PATH}`;
const REPO = `acme/svc:${PATH}`;

function source(files: Record<string, string>): PolicySource {
  return {
    async read(owner, repo, path): Promise<PolicyFile | null> {
      const location = `${owner}/${repo}:${path}`;
      const text = files[location];
      return text === undefined ? null : { location, text, sha: `sha-of-${location}` };
    },
  };
}

const base = (mode?: string): string =>
  [
    ...(mode ? [`mode: ${mode}`] : []),
    "gates:",
    "  cab:",
    "    stage: pull_request",
    "    require: { approvals: { count: 2 } }",
    "",
  ].join("\n");
const extending = (mode?: string): string =>
  ["_extends: .github", ...(mode ? [`mode: ${mode}`] : []), ""].join("\n");

async function load(org: string, repo?: string): Promise<LoadedPolicy> {
  return loadPolicy(
    source({ [ORG]: org, ...(repo === undefined ? {} : { [REPO]: repo }) }),
    "acme",
    "svc",
  );
}

const modeOf = (loaded: LoadedPolicy): string | undefined =>
  loaded.kind === "valid" ? (loaded.policy.mode ?? "enforce (default)") : undefined;

describe("loadPolicy: mode", () => {
  it.each([
    ["an advisory base, a file that says nothing", base("advisory"), extending(), "advisory"],
    ["an advisory base, an advisory file", base("advisory"), extending("advisory"), "advisory"],
    ["an advisory base, an enforcing file", base("advisory"), extending("enforce"), "enforce"],
    ["an enforcing base, an enforcing file", base("enforce"), extending("enforce"), "enforce"],
    ["a base that says nothing", base(), extending(), "enforce (default)"],
  ])("%s: %s", async (_, org, repo, mode) => {
    expect(modeOf(await load(org, repo))).toBe(mode);
  });

  it("the organization's advisory policy applies to a repository without a file", async () => {
    expect(modeOf(await load(base("advisory")))).toBe("advisory");
  });

  it("refuses an advisory file over an enforcing base, naming both lines", async () => {
    const loaded = await load(base("enforce"), extending("advisory"));
    expect(loaded.kind).toBe("invalid");
    expect(loaded.kind === "invalid" ? loaded.problems.map(formatProblem) : []).toEqual([
      `${REPO}:2:7: mode: mode "advisory" would loosen the base policy, which ${ORG} line 1 says enforce; an extending policy may enforce an advisory base, never the other way round`,
    ]);
  });

  it("refuses an advisory file over a base that says nothing", async () => {
    const loaded = await load(base(), extending("advisory"));
    expect(loaded.kind === "invalid" ? loaded.problems.map((p) => p.message) : []).toEqual([
      'mode "advisory" would loosen the base policy, which says no mode, so it enforces; an extending policy may enforce an advisory base, never the other way round',
    ]);
  });

  it("a repository bound by its organization's required base cannot make it advisory", async () => {
    const loaded = await load(`required: true\n${base()}`, base("advisory"));
    expect(loaded.kind === "invalid" ? loaded.problems.map((p) => p.message) : []).toContainEqual(
      expect.stringMatching(/^mode "advisory" would loosen the base policy/),
    );
  });

  it("a repository's own file without a base may be advisory", async () => {
    expect(modeOf(await load(base(), base("advisory")))).toBe("advisory");
  });
});
