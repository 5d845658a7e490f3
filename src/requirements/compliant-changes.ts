// compliant_changes: every commit the deployment brings to the environment (since its last
// successful deployment) reached the branch through a merged pull request whose release-policy
// check passed, so no unreviewed change reaches the environment. A commit no pull request
// brought (a direct push) passes only where the policy allows it.
import type { RangeCommit } from "../facts/deployed-range.js";
import type { DeployedPull, DeploymentFacts } from "../facts/deployment.js";
import { z } from "zod";
import { worstStatus, type Outcome } from "../model/outcome.js";
import { nameList } from "../model/principals.js";
import { defineKind, wrongStage } from "./kind.js";
import type { IncludedChanges } from "../facts/release-changes.js";

export const compliantChangesSchema = z
  .union([
    z.literal(true),
    z.strictObject({
      allow_direct_push: z
        .union([
          z.boolean(),
          z.strictObject({
            change_types: nameList
              .min(1)
              .describe("Change types whose direct pushes are accepted (see change_types)."),
          }),
        ])
        .optional()
        .describe(
          "Accept a deployed commit that no pull request brought: always (true) or only for these change types; a direct push has no labels, so its change type is the default change type. Default: false.",
        ),
    }),
  ])
  .describe(
    "Deployment stage: the deployed commit reached its branch through merged pull requests whose release-policy check passed. Release stage: so did every change the release includes.",
  );

export type CompliantChanges = z.infer<typeof compliantChangesSchema>;

const short = (sha: string): string => sha.slice(0, 7);

export function directPushAllowed(req: CompliantChanges, changeType: string | null): boolean {
  const allow = req === true ? false : (req.allow_direct_push ?? false);
  return (
    allow === true ||
    (typeof allow === "object" && changeType !== null && allow.change_types.includes(changeType))
  );
}

/** One finding: a pull request or a direct push, and how it counts. */
interface Finding {
  status: Outcome["status"];
  text: string;
}

function judgePull(pull: DeployedPull): Finding {
  if (pull.policyCheck === undefined) {
    return { status: "error", text: `#${pull.number}'s release-policy check was not read` };
  }
  if (pull.policyCheck === "success") return { status: "pass", text: `#${pull.number}` };
  if (pull.policyCheck === "pending") {
    return { status: "pending", text: `#${pull.number}'s release-policy check is still pending` };
  }
  if (pull.policyCheck === "missing") {
    return { status: "fail", text: `#${pull.number} has no release-policy check` };
  }
  return {
    status: "fail",
    text: `#${pull.number} was merged with release-policy ${pull.policyCheck}`,
  };
}

function judgePush(commit: RangeCommit, allowed: boolean, directType: string | null): Finding {
  const type = directType ? ` (change type ${directType})` : "";
  return allowed
    ? { status: "pass", text: `${short(commit.sha)} (pushed directly, allowed${type})` }
    : {
        status: "fail",
        text: `no merged pull request brought ${short(commit.sha)}: it was pushed directly${type}`,
      };
}

/** What the deployment brings, in words: "the 3 commits since abc1234" or "abc1234". */
function scope(facts: DeploymentFacts, commits: readonly RangeCommit[]): string {
  const since = facts.range?.since;
  if (!since || commits.length === 0) return short(facts.sha);
  const n = commits.length;
  return `the ${n} commit${n > 1 ? "s" : ""} since ${short(since.sha)} (last deployed to ${facts.environment})`;
}

/**
 * Judges each commit the range lists (the deployed commit alone when the facts carry no
 * range: a replayed record). `directType` is the change type of a direct push: the default
 * one, since a push has no labels.
 */
export function evaluateCompliantChanges(
  req: CompliantChanges,
  facts: DeploymentFacts,
  directType: string | null,
): Outcome {
  const exceeded = facts.range?.exceeded;
  if (exceeded) {
    return {
      status: "fail",
      reason: `the deployment brings ${exceeded.count} commits to ${facts.environment}; the app checks at most ${exceeded.limit}`,
      fix: `Deploy an earlier commit first so that each deployment brings at most ${exceeded.limit} first-parent commits`,
      details: [],
    };
  }
  const commits: RangeCommit[] = facts.range?.commits ?? [
    { sha: facts.sha, pulls: facts.pulls.map((p) => p.number) },
  ];
  const allowed = directPushAllowed(req, directType);
  const byNumber = new Map(facts.pulls.map((p) => [p.number, p]));
  const findings: Finding[] = [];
  const seen = new Set<number>();
  const details: string[] = [];
  for (const commit of commits) {
    if (commit.pulls.length === 0) findings.push(judgePush(commit, allowed, directType));
    for (const number of commit.pulls) {
      if (seen.has(number)) continue;
      seen.add(number);
      const pull = byNumber.get(number);
      if (!pull) {
        findings.push({ status: "error", text: `#${number} could not be read` });
        continue;
      }
      findings.push(judgePull(pull));
      details.push(`#${pull.number} (${pull.url}): release-policy ${pull.policyCheck}`);
    }
  }
  const status = worstStatus(findings.map((f) => f.status));
  const what = scope(facts, commits);
  if (status === "pass") {
    return {
      status,
      reason: `${what} came through ${findings.map((f) => f.text).join(", ")}, which passed the release policy`,
      details,
    };
  }
  const open = findings.filter((f) => f.status !== "pass");
  return {
    status,
    reason: open.map((f) => f.text).join("; "),
    fix: fixFor(status, open),
    details,
  };
}

