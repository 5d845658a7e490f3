// An implicit requirement: the release tag's own rules (releases.tags): its name, the branch its commit is on, and an
// annotated tag with a verified signature. A tag that breaks one fails the release: the fix is
// a new tag, never an edit. The app reports; it does not delete or move tags.
import type { ReleaseFacts, TagRules } from "../facts/release.js";
import { compilePattern, testPattern } from "../model/regex.js";
import { combineOutcomes, type Outcome } from "../model/outcome.js";

export function evaluateTagRules(rules: TagRules | undefined, facts: ReleaseFacts): Outcome {
  const { tag } = facts;
  if (tag.sha === undefined) {
    return {
      status: "fail",
      reason: facts.deleted
        ? `tag ${tag.name} was deleted by @${facts.deleted.by} at ${facts.deleted.at}`
        : `tag ${tag.name} does not exist`,
      fix: "Push the tag, or cut a new release",
      details: [],
    };
  }
  const outcomes: Outcome[] = [];
  if (rules?.pattern !== undefined) outcomes.push(namePattern(rules.pattern, tag.name));
  if (rules?.branches !== undefined) outcomes.push(branch(rules.branches, facts));
  if (rules?.signed) outcomes.push(signed(facts));
  if (outcomes.length === 0) {
    return { status: "pass", reason: `tag ${tag.name} exists`, details: [] };
  }
  return combineOutcomes(outcomes);
}

function namePattern(pattern: string, name: string): Outcome {
  let matches: boolean;
  try {
    matches = testPattern(compilePattern(pattern), name);
  } catch (error) {
    return {
      status: "error",
      reason: `the tag pattern /${pattern}/ is not a valid RE2 expression`,
      fix: "Correct releases.tags.pattern in the policy file",
      details: [error instanceof Error ? error.message : String(error)],
    };
  }
  if (matches) return { status: "pass", reason: `the name matches /${pattern}/`, details: [] };
  return {
    status: "fail",
    reason: `tag name ${name} does not match /${pattern}/`,
    fix: "Tag the release with a name that matches the pattern (delete the wrong tag by hand if it should not stay)",
    details: [],
  };
}

function branch(globs: string[], facts: ReleaseFacts): Outcome {
  const fact = facts.branch;
  if (fact === undefined) {
    return {
      status: "error",
      reason: "the branches holding the tagged commit were not looked at",
      fix: "Re-run the release record update",
      details: [],
    };
  }
  const short = (facts.tag.sha ?? "").slice(0, 7);
  if (fact.branch !== undefined) {
    return { status: "pass", reason: `${short} is on ${fact.branch}`, details: [] };
  }
  const looked = fact.checked.length > 0 ? fact.checked.join(", ") : "no branch matches";
  const more = fact.skipped > 0 ? ` (${fact.skipped} more matching branches not looked at)` : "";
  return {
    status: "fail",
    reason: `${short} is on none of the branches ${globs.join(", ")} (looked at: ${looked}${more})`,
    fix: "Tag a commit that has been merged into the default branch or a release branch",
    details: [],
  };
}

function signed(facts: ReleaseFacts): Outcome {
  const { tag } = facts;
  if (!tag.annotated) {
    return {
      status: "fail",
      reason: `${tag.name} is a lightweight tag; the policy requires an annotated, signed tag`,
      fix: "Tag with `git tag -s` and push the signed tag",
      details: [],
    };
  }
  if (tag.verification?.verified) {
    return { status: "pass", reason: "the tag's signature is verified", details: [] };
  }
  return {
    status: "fail",
    reason: `the tag's signature is not verified (${tag.verification?.reason ?? "unknown"})`,
    fix: "Sign the tag with a key registered on the tagger's GitHub account, and push it again",
    details: [],
  };
}
