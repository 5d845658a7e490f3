// approvals: N approving reviews from eligible reviewers, with segregation of duties; a
// change request from an eligible reviewer blocks.
import type { PullRequestFacts, ReviewFact, UnlinkedCommitter } from "../facts/types.js";
import { LISTED_COMMITS_LIMIT } from "../facts/committers.js";
import { z } from "zod";
import type { Outcome } from "../model/outcome.js";
import { describePrincipals, isEligible, type Eligibility } from "./eligibility.js";
import { defineKind, wrongStage, type ApprovalDefaults } from "./kind.js";
import {
  approversSchema,
  checkPrincipals,
  checkReachableCount,
  type Approvers,
} from "./principals.js";
import { sameName } from "../model/names.js";

export const exclusionSchema = z.enum(["author", "committers", "pusher"]);
export type Exclusion = z.infer<typeof exclusionSchema>;

export const approvalsSchema = z
  .strictObject({
    count: z.int().min(1).max(50).describe("How many distinct approvals are needed."),
    from: approversSchema.optional(),
    exclude: z
      .array(exclusionSchema)
      .optional()
      .describe("Whose approval never counts; overrides defaults.approvals.exclude."),
    invalidate_on_push: z
      .boolean()
      .optional()
      .describe("Drop approvals of an older head commit; overrides defaults.invalidate_on_push."),
  })
  .describe("N approving reviews from eligible reviewers; a change request from one blocks.");

/** The policy's `defaults`: what every approvals requirement inherits unless it says otherwise. */
export const approvalDefaultsSchema = z
  .strictObject({
    approvals: z
      .strictObject({
        exclude: z
          .array(exclusionSchema)
          .optional()
          .describe(
            "Whose approval never counts (segregation of duties). Default: [author, committers].",
          ),
      })
      .optional()
      .describe("Defaults for every approvals requirement."),
    invalidate_on_push: z
      .boolean()
      .optional()
      .describe("Drop approvals given to an older head commit. Default: true."),
  })
  .describe("Defaults that gates may override.");

type ApprovalsRequirement = z.infer<typeof approvalsSchema>;
type Defaults = ApprovalDefaults | undefined;

/** Omitted `from` means anyone with write permission or more. */
export function approversOf(from: Approvers | undefined): Approvers {
  return from ?? { permission: "write" };
}

/** Whose approval never counts when neither the requirement nor `defaults` says. */
export const DEFAULT_EXCLUDE: readonly Exclusion[] = ["author", "committers"];
/** Whether approvals of an older head commit are dropped when nothing says. */
export const DEFAULT_INVALIDATE_ON_PUSH = true;

const short = (sha: string): string => sha.slice(0, 7);

/**
 * Each reviewer's latest review, by submittedAt, that says something: COMMENTED and PENDING
 * reviews are skipped, so a comment after an approval leaves the approval standing. A
 * DISMISSED review is kept: it cancels what came before. Logins compare case-insensitively.
 */
export function latestReviews(reviews: readonly ReviewFact[]): ReviewFact[] {
  const latest = new Map<string, ReviewFact>();
  for (const r of reviews) {
    if (r.state === "COMMENTED" || r.state === "PENDING") continue;
    const key = r.user.toLowerCase();
    const seen = latest.get(key);
    // On equal times the later entry wins: GitHub lists reviews oldest first.
    if (!seen || Date.parse(r.submittedAt) >= Date.parse(seen.submittedAt)) latest.set(key, r);
  }
  return [...latest.values()];
}

/** Why a reviewer's approval never counts (segregation of duties), or null. */
function exclusionOf(
  login: string,
  exclude: readonly Exclusion[],
  facts: PullRequestFacts,
): string | null {
  if (exclude.includes("author") && sameName(login, facts.author)) return "is the author";
  if (exclude.includes("committers") && facts.committers.some((c) => sameName(c, login))) {
    return "committed to this pull request";
  }
  if (exclude.includes("pusher") && facts.pusher !== undefined && sameName(login, facts.pusher)) {
    return "pushed the head commit";
  }
  return null;
}

/** A bot account, as GitHub types it or by the "[bot]" every app's login ends with. */
function isBot(review: ReviewFact): boolean {
  return review.bot === true || /\[bot\]$/i.test(review.user);
}

/**
 * Whether the policy names this login itself. A bot's approval is a machine's verdict, so it
 * counts only where the policy says so by name: never through a permission or a team.
 */
function listsUser(from: Approvers, login: string): boolean {
  return (from.users ?? []).some((u) => sameName(u, login));
}

interface Tally {
  counted: string[];
  changesRequested: string[];
  /** Reviews whose weight hinges on a missing fact. */
  unknownApprovals: string[];
  unknownChangeRequests: string[];
  details: string[];
}

