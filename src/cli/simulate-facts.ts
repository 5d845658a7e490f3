// The facts of a deployment that has not happened, for `release-policy simulate`: what the
// app would gather from GitHub, written down from the command's options instead. Everything
// not given is the plainest case: one merged pull request, nobody approved yet, the previous
// environment deployed to long enough ago, a commit that is no release's tag.
import { promotionOf } from "../evaluate/deployment.js";
import { selectChangeType } from "../evaluate/change-type.js";
import type { DeploymentApprovalFact, DeploymentFacts } from "../facts/deployment.js";
import { parseDuration } from "../model/time/duration.js";
import type { Policy } from "../policy/schema.js";
import { qualifyTeam } from "../requirements/principals.js";

/** The deployed commit: plainly not a real one, so no output is mistaken for a real record. */
export const SIMULATED_SHA = "0".repeat(40);
export const SIMULATED_PULL = 1;
/** The repository's owner, for team names given without one ("release-managers"). */
const OWNER = "owner";
/** Parentheses are not allowed in a GitHub login: no approver is ever mistaken for the author. */
const AUTHOR = "(author)";
/** With no soak, how long before the simulated instant the previous environment succeeded. */
const PROMOTION_LEAD_MS = 60 * 60 * 1000;

export interface Scenario {
  /** As the policy spells it. */
  environment: string;
  at: Date;
  labels: string[];
  approvedBy: string[];
  /** Members by team name, as the policy names the team. */
  teams: Record<string, string[]>;
  /** Whether the commit ran in the environment's `after` first. */
  promoted: boolean;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Every environment the policy names: its `environments`, their `after`, and gate lists. */
export function namedEnvironments(policy: Policy): string[] {
  const names = [
    ...Object.entries(policy.environments ?? {}).flatMap(([name, env]) =>
      env.after === undefined ? [name] : [name, env.after],
    ),
    ...Object.values(policy.gates ?? {}).flatMap((gate) =>
      gate.stage === "deployment" ? (gate.environments ?? []) : [],
    ),
  ];
  return names.filter((name, i) => names.findIndex((other) => same(other, name)) === i);
}

/**
 * The environment as the policy spells it, or why it is refused: a name the policy never
 * uses is far more often a typo than a deployment no gate guards. A policy that names no
 * environment (its deployment gates guard every one) takes any name.
 */
export function resolveEnvironment(policy: Policy, wanted: string): { name: string } | string {
  const named = namedEnvironments(policy);
  if (named.length === 0) return { name: wanted };
  const found = named.find((name) => same(name, wanted));
  if (found !== undefined) return { name: found };
  return `the policy names no environment "${wanted}": use one of ${named.join(", ")}`;
}

/**
 * The pull request's labels for the change type asked for (its first label, unless the
 * labels given select it already), or why no pull request could be of that type.
 */
export function labelsFor(
  policy: Policy,
  changeType: string | undefined,
  labels: readonly string[],
): { labels: string[] } | string {
  if (changeType === undefined) return { labels: [...labels] };
  const types = Object.entries(policy.change_types ?? {});
  if (types.length === 0) return "the policy defines no change types: leave --change-type out";
  const entry = types.find(([name]) => name === changeType)?.[1];
  if (entry === undefined) {
    return `the policy defines no change type "${changeType}": use one of ${types.map(([n]) => n).join(", ")}`;
  }
  const own = entry.labels ?? [];
  if (own.length === 0 && entry.default !== true) {
    return `change type "${changeType}" has no labels and is not the default: no pull request can be of that type`;
  }
  const all =
    selectChangeType(policy, labels) === changeType ? [...labels] : [...labels, ...own.slice(0, 1)];
  const selected = selectChangeType(policy, all);
  if (selected === changeType) return { labels: all };
  return `the labels ${all.map((l) => `"${l}"`).join(", ")} select change type "${selected ?? "none"}", not "${changeType}": leave out the labels of the other change type`;
}

/** The facts the app would gather for the scenario's deployment. */
export function simulatedFacts(policy: Policy, scenario: Scenario): DeploymentFacts {
  const at = scenario.at.toISOString();
  const approvals = scenario.approvedBy.map((user): DeploymentApprovalFact => ({
    user,
    at,
    via: "review",
  }));
  const teams = Object.fromEntries(
    Object.entries(scenario.teams).map(([team, members]) => [qualifyTeam(team, OWNER), members]),
  );
  const promotion = promotionOf(policy, scenario.environment);
  return {
    repo: { owner: OWNER, repo: "repo", defaultBranch: "main" },
    environment: scenario.environment,
    sha: SIMULATED_SHA,
    ref: "refs/heads/main",
    runId: 1,
    pulls: [
      {
        number: SIMULATED_PULL,
        title: "Simulated change",
        url: "simulated",
        author: AUTHOR,
        labels: scenario.labels,
        mergedAt: at,
        mergeCommitSha: SIMULATED_SHA,
        headSha: SIMULATED_SHA,
        // It passed its own release-policy check, and its committers are nobody who approves.
        policyCheck: "success",
        committers: [],
      },
    ],
    deployers: [],
    ...(promotion
      ? {
          prior: {
            environment: promotion.after,
            deployments: scenario.promoted ? [priorSuccess(promotion.soak, scenario.at)] : [],
          },
        }
      : {}),
    approvals,
    teams,
  };
}

/** How long before `at` the previous environment succeeded: one soak period, else an hour. */
export function promotionLead(soak: string | undefined): number {
  return soak === undefined ? PROMOTION_LEAD_MS : parseDuration(soak);
}

function priorSuccess(soak: string | undefined, at: Date) {
  const succeededAt = new Date(at.getTime() - promotionLead(soak)).toISOString();
  return { id: 1, createdAt: succeededAt, state: "success" as const, succeededAt };
}
