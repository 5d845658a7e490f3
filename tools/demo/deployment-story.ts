/**
 * Promotion to production: a normal change held by a change freeze and a missing
 * release-manager approval, and an emergency change that bypasses the freeze but still
 * needs the release manager. The freeze is set around today, so the story holds whenever
 * the demo runs.
 */
import type { StandIn } from "../../test/stand-in/server.js";
import type { ProtectionAnswer } from "../../test/stand-in/records.js";
import type { GitHubEvents } from "../../test/e2e/github-events.js";
import { waitFor } from "../../test/e2e/server-process.js";
import { OWNER, REPO } from "./pull-request-story.js";
import { answerLines, green } from "./render.js";
import { DemoFailure, type Stage } from "./stage.js";
import type { ServiceNowStandIn } from "../../test/stand-in/servicenow.js";
import { CHANGE_GATE, changeApprovedStory, EMERGENCY_CHANGE } from "./change-record-story.js";

const day = (offset: number, now: Date) =>
  new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);

export function deploymentPolicy(now: Date): string {
  return `environments:
  production: {}
gates:
  production-window:
    stage: deployment
    environments: [production]
    unless: { change_types: [emergency] }
    require:
      window:
        timezone: UTC
        freeze: [{ from: ${day(-1, now)}, to: ${day(1, now)}, reason: Quarter-end freeze }]
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { teams: [release-managers] } } }
${CHANGE_GATE}`;
}

/** Two changes already merged to main: a normal one, then an emergency fix on top. */
export function seedMergedChanges(gh: StandIn): { normal: string; emergency: string } {
  gh.state.addTeam(OWNER, "release-managers", ["rita"]);
  const normal = gh.state.addPullRequest(OWNER, REPO, {
    number: 20,
    title: "CHG0020000: New payment provider",
    author: "carol",
    merged: true,
    mergedBy: "carol",
  });
  const emergency = gh.state.addPullRequest(OWNER, REPO, {
    number: 21,
    title: "CHG0020001: Fix card declines",
    author: "erin",
    labels: ["change: emergency"],
    merged: true,
    mergedBy: "erin",
  });
  if (!normal.mergeCommitSha || !emergency.mergeCommitSha)
    throw new Error("seeded pull requests were not merged");
  return { normal: normal.mergeCommitSha, emergency: emergency.mergeCommitSha };
}

export async function deploymentStory(
  stage: Stage,
  events: GitHubEvents,
  commits: { normal: string; emergency: string },
  sn: ServiceNowStandIn,
): Promise<void> {
  stage.heading("A normal change is deployed to production during a freeze");
  stage.say("The deploy workflow of #20 (merged) reaches the production environment.");
  const normal = events.deploymentRequested({
    sha: commits.normal,
    environment: "production",
    actor: "carol",
  });
  await stage.send(normal);
  await expectAnswer(stage, normal.runId, null, "the job is held: freeze on, no approval yet");

  stage.heading("The release manager approves, but the freeze still holds");
  stage.say("rita (release-managers) approves the deployment in GitHub's review.");
  await stage.send(events.deploymentApproved(normal.runId, "production", "rita"));
  await expectAnswer(stage, normal.runId, null, "still held: only the freeze is left", 2);

  stage.heading("An emergency change goes to production during the freeze");
  stage.say("The deploy workflow of #21 (label “change: emergency”) reaches production.");
  const urgent = events.deploymentRequested({
    sha: commits.emergency,
    environment: "production",
    actor: "erin",
  });
  await stage.send(urgent);
  await expectAnswer(
    stage,
    urgent.runId,
    null,
    `held for the release manager and ${EMERGENCY_CHANGE}'s approval, not the freeze`,
  );
  stage.say("rita approves it.");
  await stage.send(events.deploymentApproved(urgent.runId, "production", "rita"));
  await expectAnswer(
    stage,
    urgent.runId,
    null,
    `still held: ${EMERGENCY_CHANGE} is not yet approved`,
    2,
  );
  await changeApprovedStory(stage, events, sn, urgent.runId, () =>
    expectAnswer(stage, urgent.runId, "approved", "the emergency deployment proceeds", 3),
  );
}

/**
 * Waits for the `count`-th answer to a run and checks its state: null is a status comment
 * that keeps the job waiting.
 */
async function expectAnswer(
  stage: Stage,
  runId: number,
  state: ProtectionAnswer["state"],
  promise: string,
  count = 1,
): Promise<void> {
  const answers = () => stage.gh.state.protectionRuleAnswers({ owner: OWNER, repo: REPO, runId });
  let answer: ProtectionAnswer | undefined;
  try {
    answer = await waitFor(
      promise,
      () => {
        const all = answers();
        return all.length >= count ? all[count - 1] : undefined;
      },
      { timeoutMs: 30_000 },
    );
  } catch {
    throw new DemoFailure(`expected ${promise}, but the app gave ${answers().length} answer(s)`);
  }
  stage.say("", ...answerLines(answer));
  if (answer.state !== state)
    throw new DemoFailure(`expected ${promise}, but the app answered ${answer.state ?? "waiting"}`);
  stage.say("", green(`✓ ${promise}`));
}
