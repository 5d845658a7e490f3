import type { ShownRun } from "../facts/checks.js";
import { CHECK_NAME, readOwnCheckRun } from "../facts/checks.js";
import { createOnce, SEND_ONCE } from "../github/create.js";
import type { Octokit } from "../github/types.js";
import type { RepoRef } from "../facts/types.js";
import type { CheckRunOutput } from "../report/check-run.js";
import { checkRunActions, type CheckRunAction } from "../report/check-run.js";

export type CheckRunWrite = "created" | "updated" | "unchanged";

/** What the write did, and the app's check run as GitHub shows it now. */
export interface CheckRunUpsert {
  write: CheckRunWrite;
  shown: ShownRun;
}

/**
 * One check run per head commit: created once, then updated only when what people would
 * see changes. The comparison uses the check run as GitHub returned it, so a redelivered
 * webhook or a restart writes nothing new.
 */
export async function upsertCheckRun(input: {
  octokit: Octokit;
  repo: RepoRef;
  headSha: string;
  output: CheckRunOutput;
  existing: ShownRun | undefined;
  detailsUrl?: string;
  appId: number;
  /** The buttons it offers; by default "Re-evaluate", which judges a pull request again. */
  actions?: CheckRunAction[];
}): Promise<CheckRunUpsert> {
  const { octokit, repo, output, existing } = input;
  const annotations = output.annotations ?? [];
  const shown = existing?.output.annotations_count ?? 0;
  if (existing && sameAsShown(existing, output) && shown === annotations.length) {
    return { write: "unchanged", shown: existing };
  }
  // GitHub keeps a completed check run's conclusion: it cannot go back to in_progress. A
  // gate that reopens (a new push, a dismissed review) gets a fresh run, which GitHub then
  // shows as the latest for the commit. GitHub appends the annotations of every update to
  // the ones a run already has, and none can be removed: a run that shows other
  // annotations than wanted is replaced, one that shows them already is not sent them again.
  const reopens = existing?.status === "completed" && output.status !== "completed";
  const staleAnnotations = shown > 0 && shown !== annotations.length;
  const update = existing && !reopens && !staleAnnotations ? existing : undefined;
  const send = update && shown === annotations.length ? [] : annotations;
  const body = {
    owner: repo.owner,
    repo: repo.repo,
    status: output.status,
    ...(output.conclusion ? { conclusion: output.conclusion } : {}),
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    output: {
      title: output.title,
      summary: output.summary,
      ...(output.text ? { text: output.text } : {}),
      ...(send.length > 0 ? { annotations: send } : {}),
    },
    actions: input.actions ?? checkRunActions(),
  };
  const shownAs = (id: number): ShownRun => ({
    id,
    name: CHECK_NAME,
    app: { id: input.appId },
    status: output.status,
    conclusion: output.conclusion ?? null,
    // Every write leaves the run showing exactly the wanted annotations (see above).
    output: {
      title: output.title,
      summary: output.summary,
      text: output.text ?? null,
      annotations_count: annotations.length,
    },
  });
  if (update) {
    await octokit.rest.checks.update({ ...body, check_run_id: update.id });
    return { write: "updated", shown: shownAs(update.id) };
  }
  const id = await createOnce(
    async () => {
      const { data } = await octokit.rest.checks.create({
        ...body,
        name: CHECK_NAME,
        head_sha: input.headSha,
        ...SEND_ONCE,
      });
      return data.id;
    },
    async () => (await readOwnCheckRun(octokit, repo, input.headSha, input.appId))?.id,
  );
  return { write: "created", shown: shownAs(id) };
}

// The summary's footer names the minute of the evaluation. A result that differs only
// there is not news: rewriting it would cost a (throttled) write on every event.
const EVALUATED_AT = /Evaluated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g;
const timeless = (summary: string | null): string =>
  (summary ?? "").replace(EVALUATED_AT, "Evaluated");

function sameAsShown(run: ShownRun, output: CheckRunOutput): boolean {
  return (
    run.status === output.status &&
    (run.conclusion ?? undefined) === output.conclusion &&
    run.output.title === output.title &&
    timeless(run.output.summary) === timeless(output.summary) &&
    (run.output.text ?? undefined) === (output.text ?? undefined)
  );
}
