// Builders for deployment facts and policies, so each test states only what matters to it.
import type { DeployedPull, DeploymentFacts, PriorDeployment } from "../../src/facts/deployment.js";
import { policySchema, type Policy } from "../../src/policy/schema.js";

export const SHA = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0";

export function pull(overrides: Partial<DeployedPull> = {}): DeployedPull {
  return {
    number: 7,
    title: "Ship the thing",
    url: "https://github.com/acme/shop/pull/7",
    author: "author",
    labels: [],
    mergedAt: "2026-03-09T10:00:00Z",
    mergeCommitSha: SHA,
    headSha: "feedfeedfeedfeedfeedfeedfeedfeedfeedfeed",
    policyCheck: "success",
    committers: ["author", "coauthor"],
    ...overrides,
  };
}

export function deploymentFacts(overrides: Partial<DeploymentFacts> = {}): DeploymentFacts {
  return {
    repo: { owner: "acme", repo: "shop", defaultBranch: "main" },
    environment: "production",
    sha: SHA,
    ref: "main",
    runId: 1234,
    pulls: [pull()],
    deployers: ["deployer"],
    approvals: [],
    teams: { "acme/release-managers": ["rm1", "rm2", "author"] },
    ...overrides,
  };
}

export function prior(
  deployments: PriorDeployment[],
  environment = "staging",
): DeploymentFacts["prior"] {
  return { environment, deployments };
}

export function policy(raw: unknown): Policy {
  return policySchema.parse(raw);
}

export const WINDOW = {
  timezone: "Europe/Berlin",
  allow: ["Mon-Thu 09:00-16:00"],
};
