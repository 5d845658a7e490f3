// What a requirement kind is. Each kind (`pattern`, `approvals`, `window`, …) is one module in
// this folder exporting one `RequirementKind`; src/requirements/registry.ts lists them, and the
// policy schema, the stage rules, the semantic checks, the facts to fetch and the dispatch of
// evaluation all derive from that list. Adding a kind is one new module and one registry line.
import type { EmitterWebhookEventName } from "@octokit/webhooks";
import type { z } from "zod";
import type { DeploymentFacts } from "../facts/deployment.js";
import type { ReleaseFacts } from "../facts/release.js";
import type { PullRequestFacts } from "../facts/types.js";
import type { Outcome } from "../model/outcome.js";
import type { Needs } from "../facts/needs.js";

/** When a gate is judged: on each pull request, on each release (tag), on each deployment. */
export const STAGES = ["pull_request", "release", "deployment"] as const;
export type Stage = (typeof STAGES)[number];

/** What each stage is judged on. */
export interface StageFacts {
  pull_request: PullRequestFacts;
  release: ReleaseFacts;
  deployment: DeploymentFacts;
}

/** The thing a gate is judged on, tagged with its stage so a kind can tell them apart. */
export type Subject = { [S in Stage]: { stage: S; facts: StageFacts[S] } }[Stage];

/** What the evaluator hands every kind besides its own setting and the facts. */
export interface JudgeContext {
  now: Date;
  /** The gate being judged, for lines that name it. */
  gateId: string;
  /** `defaults` of the policy: settings every approvals requirement inherits. */
  defaults: ApprovalDefaults | undefined;
  /** The change type a commit no pull request brought is judged as (a push has no labels). */
  directChangeType: string | null;
}

export interface ApprovalDefaults {
  approvals?: { exclude?: ("author" | "committers" | "pusher")[] };
  invalidate_on_push?: boolean;
}

/** A kind's verdict: an outcome, plus what only some kinds know. */
export interface KindOutcome extends Outcome {
  /** Milliseconds since the epoch at which a pending outcome may change by time alone. */
  recheckAt?: number;
  /** One line naming every sign-off and whether it counts (deployment approvals). */
  signOffs?: string;
}

export type PathSegment = string | number;

/** Where semantic checks report, and what they may look up in the rest of the policy. */
export interface SemanticContext {
  /** Reports a problem at a key path (from the policy's root). */
  report(path: readonly PathSegment[], message: string, target?: "key"): void;
  /** "line 7", or "owner/repo:path line 7" when `other` is in another file than `from`. */
  where(other: readonly PathSegment[], from: readonly PathSegment[]): string;
  /** Change types the policy defines. */
  changeTypes: readonly string[];
  /** The policy extends a base that is not at hand: names it does not define may be there. */
  partial: boolean;
}

export interface RequirementKind<Spec> {
  /** The key under a gate's `require`. */
  key: string;
  /** The stages a gate requiring it may have, in the order docs list them. */
  stages: readonly Stage[];
  /** Validation, types, JSON Schema and docs/policy.md's entry. */
  schema: z.ZodType<Spec>;
  /** Webhook events after which the kind's verdict may have changed: the app judges again. */
  events: readonly EmitterWebhookEventName[];
  /** Checks the schema cannot express; `path` leads to the kind's own key. */
  check?(spec: Spec, path: PathSegment[], at: SemanticContext): void;
  /** What the facts must hold to judge it; nothing when omitted. */
  needs?(spec: Spec, defaults: ApprovalDefaults | undefined): Partial<Needs>;
  /** Pure: the verdict, its reason, and how to satisfy it. */
  evaluate(spec: Spec, subject: Subject, ctx: JudgeContext): KindOutcome;
}

/** Declares a kind, keeping its schema's own type so the registry can compose typed keys. */
export function defineKind<S extends z.ZodType>(
  kind: RequirementKind<z.infer<S>> & { schema: S },
): RequirementKind<z.infer<S>> & { schema: S } {
  return kind;
}

/** The outcome for a subject a kind cannot judge: validation refuses the combination. */
export function wrongStage(key: string, subject: Subject): KindOutcome {
  return {
    status: "error",
    reason: `"${key}" cannot be judged at stage ${subject.stage}`,
    fix: `Move "${key}" to a gate of a stage it applies to`,
    details: [],
  };
}
