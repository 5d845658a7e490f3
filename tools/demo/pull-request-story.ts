/**
 * A change from pull request to merge-ready: a missing change record fixed by editing the
 * title, a peer approval, a tick by someone not allowed to tick (undone), and the right
 * person's tick.
 */
import type { StandIn } from "../../test/stand-in/server.js";
import { GitHubEvents, tickBox } from "../../test/e2e/github-events.js";
import type { Stage } from "./stage.js";
import { when } from "./stage.js";

export const OWNER = "acme";
export const REPO = "shop";
export const PULL = 12;
const ROLLBACK = "Rollback plan documented";
const SERVICE_DESK = "Service desk briefed";

export const PULL_REQUEST_POLICY = `change_types:
  emergency: { labels: ["change: emergency"] }
  normal: { default: true }
gates:
  change-record:
    stage: pull_request
    description: The change is registered in the change management system
    require: { pattern: "CHG[0-9]{7}" }
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1, from: { teams: [eng] } } }
  readiness:
    stage: pull_request
    require:
      checklist:
        - ${ROLLBACK}
        - { text: ${SERVICE_DESK}, by: { teams: [service-desk] } }
`;

/** People and the pull request the story starts with. */
export function seedPullRequest(gh: StandIn): void {
  gh.state.addTeam(OWNER, "eng", ["alice", "bob"]);
  gh.state.addTeam(OWNER, "service-desk", ["dana"]);
  gh.state.addPullRequest(OWNER, REPO, {
    number: PULL,
    title: "Faster checkout",
    body: "Caches the basket between page loads.",
    author: "alice",
    files: [{ filename: "src/checkout.ts", additions: 40, deletions: 12 }],
  });
}

export async function pullRequestStory(stage: Stage, events: GitHubEvents): Promise<void> {
  stage.heading("A developer opens a pull request without a change record");
  stage.say("alice opens #12 “Faster checkout”.");
  await stage.send(events.opened(PULL));
  await stage.expectPullRequest(
    "the check fails on the missing change record and lists every open gate",
    when.all(
      when.check("failure"),
      when.gate("change-record", /fail/),
      when.gate("peer-review", /pending/),
      when.comment(new RegExp(`- \\[ \\] ${ROLLBACK}`)),
    ),
  );

  stage.heading("The developer adds the change record to the title");
  stage.say("alice renames #12 to “CHG0012345: Faster checkout”.");
  await stage.send(events.editTitle(PULL, "CHG0012345: Faster checkout"));
  await stage.expectPullRequest(
    "the change-record gate passes; the check now waits on review and checklist",
    when.all(when.check(null), when.gate("change-record", /pass/)),
  );

  stage.heading("A peer approves");
  stage.say("bob (team eng) approves #12.");
  await stage.send(events.submitReview(PULL, "bob", "APPROVED"));
  await stage.expectPullRequest(
    "peer-review passes",
    when.all(when.check(null), when.gate("peer-review", /pass/)),
  );

  stage.heading("Someone ticks an item they may not tick");
  stage.say(`alice ticks “${SERVICE_DESK}”, which only the service desk may tick.`);
  await tick(stage, events, SERVICE_DESK, "alice");
  await stage.expectPullRequest(
    "the tick is undone, with a note saying why",
    when.all(
      when.check(null),
      when.comment(new RegExp(`- \\[ \\] ${SERVICE_DESK}`)),
      when.comment(/\*\*Notes\*\*/),
    ),
  );

  stage.heading("The right people tick the checklist");
  stage.say(`alice ticks “${ROLLBACK}”; dana (service desk) ticks “${SERVICE_DESK}”.`);
  await tick(stage, events, ROLLBACK, "alice");
  await stage.expectPullRequest(
    "the rollback plan is ticked",
    when.comment(new RegExp(`- \\[x\\] ${ROLLBACK}`)),
  );
  await tick(stage, events, SERVICE_DESK, "dana");
  await stage.expectPullRequest(
    "every gate passes: the pull request is ready to merge",
    when.all(when.check("success"), when.comment(new RegExp(`- \\[x\\] ${SERVICE_DESK}`))),
  );
}

/** `who` ticks `item` in the app's comment as it reads now. */
async function tick(stage: Stage, events: GitHubEvents, item: string, who: string): Promise<void> {
  const comment = stage.view().comment;
  if (!comment) throw new Error("there is no checklist comment to tick");
  await stage.send(events.editComment(comment.id, tickBox(comment.body, item), who));
}