interface Settings {
  from: Approvers;
  exclude: readonly Exclusion[];
  invalidateOnPush: boolean;
}

function tally(facts: PullRequestFacts, s: Settings): Tally {
  const t: Tally = {
    counted: [],
    changesRequested: [],
    unknownApprovals: [],
    unknownChangeRequests: [],
    details: [],
  };
  for (const r of latestReviews(facts.reviews)) {
    const who = `@${r.user}`;
    if (r.state === "DISMISSED") {
      t.details.push(`${who}'s review was dismissed`);
      continue;
    }
    const eligibility = isEligible(s.from, r.user, facts);
    if (r.state === "CHANGES_REQUESTED") {
      // Exclusions concern approvals only: a co-author who asks for changes still blocks.
      noteChangeRequest(t, who, eligibility);
      continue;
    }
    if (r.state !== "APPROVED") continue; // latestReviews keeps no other state; never count one
    const excluded = exclusionOf(r.user, s.exclude, facts);
    if (excluded)
      t.details.push(`${who} ${excluded}: segregation of duties, the approval does not count`);
    else if (s.invalidateOnPush && r.commitId !== facts.headSha) {
      t.details.push(
        `${who} approved an older commit ${short(r.commitId)}: commits were pushed since`,
      );
    } else if (isBot(r) && !listsUser(s.from, r.user)) {
      t.details.push(`${who} is a bot account: its approval counts only where from.users names it`);
    } else noteApproval(t, who, eligibility, s.from);
  }
  return t;
}

function noteChangeRequest(t: Tally, who: string, e: Eligibility): void {
  if (e.kind === "eligible") {
    t.changesRequested.push(who);
    t.details.push(`${who} requested changes`);
  } else if (e.kind === "unknown") {
    t.unknownChangeRequests.push(who);
    t.details.push(
      `${who} requested changes; cannot tell whether that blocks: ${e.missing.join(" and ")} unknown`,
    );
  } else
    t.details.push(
      `${who} requested changes, but is not an eligible reviewer, so it does not block`,
    );
}

function noteApproval(t: Tally, who: string, e: Eligibility, from: Approvers): void {
  if (e.kind === "eligible") {
    t.counted.push(who);
    t.details.push(`${who} approved`);
  } else if (e.kind === "unknown") {
    t.unknownApprovals.push(who);
    t.details.push(
      `${who} approved; cannot tell whether it counts: ${e.missing.join(" and ")} unknown`,
    );
  } else t.details.push(`${who} approved, but only ${describePrincipals(from)} count`);
}

function describeExclusions(exclude: readonly Exclusion[]): string {
  const names: Record<Exclusion, string> = {
    author: "the author",
    committers: "committers",
    pusher: "the pusher",
  };
  const parts = exclude.map((e) => names[e]);
  return parts.length === 0 ? "" : ` (approvals by ${parts.join(", ")} do not count)`;
}

/**
 * The settings come from the requirement, else the policy's defaults, else segregation of
 * duties ([author, committers]) and invalidation on push: the strict choice when unsaid.
 */
function settingsOf(req: ApprovalsRequirement, defaults: Defaults): Settings {
  return {
    from: approversOf(req.from),
    exclude: [...new Set(req.exclude ?? defaults?.approvals?.exclude ?? DEFAULT_EXCLUDE)],
    invalidateOnPush:
      req.invalidate_on_push ?? defaults?.invalidate_on_push ?? DEFAULT_INVALIDATE_ON_PUSH,
  };
}

/** Unlinked commit identities, when committers are excluded: each may be any approver. */
function unlinkedOf(s: Settings, facts: PullRequestFacts): UnlinkedCommitter[] {
  return s.exclude.includes("committers") ? (facts.committerGaps?.unlinked ?? []) : [];
}

/** "abc1234 by Jane <jane@example.com>, …": the commits, for reasons and details. */
export const describeUnlinked = (unlinked: readonly UnlinkedCommitter[]): string =>
  unlinked.map((u) => `${short(u.sha)} by ${u.identity}`).join(", ");

/**
 * GitHub lists only a pull request's first 250 commits: whoever committed the rest is
 * unknown, so no approval can be shown to come from someone who did not commit.
 */
function truncatedOutcome(progress: string, details: string[]): Outcome {
  return {
    status: "fail",
    reason: `${progress}; this pull request has ${LISTED_COMMITS_LIMIT} commits or more and GitHub lists only the first ${LISTED_COMMITS_LIMIT}, so who committed the rest cannot be known and committers cannot be excluded`,
    fix: `Squash or split the pull request into fewer than ${LISTED_COMMITS_LIMIT} commits`,
    details,
  };
}

