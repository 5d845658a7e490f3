// pattern: an RE2 expression that must match somewhere in the title, body or branch name,
// typically a change record reference ("CHG[0-9]{7}").
import type { PullRequestFacts } from "../facts/types.js";
import { z } from "zod";
import { compilePattern, patternError, testPattern } from "../model/regex.js";
import type { Outcome } from "../model/outcome.js";
import { orList } from "../model/words.js";
import { defineKind, wrongStage } from "./kind.js";

export const patternSchema = z
  .union([
    z.string().min(1).max(1000),
    z.strictObject({
      regex: z.string().min(1).max(1000).describe("RE2 regular expression."),
      in: z
        .array(z.enum(["title", "body", "branch"]))
        .min(1)
        .optional()
        .describe("Where to look. Default: title and body."),
      description: z.string().max(200).optional().describe("What the pattern stands for."),
    }),
  ])
  .describe(
    'An RE2 regular expression (linear time: no backreferences or lookaround) that must match the title or body, e.g. "CHG[0-9]{7}".',
  );

type PatternRequirement = z.infer<typeof patternSchema>;
type Field = "title" | "body" | "branch";

const fieldNames: Record<Field, string> = { title: "title", body: "body", branch: "branch name" };

function textOf(field: Field, facts: PullRequestFacts): string {
  if (field === "title") return facts.title;
  if (field === "body") return facts.body;
  return facts.headRef;
}

/** "the title or body", "the title, body or branch name". */
function describeFields(fields: readonly Field[]): string {
  return `the ${orList(fields.map((f) => fieldNames[f]))}`;
}

export function evaluatePattern(req: PatternRequirement, facts: PullRequestFacts): Outcome {
  const spec: Exclude<PatternRequirement, string> = typeof req === "string" ? { regex: req } : req;
  const fields: Field[] = [...new Set<Field>(spec.in ?? ["title", "body"])];
  const shown = `/${spec.regex}/`;
  const what = spec.description ?? "a change record reference";
  let re;
  try {
    re = compilePattern(spec.regex);
  } catch (e) {
    // Validation should have refused it; if it did not, the gate cannot be judged.
    return {
      status: "error",
      reason: `the pattern ${shown} is not a valid RE2 expression`,
      fix: "Correct the pattern in the policy file",
      details: [e instanceof Error ? e.message : String(e)],
    };
  }
  const found = fields.filter((f) => testPattern(re, textOf(f, facts)));
  if (found.length > 0) {
    return {
      status: "pass",
      reason: `${what} matching ${shown} is in ${describeFields(found)}`,
      details: [],
    };
  }
  return {
    status: "fail",
    reason: `no ${stripArticle(what)} matching ${shown} in ${describeFields(fields)}`,
    fix: `Put ${what} matching ${shown} in ${describeFields(fields)}`,
    details: [],
  };
}

// "a change record reference" reads "no change record reference" in the negative.
function stripArticle(s: string): string {
  return s.replace(/^(a|an|the) /i, "");
}

export const pattern = defineKind({
  key: "pattern",
  stages: ["pull_request"],
  schema: patternSchema,
  events: ["pull_request.edited"],
  check(spec, path, at) {
    const error = patternError(typeof spec === "string" ? spec : spec.regex);
    if (error) at.report(typeof spec === "string" ? path : [...path, "regex"], error);
  },
  evaluate: (spec, subject) =>
    subject.stage === "pull_request"
      ? evaluatePattern(spec, subject.facts)
      : wrongStage("pattern", subject),
});