function fixFor(status: Outcome["status"], open: Finding[]): string {
  if (status === "pending") {
    return "Wait for the pull requests' release-policy checks to pass (an approval, a ticked checklist item); the deployment is re-checked when they change";
  }
  if (status === "error") return "Re-run the deployment; the facts it needs could not be gathered";
  return `Deploy a commit whose changes all came through pull requests that passed the release policy (${open.length} did not)`;
}

// At stage release: every change the release includes came through a pull request merged
// with its release-policy check passing; a direct push only where the policy allows it.
export function evaluateReleaseChanges(
  req: CompliantChanges,
  changes: IncludedChanges | undefined,
  defaultChangeType: string | null,
): Outcome {
  if (changes === undefined) {
    return {
      status: "fail",
      reason: "the tag does not exist, so the release includes nothing that can be judged",
      fix: "Push the tag again",
      details: [],
    };
  }
  if (changes.exceeded) {
    const { count, limit } = changes.exceeded;
    return {
      status: "error",
      reason: `the release includes ${count} commits since ${changes.since?.name ?? "the start"}; at most ${limit} are judged`,
      fix: "Release more often, so that each release includes fewer changes",
      details: [],
    };
  }
  const bad = changes.pulls.filter((p) => p.policyCheck !== "success");
  const directAllowed = directPushAllowed(req, defaultChangeType);
  const direct = directAllowed ? [] : changes.direct;
  const details = [
    ...changes.pulls.map((p) => `#${p.number}: release-policy ${p.policyCheck}`),
    ...changes.direct.map(
      (c) => `${c.sha.slice(0, 7)}: pushed directly${directAllowed ? " (allowed)" : ""}`,
    ),
  ];
  const total = `${changes.pulls.length} pull request${changes.pulls.length === 1 ? "" : "s"}${changes.direct.length > 0 ? ` and ${changes.direct.length} direct commit${changes.direct.length === 1 ? "" : "s"}` : ""}`;
  if (bad.length === 0 && direct.length === 0) {
    return { status: "pass", reason: `${total}, all compliant`, details };
  }
  const problems = [
    ...bad.map((p) =>
      p.policyCheck === "missing"
        ? `#${p.number} has no release-policy check`
        : `#${p.number} was merged with release-policy ${p.policyCheck}`,
    ),
    ...direct.map((c) => `${c.sha.slice(0, 7)} was pushed directly`),
  ];
  return {
    status: "fail",
    reason: problems.join("; "),
    fix: "Release only changes merged through pull requests that passed the release policy: revert or redo the ones named, then tag again",
    details,
  };
}

export const compliantChanges = defineKind({
  key: "compliant_changes",
  stages: ["release", "deployment"],
  schema: compliantChangesSchema,
  events: ["check_run.completed", "push"],
  check(spec, path, at) {
    if (spec === true || typeof spec.allow_direct_push !== "object") return;
    const base = [...path, "allow_direct_push", "change_types"];
    spec.allow_direct_push.change_types.forEach((name, index) => {
      if (at.changeTypes.includes(name) || at.partial) return;
      const known =
        at.changeTypes.length > 0
          ? `defined: ${at.changeTypes.map((n) => `"${n}"`).join(", ")}`
          : "the policy defines none";
      at.report([...base, index], `unknown change type "${name}"; ${known}`);
    });
  },
  needs: () => ({ range: true, verdicts: true }),
  evaluate(spec, subject, ctx) {
    if (subject.stage === "deployment") {
      return evaluateCompliantChanges(spec, subject.facts, ctx.directChangeType);
    }
    if (subject.stage === "release") {
      return evaluateReleaseChanges(spec, subject.facts.changes, ctx.directChangeType);
    }
    return wrongStage("compliant_changes", subject);
  },
});
