// checklist: items in the app's checklist comment that must be ticked (rollback plan,
// communication, ...), optionally only by named users or teams.
import type { ChecklistFacts, ChecklistTick } from "../facts/types.js";
import { z } from "zod";
import { worstStatus, type JudgedStatus, type Outcome } from "../model/outcome.js";
import { principalsSchema, type Principals } from "../model/principals.js";
import { describePrincipals, isEligible, type MembershipFacts } from "./eligibility.js";
import { defineKind, type PathSegment } from "./kind.js";
import { checkPrincipals } from "./principals.js";

const checklistItemSchema = z
  .union([
    z.string().min(1).max(300),
    z.strictObject({
      text: z.string().min(1).max(300).describe("The item as people read it."),
      by: principalsSchema.optional().describe("Only these people's ticks count."),
    }),
  ])
  .describe("An item: its text, or a mapping with the text and who may tick it.");

export const checklistSchema = z
  .array(checklistItemSchema)
  .min(1)
  .max(50)
  .describe(
    "Items in the app's checklist comment that must be ticked, optionally only by named users or teams.",
  );

export type ChecklistItemSpec = z.infer<typeof checklistItemSchema>;
type ChecklistRequirement = z.infer<typeof checklistSchema>;

export function normalizeChecklistItem(item: ChecklistItemSpec): { text: string; by?: Principals } {
  return typeof item === "string" ? { text: item } : item;
}

interface ItemResult {
  text: string;
  by?: Principals;
  status: JudgedStatus;
  detail: string;
}

/** What judging ticks reads: a pull request's facts, or a release's. */
export type ChecklistJudgeFacts = MembershipFacts & { checklist: ChecklistFacts };

const tickedBy = (tick: ChecklistTick): string =>
  `ticked by ${tick.by ? `@${tick.by}` : "an unknown user"}${tick.at ? ` at ${tick.at}` : ""}`;

/**
 * The checklist module refuses unauthorized ticks before the facts are built; the evaluator
 * checks again (fail closed): a tick by someone outside `by`, or by an unknown user, counts
 * as no tick, and says why.
 */
function judgeItem(
  text: string,
  by: Principals | undefined,
  facts: ChecklistJudgeFacts,
): ItemResult {
  const tick = facts.checklist.ticks[text];
  const base = { text, ...(by ? { by } : {}) };
  if (!tick?.checked) return { ...base, status: "pending", detail: `"${text}": not ticked` };
  if (!by) return { ...base, status: "pass", detail: `"${text}": ${tickedBy(tick)}` };
  if (!tick.by) {
    return {
      ...base,
      status: "pending",
      detail: `"${text}": ticked, but by whom is unknown; only ${describePrincipals(by)} may tick it`,
    };
  }
  const e = isEligible(by, tick.by, facts);
  if (e.kind === "eligible")
    return { ...base, status: "pass", detail: `"${text}": ${tickedBy(tick)}` };
  if (e.kind === "unknown") {
    return {
      ...base,
      status: "error",
      detail: `"${text}": ${tickedBy(tick)}; cannot tell whether that counts: ${e.missing.join(" and ")} unknown`,
    };
  }
  return {
    ...base,
    status: "pending",
    detail: `"${text}": ${tickedBy(tick)}, who may not tick it (only ${describePrincipals(by)} may), so it does not count`,
  };
}

export function evaluateChecklist(req: ChecklistRequirement, facts: ChecklistJudgeFacts): Outcome {
  const items = req.map(normalizeChecklistItem).map((i) => judgeItem(i.text, i.by, facts));
  const status = worstStatus(items.map((i) => i.status));
  const details = items.map((i) => i.detail);
  const done = items.filter((i) => i.status === "pass").length;
  const progress = `${done} of ${items.length} checklist item${items.length > 1 ? "s" : ""} ticked`;
  if (status === "error") {
    return {
      status,
      reason: `${progress}; some ticks cannot be judged`,
      fix: "Facts needed to judge the ticks are missing (team members); re-run the check, and if this persists make sure the app can read team membership",
      details,
    };
  }
  if (status === "pending") {
    const open = items.filter((i) => i.status === "pending");
    return {
      status,
      reason: progress,
      fix: `Tick ${open.map(describeOpen).join("; ")} in the checklist comment`,
      details,
    };
  }
  return { status, reason: progress, details };
}

function describeOpen(item: ItemResult): string {
  return item.by ? `"${item.text}" (only ${describePrincipals(item.by)} may)` : `"${item.text}"`;
}

export const checklist = defineKind({
  key: "checklist",
  stages: ["pull_request", "release"],
  schema: checklistSchema,
  events: ["issue_comment.edited"],
  check(spec, path, at) {
    const seen = new Map<string, PathSegment[]>();
    spec.forEach((item, index) => {
      const text = typeof item === "string" ? item : item.text;
      const key = text.trim().toLowerCase();
      const first = seen.get(key);
      const itemPath = [...path, index];
      if (first !== undefined) {
        at.report(
          itemPath,
          `checklist item "${text}" appears twice (also at ${at.where(first, itemPath)}); items are told apart by their text`,
        );
      } else seen.set(key, itemPath);
      if (typeof item !== "string" && item.by) checkPrincipals(at, [...path, index, "by"], item.by);
    });
  },
  needs(spec) {
    const items = spec.map(normalizeChecklistItem);
    return { checklistItems: items, teams: items.flatMap((i) => i.by?.teams ?? []) };
  },
  evaluate: (spec, subject) =>
    subject.stage === "deployment"
      ? { status: "error", reason: "a checklist cannot be judged for a deployment", details: [] }
      : evaluateChecklist(spec, subject.facts),
});
