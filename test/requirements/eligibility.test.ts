import { describePrincipals, isEligible } from "../../src/requirements/eligibility.js";
import type { Approvers } from "../../src/requirements/principals.js";
import { pullRequestFacts } from "../evaluate/builders.js";

const facts = pullRequestFacts({
  teams: { "acme/cab": ["Carol"], "other/sec": ["sue"] },
  permissions: { Wes: "write", tri: "triage", nobody: "none" },
});

describe("isEligible", () => {
  it.each<[string, Approvers, string, string]>([
    ["listed user, any case", { users: ["ALICE"] }, "alice", "eligible"],
    ["member of a bare-slug team", { teams: ["cab"] }, "carol", "eligible"],
    ["member of an org/slug team", { teams: ["other/sec"] }, "sue", "eligible"],
    ["not a member", { teams: ["cab"] }, "sue", "ineligible"],
    ["team members missing", { teams: ["ops"] }, "carol", "unknown"],
    ["missing team, but listed as user", { teams: ["ops"], users: ["carol"] }, "carol", "eligible"],
    ["missing team, but member of another", { teams: ["ops", "cab"] }, "carol", "eligible"],
    ["write ≥ write", { permission: "write" }, "wes", "eligible"],
    ["triage < write", { permission: "write" }, "tri", "ineligible"],
    ["none < read", { permission: "read" }, "nobody", "ineligible"],
    ["permission not fetched", { permission: "read" }, "stranger", "unknown"],
    ["names nobody", {}, "carol", "ineligible"],
  ])("%s", (_name, principals, login, kind) => {
    expect(isEligible(principals, login, facts).kind).toBe(kind);
  });
});

describe("describePrincipals", () => {
  it.each<[Approvers, string]>([
    [{ teams: ["cab"] }, "team cab"],
    [{ teams: ["cab", "eng"], users: ["x"] }, "teams cab, eng or @x"],
    [
      { users: ["x", "y"], permission: "maintain" },
      "@x, @y or anyone with maintain permission or more",
    ],
  ])("%j → %s", (p, expected) => {
    expect(describePrincipals(p)).toBe(expected);
  });
});
