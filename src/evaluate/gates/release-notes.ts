// release_notes: the release has notes: the GitHub release's body, or a changelog section
// whose heading names the tag. Missing notes keep the release waiting: they can be written
// without a new tag.
import type { NotesFact } from "../../facts/release.js";
import type { Outcome } from "../../model/outcome.js";

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
