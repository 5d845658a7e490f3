/**
 * A deployment burst: a monorepo deploys many services to production at once. Each run's
 * protection-rule request is delivered, and at once a release manager's review of the same
 * run, so most reviews land while the run's decision is in flight. Every run must end
 * approved exactly once; the figures are the webhook answer times and how long after the
 * last review the last run was approved.
 */
import type { StandIn } from "../../test/stand-in/server.js";
import type { BenchEvents } from "../events.js";
import type { Tagged } from "../runner.js";
import { RELEASE_MANAGER_POLICY as POLICY } from "../../test/e2e/seed.js";
import { addRepo, warmups } from "../world.js";
import type { Scenario, World } from "./scenario.js";

const OWNER = "east";
const REPO = "monorepo";
const INSTALLATION_ID = 103;

/** Seconds from the last review's delivery to the last run's approval (World.figures). */
export const LAST_APPROVAL_S = "lastApprovalS";

export function deployBurst(runs: number): Scenario {
  const scenario: Scenario = {
    name: `deploy burst: ${runs} runs, each reviewed in flight`,
    async seed(gh) {
      const events = addRepo(gh, {
        owner: OWNER,
        repo: REPO,
        installationId: INSTALLATION_ID,
        policy: POLICY,
      });
      gh.state.addTeam(OWNER, "release-managers", ["rita"]);
      const merged = gh.state.addPullRequest(OWNER, REPO, {
        number: 3,
        title: "CHG0000003: shared library",
        author: "carol",
        merged: true,
      });
      const sha = merged.mergeCommitSha ?? "";
      const world: World = {
        warmups: warmups(gh, [{ owner: OWNER, installationId: INSTALLATION_ID }]),
        async play(runner) {
          const requested = Array.from({ length: runs }, () =>
            events.deploymentRequested({ sha, environment: "production", actor: "carol" }),
          );
          // Each run's request, then its review, as GitHub delivers them: concurrently.
          const burst: Tagged[] = requested.flatMap((run) => [
            { webhook: run, subject: `run ${run.runId}`, kind: "deploy: requested" },
            {
              webhook: reviewWhenSent(events, run.runId),
              subject: `run ${run.runId}`,
              kind: "deploy: review",
            },
          ]);
          await runner.burst(burst, runs);
          const lastReview =
            performance.timeOrigin +
            Math.max(
              ...runner.events.filter((e) => e.kind === "deploy: review").map((e) => e.sent),
            );
          const approvedAt = await allApproved(
            gh,
            requested.map((run) => run.runId),
          );
          const lastApprovalS = (Math.max(...approvedAt) - lastReview) / 1000;
          world.figures = () => ({ runs, [LAST_APPROVAL_S]: lastApprovalS });
          world.expect = () =>
            verify(
              gh,
              requested.map((run) => run.runId),
            );
        },
        expect: () => ["the burst did not run"],
      };
      return world;
    },
    minimum(events) {
      const count = events.filter((e) => e.kind === "deploy: requested").length;
      return {
        // per run: the pull requests of its commit and GitHub's record of its reviews; once:
        // the policy, the team, the pull request's committers (it is merged: they are final)
        reads: count * 2 + 3,
        // per run the answer; once the commit status (one commit, one decision)
        writes: count + 1,
        how:
          "per run: the pull requests of its commit and its reviews; once: the policy, the team " +
          "and the merged pull request's committers; writes: each run's answer, the commit's status once",
      };
    },
  };
  return scenario;
}

/**
 * The release manager's review of a run, recorded in GitHub's record only when its webhook
 * is sent: a decision that read the record before then does not see it.
 */
function reviewWhenSent(events: BenchEvents, runId: number): Tagged["webhook"] {
  let made: Tagged["webhook"] | undefined;
  const make = () => (made ??= events.deploymentApproved(runId, "production", "rita"));
  return {
    get event() {
      return make().event;
    },
    get payload() {
      return make().payload;
    },
  };
}

/**
 * Approvals come a write's spacing apart; once none came for this long, no more will (a
 * floor app never answers).
 */
const STALLED_MS = 10_000;

/**
 * When each run was approved (epoch ms; Infinity for one that never was), once all are or
 * approvals stop coming: the runner's quiet period can end between two throttled writes.
 */
async function allApproved(gh: StandIn, runIds: number[]): Promise<number[]> {
  let approved = -1;
  let progressAt = Date.now();
  for (;;) {
    const times = runIds.map((runId) => approvalTime(gh, runId));
    const count = times.filter((t) => t !== undefined).length;
    if (count !== approved) [approved, progressAt] = [count, Date.now()];
    if (count === runIds.length || Date.now() - progressAt > STALLED_MS) {
      return times.map((t) => t ?? Infinity);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** When the stand-in took the run's approval (epoch ms), or undefined. */
function approvalTime(gh: StandIn, runId: number): number | undefined {
  const approved = gh.state
    .protectionRuleAnswers({ owner: OWNER, repo: REPO, runId })
    .find((answer) => answer.state === "approved");
  return approved ? Date.parse(approved.at) : undefined;
}

function verify(gh: StandIn, runIds: number[]): string[] {
  const problems = runIds.flatMap((runId) => {
    const decided = gh.state
      .protectionRuleAnswers({ owner: OWNER, repo: REPO, runId })
      .filter((answer) => answer.state !== null);
    return decided.length === 1 && decided[0]?.state === "approved"
      ? []
      : [`run ${runId}: ${decided.map((d) => d.state).join(", ") || "no decision"}`];
  });
  return problems.length > 5
    ? [...problems.slice(0, 5), `… ${problems.length - 5} more`]
    : problems;
}
