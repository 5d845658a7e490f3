// max_changed_files: a pull request changes at most this many files. Small changes are
// reviewed properly and rolled back safely; a large one is split, or reviewed as a
// release of its own.
import { z } from "zod";
import type { PullRequestFacts } from "../facts/types.js";
import type { Outcome } from "../model/outcome.js";
import { defineKind, wrongStage } from "./kind.js";

/** GitHub lists at most 3,000 files of a pull request: a higher limit could never be checked. */
export const MAX_LISTED_FILES = 3000;

export const maxChangedFilesSchema = z
  .int()
  .min(1)
  .max(MAX_LISTED_FILES)
  .describe(
    "The pull request changes at most this many files (GitHub lists at most 3,000), e.g. 50.",
  );

export function evaluateMaxChangedFiles(max: number, facts: PullRequestFacts): Outcome {
  const files = facts.changedFiles;
  if (files === undefined) {
    // The gatherer was not asked for the files: never a pass on a count nobody read.
    return {
      status: "error",
      reason: "the changed files were not read",
      fix: "Re-run the check; the facts it needs could not be gathered",
      details: [],
    };
  }
  const counted = `${files.length} file${files.length === 1 ? "" : "s"} changed, at most ${max}`;
  if (files.length <= max) return { status: "pass", reason: counted, details: [] };
  return {
    status: "fail",
    reason: counted,
    fix: `Split the pull request so that each changes at most ${max} files`,
    details: [],
  };
}

export const maxChangedFiles = defineKind({
  key: "max_changed_files",
  stages: ["pull_request"],
  schema: maxChangedFilesSchema,
  events: ["pull_request.synchronize"],
  needs: () => ({ changedFiles: true }),
  evaluate: (spec, subject) =>
    subject.stage === "pull_request"
      ? evaluateMaxChangedFiles(spec, subject.facts)
      : wrongStage("max_changed_files", subject),
});
