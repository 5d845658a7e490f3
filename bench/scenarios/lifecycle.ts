/**
 * One pull request's life, one webhook at a time: opened, 3 pushes, 20 CI check
 * completions (3 of checks the policy names), 2 reviews, 3 checklist ticks, 2 label changes,
 * the merge; then a production deployment that is held and then approved. GitHub's echoes
 * of the app's own writes are replayed too, as GitHub sends them.
 */
import type { StandIn } from "../../test/stand-in/server.js";
import type { BenchEvents } from "../events.js";
import type { Runner, Tagged } from "../runner.js";
import { addRepo, warmups } from "../world.js";
import type { Minimum, Scenario, World } from "./scenario.js";

const OWNER = "acme";
const REPO = "shop";
const PR = 7;
const SUBJECT = `${OWNER}/${REPO}#${PR}`;
const ITEMS = ["Rollback plan documented", "Service desk briefed", "Communication sent"];

export const LIFECYCLE_POLICY = `change_types:
  standard: { labels: ["change: standard"] }
  normal: { default: true }
environments:
  production: {}
gates:
  change-record:
    stage: pull_request
    unless: { change_types: [standard] }
    require: { pattern: "CHG[0-9]{7}" }
  tests:
    stage: pull_request
    require: { checks: [build, test] }
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1, from: { teams: [eng] } } }
  cab:
    stage: pull_request
    when: { labels: ["risk: high"] }
    require: { approvals: { count: 2, from: { teams: [cab] } } }
  readiness:
    stage: pull_request
    require:
      checklist:
${ITEMS.map((item) => `        - ${item}`).join("\n")}
  release-manager:
    stage: deployment
    environments: [production]
    require: { deployment_approval: { count: 1, from: { teams: [release-managers] } } }
`;

const NAMED = ["build", "test"];
const UNNAMED = ["lint", "typecheck", "unit-1", "unit-2", "unit-3", "e2e-1", "e2e-2", "e2e-3"];

interface LifecycleWorld extends World {
  events: BenchEvents;
}

/** Per kind of event: the least a correct app must read for it (how: see MINIMUM_HOW). */
export const MINIMUM_READS: Record<string, number> = {
  // policy, reviews, commits (segregation of duties), check runs, statuses, team eng,
  // the PR's copy of the policy file, the PR's comments (finding an existing checklist)
  opened: 8,
  // a new head: reviews (stale approvals), commits, check runs, statuses, its policy file
  push: 5,
  // the other named checks' states: the check runs of the head (the payload has one)
  "check (named)": 1,
  "check (unnamed)": 0,
  // the other reviews (latest per reviewer); eligibility from the cached team
  review: 1,
  // who ticked is in the payload; items name no team; the comment is read again before
  // it is rewritten (GitHub has no conditional write: a newer save must not be lost)
  tick: 1,
  // a label brings in the cab gate: its team
  "label (adds gate)": 1,
  "label (removes gate)": 0,
  echo: 0,
  merge: 0,
  // the pull requests that brought the commit, and the app's check on that PR's head
  "deploy: held": 2,
  // the approver's team
  "deploy: approval": 1,
};

export const MINIMUM_HOW =
  "reads: per event, each fact source the event can have changed and its payload does not carry " +
  "(table in bench/scenarios/lifecycle.ts), facts it cannot change reused; writes: one per change " +
  "of what GitHub shows (a write identical to the last one in the same place is not counted)";

function play(world: LifecycleWorld, gh: StandIn): (runner: Runner) => Promise<void> {
  const { events } = world;
  const tag = (kind: string, webhook: Tagged["webhook"] | null): Tagged | null =>
    webhook ? { webhook, subject: SUBJECT, kind } : null;
  const echoes = async (runner: Runner) => {
    await runner.one(tag("echo", events.ownCheckEcho(PR)));
    await runner.one(tag("echo", events.ownCommentEcho(PR)));
  };
  return async (runner) => {
    await runner.one(tag("opened", events.opened(PR)));
    await echoes(runner);
    for (const who of ["alice", "alice", "carol"]) {
      await runner.one(tag("push", events.push(PR, who)));
      await runner.one(tag("echo", events.ownCheckEcho(PR)));
    }
    // 20 completions on the final head: build and test (and a re-run of build) among them.
    const order = [...UNNAMED.slice(0, 4), "build", ...UNNAMED.slice(4), "test"];
    const completions = [...order, ...UNNAMED.slice(0, 7), "build"];
    for (const name of completions) {
      const kind = NAMED.includes(name) ? "check (named)" : "check (unnamed)";
      await runner.one(tag(kind, events.checkCompleted(PR, name)));
    }
    await runner.one(tag("review", events.submitReview(PR, "bob", "APPROVED")));
    await runner.one(tag("review", events.submitReview(PR, "dave", "APPROVED")));
    for (const item of ITEMS) {
      await runner.one(tag("tick", events.tick(PR, item, "alice")));
      await echoes(runner);
    }
    await runner.one(tag("label (adds gate)", events.labeled(PR, "risk: high", "alice")));
    await runner.one(tag("label (removes gate)", events.unlabeled(PR, "risk: high", "alice")));
    await echoes(runner);
    const merged = events.merge(PR, "bob");
    await runner.one(tag("merge", merged));
    const deploy = events.deploymentRequested({
      sha: merged.mergeSha,
      environment: "production",
      actor: "carol",
    });
    const at = `${OWNER}/${REPO}@${merged.mergeSha}`;
    await runner.one({ webhook: deploy, subject: at, kind: "deploy: held" });
    const approval = events.deploymentApproved(deploy.runId, "production", "rita");
    await runner.one({ webhook: approval, subject: at, kind: "deploy: approval" });
    world.expect = () => verify(gh, deploy.runId);
  };
}

function verify(gh: StandIn, runId: number): string[] {
  const answers = gh.state.protectionRuleAnswers({ owner: OWNER, repo: REPO, runId });
  const decided = answers.filter((a) => a.state !== null);
  if (decided.length !== 1 || decided[0]?.state !== "approved") {
    return [`the deployment was not approved once (answers: ${JSON.stringify(answers)})`];
  }
  return [];
}

export const lifecycle: Scenario = {
  name: "PR lifecycle + deployment",
  seed(gh) {
    const events = addRepo(gh, {
      owner: OWNER,
      repo: REPO,
      installationId: 42,
      policy: LIFECYCLE_POLICY,
    });
    events.checklistItems = ITEMS;
    gh.state.addTeam(OWNER, "eng", ["bob", "dave", "erin"]);
    gh.state.addTeam(OWNER, "cab", ["erin", "frank"]);
    gh.state.addTeam(OWNER, "release-managers", ["rita"]);
    gh.state.addPullRequest(OWNER, REPO, {
      number: PR,
      title: "CHG0001234: faster checkout",
      author: "alice",
    });
    const world: LifecycleWorld = {
      events,
      warmups: warmups(gh, [{ owner: OWNER, installationId: 42 }]),
      expect: () => ["the scenario did not finish"],
      play: async () => {},
    };
    world.play = play(world, gh);
    return Promise.resolve(world);
  },
  minimum(events, visibleWrites): Minimum {
    const reads = events.reduce((sum, e) => sum + (MINIMUM_READS[e.kind] ?? 0), 0);
    return { reads, writes: visibleWrites, how: MINIMUM_HOW };
  },
};
