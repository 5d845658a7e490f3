// compliant_changes at stage release: every change the release includes came through a pull
// request merged with its release-policy check passing. A commit no pull request brought is
// accepted only where the policy allows direct pushes.
import type { IncludedChanges } from "../../facts/release-changes.js";
import type { Requirement } from "../../policy/schema.js";
import type { Outcome } from "../../model/outcome.js";

type CompliantChanges = NonNullable<Requirement["compliant_changes"]>;

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
  const directAllowed = allowsDirect(req, defaultChangeType);
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

function allowsDirect(req: CompliantChanges, changeType: string | null): boolean {
  const allow = req === true ? false : (req.allow_direct_push ?? false);
  if (typeof allow === "boolean") return allow;
  return changeType !== null && allow.change_types.includes(changeType);
}
