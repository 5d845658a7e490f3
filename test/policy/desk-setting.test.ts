import { deskSettingOf, isProduction } from "../../src/policy/desk-setting.js";
import { loadPolicy } from "../../src/policy/inherit.js";
import { formatProblem } from "../../src/policy/problems.js";
import type { PolicyFile, PolicySource } from "../../src/policy/types.js";

const PATH = ".github/release-policy.yml";
const base = (text: string): PolicyFile => ({ location: `acme/.github:${PATH}`, text });

describe("deskSettingOf", () => {
  it("is off without a base file, or without the key", () => {
    expect(deskSettingOf("acme", null)).toEqual({ kind: "off" });
    expect(deskSettingOf("acme", base("gates: {}\n"))).toEqual({ kind: "off" });
  });

  it("fills in the .github repository and production when the key is empty", () => {
    expect(deskSettingOf("acme", base("desk: {}\n"))).toEqual({
      kind: "on",
      config: { owner: "acme", repository: ".github", production: ["production"] },
    });
  });

  it("takes the repository and production environments the base names", () => {
    const read = deskSettingOf(
      "acme",
      base("desk:\n  repository: release-desk\n  production: [prod-eu, prod-us]\n"),
    );
    expect(read).toEqual({
      kind: "on",
      config: { owner: "acme", repository: "release-desk", production: ["prod-eu", "prod-us"] },
    });
    if (read.kind !== "on") throw new Error("expected a desk");
    expect(isProduction(read.config, "PROD-EU")).toBe(true);
    expect(isProduction(read.config, "staging")).toBe(false);
  });

  it("reads a base that extends another (its names may be defined above it)", () => {
    const read = deskSettingOf("acme", base("_extends: acme/policies\ndesk: {}\n"));
    expect(read.kind).toBe("on");
  });

  it("reports an invalid base, and a repository name that is not one", () => {
    expect(deskSettingOf("acme", base("desk: [\n")).kind).toBe("invalid");
    const read = deskSettingOf("acme", base("desk: { repository: 'a/b' }\n"));
    expect(read.kind).toBe("invalid");
  });
});

describe("desk outside an owner's base policy", () => {
  it("is refused in a repository's own file, with where it belongs", async () => {
    const files: Record<string, string> = { [`acme/svc:${PATH}`]: "desk: {}\n" };
    const source: PolicySource = {
      read: async (owner, repo, path) => {
        const location = `${owner}/${repo}:${path}`;
        const text = files[location];
        return text === undefined ? null : { location, text };
      },
    };
    const loaded = await loadPolicy(source, "acme", "svc", { organization: true });
    expect(loaded.kind).toBe("invalid");
    const lines = loaded.kind === "invalid" ? loaded.problems.map(formatProblem) : [];
    expect(lines.join("\n")).toContain(
      `"desk" is only read from an owner's base policy (acme/.github:${PATH})`,
    );
  });

  it("is refused in a personal account's base: only an organization keeps a desk", async () => {
    const files: Record<string, string> = { [`alice/.github:${PATH}`]: "desk: {}\n" };
    const source: PolicySource = {
      read: async (owner, repo, path) => {
        const location = `${owner}/${repo}:${path}`;
        const text = files[location];
        return text === undefined ? null : { location, text };
      },
    };
    const loaded = await loadPolicy(source, "alice", "notes", { organization: false });
    const lines = loaded.kind === "invalid" ? loaded.problems.map(formatProblem) : [];
    expect(lines.join("\n")).toContain("alice is a personal account");
  });

  it("is accepted in the owner's base, which its repositories follow without inheriting it", async () => {
    const files: Record<string, string> = {
      [`acme/.github:${PATH}`]: "desk: {}\ngates: {}\n",
    };
    const source: PolicySource = {
      read: async (owner, repo, path) => {
        const location = `${owner}/${repo}:${path}`;
        const text = files[location];
        return text === undefined ? null : { location, text };
      },
    };
    const loaded = await loadPolicy(source, "acme", "svc", { organization: true });
    expect(loaded.kind).toBe("valid");
    if (loaded.kind === "valid") expect(loaded.policy.desk).toBeUndefined();
  });
});