/**
 * Order of verdicts: an eligible change request fails; with committers excluded, a commit
 * list GitHub cut short fails; a change request or (when not yet enough) an approval whose
 * eligibility is unknown is an error; enough approvals pass; else the gate waits. Each
 * doubt about who the counted approvers are costs one approval: an unknown pusher (when
 * excluded) may be one of them, and so may the person behind each git identity with no
 * linked account (when committers are excluded). The gate passes only if it holds without
 * any of them.
 */
export function evaluateApprovals(
  req: ApprovalsRequirement,
  facts: PullRequestFacts,
  defaults: Defaults,
): Outcome {
  const s = settingsOf(req, defaults);
  const t = tally(facts, s);
  const who = describePrincipals(s.from);
  const progress = `${t.counted.length} of ${req.count} approval${req.count > 1 ? "s" : ""} from ${who}`;
  const unlinked = unlinkedOf(s, facts);
  const details = [
    ...t.details,
    ...(unlinked.length > 0
      ? [`commits by git identities with no linked GitHub account: ${describeUnlinked(unlinked)}`]
      : []),
  ];
  if (t.changesRequested.length > 0) {
    const them = t.changesRequested.join(", ");
    return {
      status: "fail",
      reason: `${them} requested changes`,
      fix: `Address the changes ${them} requested, then re-request ${t.changesRequested.length > 1 ? "their" : "a"} review`,
      details,
    };
  }
  if (s.exclude.includes("committers") && facts.committerGaps?.truncated === true) {
    return truncatedOutcome(progress, details);
  }
  const pusherUnknown = s.exclude.includes("pusher") && facts.pusher === undefined;
  const beyondPusher = pusherUnknown ? Math.max(0, t.counted.length - 1) : t.counted.length;
  const doubts = (pusherUnknown ? 1 : 0) + unlinked.length;
  const sure = Math.max(0, t.counted.length - doubts);
  if (t.unknownChangeRequests.length === 0 && sure >= req.count) {
    return { status: "pass", reason: progress, details };
  }
  if (
    t.unknownChangeRequests.length > 0 ||
    t.unknownApprovals.length > 0 ||
    (t.counted.length >= req.count && beyondPusher < req.count)
  ) {
    const missing = pusherUnknown ? ["who pushed the head commit is unknown"] : [];
    return {
      status: "error",
      reason: `${progress}; some reviews cannot be judged`,
      fix: "Facts needed to judge the reviews are missing (team members, permissions or the pusher); re-run the check, and if this persists make sure the app can read team membership",
      details: [...details, ...missing],
    };
  }
  return unlinked.length > 0
    ? unlinkedOutcome(req.count + doubts - t.counted.length, who, unlinked, progress, details)
    : {
        status: "pending",
        reason: progress,
        fix: `Ask ${who} for ${moreReviews(req.count - t.counted.length)}${describeExclusions(s.exclude)}`,
        details,
      };
}

const moreReviews = (n: number): string => `${n} more approving review${n > 1 ? "s" : ""}`;

/**
 * Anyone may commit under a git identity no account is linked to, approvers included: each
 * such identity costs one approval, until its commits are re-authored or its email linked.
 */
function unlinkedOutcome(
  more: number,
  who: string,
  unlinked: readonly UnlinkedCommitter[],
  progress: string,
  details: string[],
): Outcome {
  const n = unlinked.length;
  return {
    status: "pending",
    reason: `${progress}, but commits by ${n === 1 ? "a git identity" : `${n} git identities`} with no linked GitHub account (${describeUnlinked(unlinked)}) may be any approver's: each such identity takes one more approval`,
    fix: `Ask ${who} for ${moreReviews(more)}, or have the author link ${n === 1 ? "that email" : "those emails"} to their GitHub account (Settings → Emails) or re-author the commits with a linked email and push`,
    details,
  };
}

export const approvals = defineKind({
  key: "approvals",
  stages: ["pull_request"],
  schema: approvalsSchema,
  events: [
    "pull_request_review.submitted",
    "pull_request_review.dismissed",
    "pull_request.synchronize",
  ],
  check(spec, path, at) {
    const from = spec.from;
    if (!from) return;
    checkPrincipals(at, [...path, "from"], from, from.permission !== undefined);
    if (from.permission === undefined) checkReachableCount(at, path, spec.count, from, "approvals");
  },
  needs(spec, defaults) {
    const from = approversOf(spec.from);
    const exclude = spec.exclude ?? defaults?.approvals?.exclude ?? DEFAULT_EXCLUDE;
    return {
      reviews: true,
      teams: from.teams ?? [],
      permissions: from.permission !== undefined,
      pusher: exclude.includes("pusher"),
      committers: exclude.includes("committers"),
    };
  },
  evaluate: (spec, subject, ctx) =>
    subject.stage === "pull_request"
      ? evaluateApprovals(spec, subject.facts, ctx.defaults)
      : wrongStage("approvals", subject),
});
