/**
 * The demo's last step: the release desk. acme's base policy (acme/.github) asks for one, so
 * every decision of the story lands on one issue there; the step waits for the issue to show
 * the story's end (the normal change still held by the freeze, the emergency change shipped to
 * production) and prints it as GitHub holds it.
 */
import type { StandIn } from "../../test/stand-in/server.js";
import { waitFor } from "../../test/e2e/server-process.js";
import { OWNER } from "./pull-request-story.js";
import { dim, green, plain } from "./render.js";
import { DemoFailure, type Stage } from "./stage.js";

/** The desk is edited at most this often; the demo's server waits a second, not a minute. */
export const DEMO_DESK_INTERVAL = "1s";

/** acme's .github repository, whose policy turns the desk on. */
export function seedDesk(gh: StandIn, installationId: number): void {
  gh.state.addRepo({ owner: OWNER, repo: ".github", installationId });
  gh.state.addFile(OWNER, ".github", "main", ".github/release-policy.yml", "desk: {}\n");
}

export async function deskStory(stage: Stage): Promise<void> {
  stage.heading("The release desk shows the release managers everything at once");
  stage.say(
    `${OWNER}/.github's policy says \`desk: {}\`: the app keeps one issue there, edited at most once a minute (once a second in this demo).`,
  );
  const desk = () =>
    stage.gh.state
      .issues(OWNER, ".github")
      .find((issue) =>
        stage.gh.state.labelsOn(OWNER, ".github", issue.number).includes("release-desk"),
      );
  let body: string;
  try {
    body = await waitFor(
      "the desk issue",
      () => {
        const text = desk()?.body ?? "";
        return /Quarter-end freeze until/.test(text) && /@rita \| ✅ success/.test(text)
          ? text
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
  } catch {
    throw new DemoFailure(
      `expected the desk issue to show the held change and the emergency deployment, but it reads:\n${desk()?.body ?? "(no desk issue)"}`,
    );
  }
  const issue = desk();
  stage.say("", dim(`${OWNER}/.github#${issue?.number ?? "?"}: ${issue?.title ?? ""}`));
  // Markdown as people read it; the chart as written (GitHub draws it: see docs/desk.md).
  let chart = false;
  for (const line of body.trimEnd().split("\n")) {
    if (line.startsWith("<!--")) continue;
    if (line.startsWith("```")) chart = !chart;
    stage.say(
      line === "" ? "" : chart || line.startsWith("```") ? dim(`  ${line}`) : `  ${plain(line)}`,
    );
  }
  stage.say(
    "",
    green(
      "✓ the held change (waiting for the freeze to end) and the emergency deployment, shipped, are on the desk",
    ),
  );
}
