import { pullRequestNeeds } from "../../src/evaluate/needs.js";
import type { Policy } from "../../src/policy/schema.js";
import { qualifyTeam } from "../../src/requirements/principals.js";
import { NO_NEEDS } from "../../src/requirements/registry.js";
import { policyOf } from "./builders.js";

describe("qualifyTeam", () => {
  it.each([
    ["cab", "acme", "acme/cab"],
    ["other/cab", "acme", "other/cab"],
  ])("%s in %s → %s", (slug, owner, expected) => {
    expect(qualifyTeam(slug, owner)).toBe(expected);
  });
});

const factsNeeded = (policy: Policy) => pullRequestNeeds(policy, "acme");

describe("pullRequestNeeds", () => {
  it("asks for nothing when no gate needs anything", () => {
    expect(
      factsNeeded(
        policyOf({ gates: { cr: { stage: "pull_request", require: { pattern: "CHG" } } } }),
      ),
    ).toEqual(NO_NEEDS);
  });

  it("collects what each gate needs, once each", () => {
    const policy = policyOf({
      defaults: { approvals: { exclude: ["author", "pusher"] } },
      gates: {
        tests: {
          stage: "pull_request",
          when: { paths: ["src/**"] },
          require: { checks: ["build", "test"] },
        },
        lint: {
          stage: "pull_request",
          require: { checks: { names: ["lint", "build"], neutral: "fail" } },
        },
        peer: {
          stage: "pull_request",
          require: { approvals: { count: 1, from: { teams: ["eng", "other/sec"] } } },
        },
        cab: {
          stage: "pull_request",
          require: { approvals: { count: 2, from: { teams: ["cab"], users: ["x"] } } },
        },
        ready: {
          stage: "pull_request",
          require: {
            checklist: [
              "Rollback plan",
              { text: "Service desk briefed", by: { teams: ["service-desk"] } },
              { text: "Comms sent", by: { users: ["pat"] } },
            ],
          },
        },
        again: {
          stage: "pull_request",
          require: {
            checklist: [
              { text: "Comms sent", by: { teams: ["comms"] } },
              { text: "Rollback plan", by: { users: ["z"] } },
            ],
          },
        },
      },
    });
    expect(factsNeeded(policy)).toEqual({
      ...NO_NEEDS,
      reviews: true,
      changedFiles: true,
      teams: ["acme/eng", "other/sec", "acme/cab", "acme/service-desk", "acme/comms"],
      permissions: false,
      pusher: true,
      checklistItems: [
        // Any gate that leaves an item open to anyone keeps it open at the gatherer.
        { text: "Rollback plan" },
        { text: "Service desk briefed", by: { teams: ["service-desk"] } },
        { text: "Comms sent", by: { users: ["pat"], teams: ["comms"] } },
      ],
      checkNames: ["build", "test", "lint"],
    });
  });

  it.each([
    [{ count: 1 }, true],
    [{ count: 1, from: { permission: "admin" } }, true],
    [{ count: 1, from: { users: ["a"] } }, false],
  ])("approvals %j → permissions %s", (approvals, expected) => {
    const policy = policyOf({ gates: { g: { stage: "pull_request", require: { approvals } } } });
    expect(factsNeeded(policy).permissions).toBe(expected);
  });

  it("changed files are needed for paths in unless too", () => {
    const policy = policyOf({
      gates: {
        g: { stage: "pull_request", unless: { paths: ["docs/**"] }, require: { pattern: "x" } },
      },
    });
    expect(factsNeeded(policy).changedFiles).toBe(true);
  });

  it("the requirement's exclude overrides the default for the pusher", () => {
    const policy = policyOf({
      defaults: { approvals: { exclude: ["pusher"] } },
      gates: {
        g: { stage: "pull_request", require: { approvals: { count: 1, exclude: ["author"] } } },
      },
    });
    expect(factsNeeded(policy).pusher).toBe(false);
  });
});
