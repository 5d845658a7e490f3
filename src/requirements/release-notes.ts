// release_notes: the release has notes: the GitHub release's body, or a changelog section
// whose heading names the tag. Missing notes keep the release waiting: they can be written
// without a new tag.
import type { NotesFact } from "../facts/release.js";
import { z } from "zod";
import type { Outcome } from "../model/outcome.js";
import { DEFAULT_CHANGELOG } from "../facts/needs.js";
import { defineKind, wrongStage } from "./kind.js";

export const releaseNotesSchema = z
  .union([
    z.literal(true),
    z.strictObject({
      changelog: z
        .string()
        .min(1)
        .max(300)
        .optional()
        .describe(
          "The changelog file read at the tag when the GitHub release has no body. Default: CHANGELOG.md.",
        ),
    }),
  ])
  .describe(
    "Release stage: the release has notes: the GitHub release's body, or else a section of the changelog whose heading names the tag.",
  );

/** The changelog file a requirement names, or the default one. */
export function changelogOf(spec: z.infer<typeof releaseNotesSchema>): string {
  return (spec === true ? undefined : spec.changelog) ?? DEFAULT_CHANGELOG;
}

export function evaluateReleaseNotes(notes: NotesFact | undefined, changelog: string): Outcome {
  if (notes === undefined) {
    return {
      status: "error",
      reason: "the release notes were not looked for",
      fix: "Re-run the release record update; the facts it needs could not be gathered",
      details: [],
    };
  }
  if (notes.found) {
    const where = notes.source === "release" ? "the GitHub release" : notes.where;
    return { status: "pass", reason: `release notes are in ${where}`, details: [notes.where] };
  }
  return {
    status: "pending",
    reason: "no release notes found",
    fix: `Write the notes in the GitHub release's description, or add a section headed with the tag to ${changelog}`,
    details: notes.looked.map((l) => `looked for ${l}`),
  };
}

export const releaseNotes = defineKind({
  key: "release_notes",
  stages: ["release"],
  schema: releaseNotesSchema,
  events: ["release.published", "release.edited", "push"],
  needs: (spec) => ({
    notes: true,
    ...(spec !== true && spec.changelog !== undefined ? { changelog: spec.changelog } : {}),
  }),
  evaluate: (spec, subject) =>
    subject.stage === "release"
      ? evaluateReleaseNotes(subject.facts.notes, changelogOf(spec))
      : wrongStage("release_notes", subject),
});
