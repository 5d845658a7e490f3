// deployment_status for the change record's work note: a deployment the protection rule
// approved with `work_note` on has ended (success, failure, error), so each change record it
// was approved on gets its note (src/effects/change-record-note.ts keeps it to once, however
// often the status is delivered and on whichever instance). Other states, and an app with
// neither system configured, cost nothing; an ended deployment approved without a note costs
// a store read and a write that lapses within the hour (its approval may yet be kept: GitHub
// hears it before the app's listeners do).
import type { Context } from "probot";
import type { DeploymentOutcomeState } from "../effects/change-record-note.js";
import { repoRefOf } from "./common.js";
import type { Deps } from "./deps.js";
import { handle } from "./timing.js";

const ENDED: readonly string[] = ["success", "failure", "error"] satisfies DeploymentOutcomeState[];

export async function onChangeNoteStatus(
  deps: Deps,
  context: Context<"deployment_status">,
): Promise<void> {
  const notes = deps.changeNotes;
  const { deployment_status: status, deployment, repository } = context.payload;
  if (!notes || !ENDED.includes(status.state)) return;
  const statusUrl = status.log_url || status.target_url || undefined;
  await handle(deps.timing, context, () =>
    notes.outcome(
      repoRefOf(repository),
      deployment.id,
      {
        state: status.state as DeploymentOutcomeState,
        at: status.created_at,
        repositoryUrl: repository.html_url,
        ...(statusUrl ? { statusUrl } : {}),
      },
      context.log,
    ),
  );
}
