// signoffs: N sign-offs on the release record (`/signoff` comments) by eligible people, with
// segregation of duties: the GitHub release's author and whoever pushed the tag do not count
// unless the policy says otherwise.
import type { ReleaseFacts } from "../facts/release.js";
import { z } from "zod";
import type { Outcome } from "../model/outcome.js";
import { describePrincipals, isEligible } from "./eligibility.js";
import { defineKind, wrongStage } from "./kind.js";
import { checkPrincipals, checkReachableCount, peopleCountSchema } from "./principals.js";
import { sameName } from "../model/names.js";

const releaseExclusionSchema = z.enum(["release_author", "tagger"]);
export type ReleaseExclusion = z.infer<typeof releaseExclusionSchema>;

export const signoffsSchema = peopleCountSchema({
  max: 20,
  count: "How many distinct sign-offs are needed.",
  from: "Whose sign-off counts: listed users and members of listed teams.",
  exclude: releaseExclusionSchema,
  excludeText:
    "Whose sign-off never counts: the GitHub release's author, whoever pushed the tag. Default: both.",
  text: "Release stage: N sign-offs, each a `/signoff` comment on the release record by an eligible user or team member.",
});

type SignoffsRequirement = z.infer<typeof signoffsSchema>;

export const DEFAULT_RELEASE_EXCLUDE: readonly ReleaseExclusion[] = ["release_author", "tagger"];

interface Judged {
  user: string;
  at: string;
  counts: boolean | "unknown";
  why: string;
}

export function evaluateSignoffs(req: SignoffsRequirement, facts: ReleaseFacts): Outcome {
  const exclude = req.exclude ?? DEFAULT_RELEASE_EXCLUDE;
  // Whoever pushed the tag must be known before anyone can be told apart from them.
  const taggerUnknown = exclude.includes("tagger") && facts.pusher === undefined;
  const seen = new Set<string>();
  const judged: Judged[] = [];
  for (const s of facts.signoffs) {
    if (seen.has(s.user.toLowerCase())) continue;
    seen.add(s.user.toLowerCase());
    judged.push(judge(s.user, s.at, req, exclude, facts, taggerUnknown));
  }
  const counted = judged.filter((j) => j.counts === true);
  const details = judged.map((j) => `@${j.user} signed off at ${j.at}: ${j.why}`);
  const progress = `${counted.length} of ${req.count} sign-off${req.count > 1 ? "s" : ""}`;
  if (counted.length >= req.count) return { status: "pass", reason: progress, details };
  if (judged.some((j) => j.counts === "unknown")) {
    return {
      status: "error",
      reason: `${progress}; some sign-offs cannot be judged`,
      fix: taggerUnknown
        ? "Who pushed the tag is unknown, so segregation of duties cannot be checked: redeliver the tag's push event, or remove tagger from exclude"
        : "Team membership could not be read; make sure the app can read the teams the gate names",
      details,
    };
  }
  return {
    status: "pending",
    reason: progress,
    fix: `${describePrincipals(req.from)} comment \`/signoff\` on the release record${exclude.length > 0 ? ` (not ${exclude.map(describeExclusion).join(" or ")})` : ""}`,
    details,
  };
}

function judge(
  user: string,
  at: string,
  req: SignoffsRequirement,
  exclude: readonly ReleaseExclusion[],
  facts: ReleaseFacts,
  taggerUnknown: boolean,
): Judged {
  const base = { user, at };
  if (exclude.includes("release_author") && facts.release && sameName(facts.release.author, user)) {
    return { ...base, counts: false, why: "the release's author does not count" };
  }
  if (exclude.includes("tagger") && facts.pusher && sameName(facts.pusher, user)) {
    return { ...base, counts: false, why: "whoever pushed the tag does not count" };
  }
  const e = isEligible(req.from, user, facts);
  if (e.kind === "ineligible") {
    return { ...base, counts: false, why: `not ${describePrincipals(req.from)}` };
  }
  if (e.kind === "unknown") {
    return { ...base, counts: "unknown", why: `${e.missing.join(" and ")} unknown` };
  }
  if (taggerUnknown) {
    return { ...base, counts: "unknown", why: "who pushed the tag is unknown" };
  }
  return { ...base, counts: true, why: `counts (${e.via})` };
}

function describeExclusion(e: ReleaseExclusion): string {
  return e === "tagger" ? "whoever pushed the tag" : "the release's author";
}

export const signoffs = defineKind({
  key: "signoffs",
  stages: ["release"],
  schema: signoffsSchema,
  events: ["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"],
  check(spec, path, at) {
    checkPrincipals(at, [...path, "from"], spec.from);
    checkReachableCount(at, path, spec.count, spec.from, "sign-offs");
  },
  needs: (spec) => ({ teams: spec.from.teams ?? [] }),
  evaluate: (spec, subject) =>
    subject.stage === "release"
      ? evaluateSignoffs(spec, subject.facts)
      : wrongStage("signoffs", subject),
});
