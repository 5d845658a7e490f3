// A merged pull request's change type is the one it was merged with: labelling it
// `change: emergency` after the merge does not let its deployment escape a freeze that holds
// normal changes. Through probot.receive(), GitHub stood in by nock, each request recorded.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { MemoryStore } from "../../src/store/memory.js";
import { mergedPullClosed, mergedPullLabeled } from "../fixtures/deployment/events.js";
import { protectionRuleRequested } from "../fixtures/deployment/payloads.js";
import { REPO_PATH, mergedPull, startApp } from "../integration/deployment-helpers.js";
import {
  ANSWER,
  bodyOf,
  expectBudget,
  NOTHING,
  PR_HEAD,
  PULLS_OF_SHA,
  RUN_ID,
  SHA,
  STATUS,
  World,
} from "../integration/deployment-world.js";

const EMERGENCY = "change: emergency";
/** Inside the year-end freeze; the pull request was merged on 9 March (mergedPull). */
const FROZEN = new Date("2026-12-22T12:00:00Z");
const EVENTS = `GET ${REPO_PATH}/issues/7/events?per_page=100&page=1`;

const POLICY = `
change_types:
  emergency: { labels: ["${EMERGENCY}"] }
  normal: { default: true }
environments:
  production: {}
gates:
  production-window:
    stage: deployment
    environments: [production]
    unless: { change_types: [emergency] }
    require:
      window:
        timezone: Europe/Berlin
        allow: ["Mon-Sun 00:00-24:00"]
        freeze: [{ from: 2026-12-20, to: 2027-01-04, reason: Year-end freeze }]
        outside: reject
`;

const requested = () =>
  protectionRuleRequested({ runId: RUN_ID, environment: "production", sha: SHA, deploymentId: 55 });

const merged = (labels: string[]) =>
  mergedPullClosed({ pr: 7, labels, headSha: PR_HEAD, mergeCommitSha: SHA });

/** GitHub's record: #7 as it is listed now, with `labels` on it. */
function labelledNow(world: World, labels: string[]): void {
  world.pullsByCommit = { [SHA]: [mergedPull(SHA, labels)] };
}

const labelEvent = (event: "labeled" | "unlabeled", at: string) => ({
  event,
  created_at: at,
  label: { name: EMERGENCY },
});

let world: World;
beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
  world = new World(POLICY);
  world.deployments = [{ id: 55, sha: SHA }];
});
afterEach(() => {
  world.close();
  nock.cleanAll();
});

describe("a merged pull request relabelled after its merge", () => {
  it("keeps the change type it was merged with: the freeze still holds it back", async () => {
    const app = await startApp(new MemoryStore(), { now: FROZEN });
    await app.receive("pull_request", merged([]));
    expectBudget(world.take(), NOTHING);

    // After the merge, someone labels it an emergency to escape the freeze.
    labelledNow(world, [EMERGENCY]);
    await app.receive(
      "pull_request",
      mergedPullLabeled({ pr: 7, label: EMERGENCY, headSha: PR_HEAD }),
    );
    world.take();
    await app.receive("deployment_protection_rule", requested());
    const made = world.take();
    const answer = bodyOf(made, ANSWER);
    expect(answer.state).toBe("rejected");
    expect(answer.comment).toContain("Year-end freeze");
    // The note taken at the merge answers: GitHub's label history is not read.
    expectBudget(made, {
      reads: { atMost: 4, includes: [PULLS_OF_SHA], excludes: [EVENTS] },
      writes: [ANSWER, STATUS],
    });
  });

  it("without the merge's note, reads GitHub's label history once and judges the labels at the merge", async () => {
    labelledNow(world, [EMERGENCY]);
    world.issueEvents = { 7: [labelEvent("labeled", "2026-12-21T08:00:00Z")] };
    const store = new MemoryStore();
    const app = await startApp(store, { now: FROZEN });
    await app.receive("deployment_protection_rule", requested());
    const made = world.take();
    expect(bodyOf(made, ANSWER).state).toBe("rejected");
    // One read more than a deployment whose merge the app heard: the label history.
    expectBudget(made, {
      reads: { atMost: 5, includes: [EVENTS] },
      writes: [ANSWER, STATUS],
    });

    // Kept: a second deployment of the same commit does not read the history again.
    const again = await startApp(store, { now: FROZEN });
    await again.receive(
      "deployment_protection_rule",
      protectionRuleRequested({
        runId: RUN_ID,
        environment: "production",
        sha: SHA,
        deploymentId: 56,
      }),
    );
    // (The commit status already says so: only the answer is written.)
    expectBudget(world.take(), { reads: { atMost: 4, excludes: [EVENTS] }, writes: [ANSWER] });
  });

  it("lets a change labelled an emergency before its merge through the freeze", async () => {
    labelledNow(world, [EMERGENCY]);
    world.issueEvents = {
      7: [labelEvent("labeled", "2026-03-08T10:00:00Z")],
    };
    const app = await startApp(new MemoryStore(), { now: FROZEN });
    await app.receive("deployment_protection_rule", requested());
    expect(bodyOf(world.take(), ANSWER).state).toBe("approved");

    // Heard at the merge: the same, with no history read.
    const heard = await startApp(new MemoryStore(), { now: FROZEN });
    await heard.receive("pull_request", merged([EMERGENCY]));
    await heard.receive("deployment_protection_rule", requested());
    const made = world.take();
    expect(bodyOf(made, ANSWER).state).toBe("approved");
    expect(made.map((r) => r.line)).not.toContain(EVENTS);
  });

  it("keeps a change merged as an emergency one when its label is removed after the merge", async () => {
    // Merged as an emergency, unlabelled after: still the emergency it was merged as.
    labelledNow(world, []);
    world.issueEvents = {
      7: [
        labelEvent("labeled", "2026-03-08T10:00:00Z"),
        labelEvent("unlabeled", "2026-12-21T08:00:00Z"),
      ],
    };
    const app = await startApp(new MemoryStore(), { now: FROZEN });
    await app.receive("deployment_protection_rule", requested());
    expect(bodyOf(world.take(), ANSWER).state).toBe("approved");
  });
});
