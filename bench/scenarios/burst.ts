/**
 * A burst: 10 webhooks for each of many open pull requests in 5 repositories of 2
 * installations, delivered as fast as the app takes them. Each pull request starts blocked
 * (the app's check, written before measuring) and ends with everything a gate asks for, so
 * its one visible change is to a passing check.
 */
import type { StandIn } from "../../test/stand-in/server.js";
import type { BenchEvents } from "../events.js";
import type { Runner, Tagged } from "../runner.js";
import { addRepo, prime, warmups } from "../world.js";
import type { Scenario, World } from "./scenario.js";

export const BURST_POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
  tests:
    stage: pull_request
    require: { checks: [build, test] }
  peer-review:
    stage: pull_request
    require: { approvals: { count: 1, from: { teams: [eng] } } }
`;

const REPOS = [
  { owner: "north", repo: "web", installationId: 101 },
  { owner: "north", repo: "api", installationId: 101 },
  { owner: "north", repo: "jobs", installationId: 101 },
  { owner: "south", repo: "shop", installationId: 102 },
  { owner: "south", repo: "pay", installationId: 102 },
];
/** Deliveries in flight at once: GitHub delivers concurrently. */
const CONCURRENCY = 20;
/** Pull requests whose events interleave (CI runs for a handful of PRs at a time). */
const ACTIVE = 10;

interface Pull {
  events: BenchEvents;
  number: number;
  subject: string;
}

/** The 10 webhooks of one pull request's burst, as GitHub would send them. */
function burstOf(pull: Pull, round: number): (() => Tagged | null)[] {
  const { events, number, subject } = pull;
  const tag = (kind: string) => (webhook: Tagged["webhook"] | null) =>
    webhook ? { webhook, subject, kind } : null;
  const unnamed = ["lint", "typecheck", "e2e", "docs"];
  return [
    () => tag("check (named)")(events.checkCompleted(number, "build")),
    ...unnamed
      .slice(0, 2)
      .map((name) => () => tag("check (unnamed)")(events.checkCompleted(number, name))),
    () =>
      tag("title")(events.editTitle(number, `CHG000${1000 + number}: change ${number} (${round})`)),
    () => tag("check (named)")(events.checkCompleted(number, "test")),
    () => tag("review")(events.submitReview(number, "bob", "APPROVED")),
    ...unnamed
      .slice(2)
      .map((name) => () => tag("check (unnamed)")(events.checkCompleted(number, name))),
    () => tag("label")(events.labeled(number, `area: ${round}`, "alice")),
    () => tag("echo")(events.ownCheckEcho(number)),
  ];
}

/** Round-robin over the event kinds within each group of ACTIVE pull requests. */
function interleave(pulls: Pull[], round: number): Tagged[] {
  const out: Tagged[] = [];
  for (let i = 0; i < pulls.length; i += ACTIVE) {
    const group = pulls.slice(i, i + ACTIVE).map((pull) => burstOf(pull, round));
    const length = Math.max(...group.map((g) => g.length));
    for (let k = 0; k < length; k++) {
      for (const makers of group) {
        const tagged = makers[k]?.();
        if (tagged) out.push(tagged);
      }
    }
  }
  return out;
}

function verify(gh: StandIn, pulls: Pull[]): string[] {
  const problems: string[] = [];
  for (const { events, number, subject } of pulls) {
    const head = gh.state.pullRequest(events.owner, events.repo, number)?.headSha;
    const run = gh.state.ownCheckRuns(events.owner, events.repo, head).at(-1);
    if (run?.conclusion !== "success") {
      problems.push(`${subject} shows ${run?.status}/${run?.conclusion}, not success`);
    }
  }
  return problems.length > 5
    ? [...problems.slice(0, 5), `… ${problems.length - 5} more`]
    : problems;
}

export function burst(pullCount: number): Scenario {
  return {
    name: `burst: ${pullCount * 10} webhooks, ${pullCount} PRs`,
    async seed(gh) {
      const pulls: Pull[] = [];
      const all = REPOS.map((r) => ({ ...r, events: addRepo(gh, { ...r, policy: BURST_POLICY }) }));
      for (const owner of ["north", "south"]) gh.state.addTeam(owner, "eng", ["bob", "erin"]);
      for (let i = 0; i < pullCount; i++) {
        const at = all[i % all.length];
        if (!at) continue;
        const number = 10 + Math.floor(i / all.length);
        gh.state.addPullRequest(at.owner, at.repo, {
          number,
          title: `Change ${number}`,
          author: "alice",
        });
        pulls.push({ events: at.events, number, subject: `${at.owner}/${at.repo}#${number}` });
      }
      await prime(
        gh,
        pulls.map((p) => ({
          webhook: p.events.opened(p.number),
          subject: p.subject,
          kind: "opened",
        })),
      );
      let round = 0;
      const world: World & { again(runner: Runner): Promise<void> } = {
        warmups: warmups(gh, [
          { owner: "north", installationId: 101 },
          { owner: "south", installationId: 102 },
        ]),
        play: (runner) => runner.burst(interleave(pulls, ++round), CONCURRENCY),
        again: (runner) => runner.burst(interleave(pulls, ++round), CONCURRENCY),
        expect: () => verify(gh, pulls),
      };
      return world;
    },
    minimum(events) {
      const pulls = new Set(events.map((e) => e.subject)).size;
      return {
        // per PR once: reviews, commits, check runs, statuses, its policy file; per
        // repository the policy; per organisation the team
        reads: pulls * 5 + REPOS.length + 2,
        writes: pulls,
        how:
          "one evaluation per PR (reviews, commits, check runs, statuses, the PR's policy file), " +
          "the policy once per repository, the team once per organisation; one write per PR " +
          "(blocked → passing)",
      };
    },
  };
}
