/**
 * A policy change on the default branch of a repository with many open pull requests: a
 * new label is recognised as a standard change, which changes the result of the one pull
 * request in ten that carries it and of no other.
 */
import type { StandIn } from "../../test/stand-in/server.js";
import type { BenchEvents } from "../events.js";
import { ANY } from "../measure.js";
import { addRepo, prime, warmups } from "../world.js";
import type { Scenario, World } from "./scenario.js";

const OWNER = "bigco";
const REPO = "monorepo";
const LABEL = "standard";

const policyWith = (labels: string) => `change_types:
  standard: { labels: [${labels}] }
  normal: { default: true }
gates:
  change-record:
    stage: pull_request
    unless: { change_types: [standard] }
    require: { pattern: "CHG[0-9]{7}" }
  tests:
    stage: pull_request
    require: { checks: [build] }
`;
export const POLICY_BEFORE = policyWith(`"change: standard"`);
export const POLICY_AFTER = policyWith(`"change: standard", "${LABEL}"`);

const labelled = (i: number) => i % 10 === 0;

function verify(gh: StandIn, count: number, before: Map<number, string>): string[] {
  const problems: string[] = [];
  for (let i = 0; i < count; i++) {
    const number = 100 + i;
    const head = gh.state.pullRequest(OWNER, REPO, number)?.headSha;
    const run = gh.state.ownCheckRuns(OWNER, REPO, head).at(-1);
    const changed = run?.output.summary !== before.get(number);
    const standard = run?.output.summary?.includes("**Change type:** standard") ?? false;
    if (standard !== labelled(i)) problems.push(`#${number}: change type not re-evaluated`);
    if (changed !== labelled(i))
      problems.push(`#${number}: check ${changed ? "" : "not "}rewritten`);
  }
  return problems.length > 5
    ? [...problems.slice(0, 5), `… ${problems.length - 5} more`]
    : problems;
}

export function policyChange(count: number): Scenario {
  return {
    name: `policy change, ${count} open PRs`,
    async seed(gh) {
      const events: BenchEvents = addRepo(gh, {
        owner: OWNER,
        repo: REPO,
        installationId: 201,
        policy: POLICY_BEFORE,
      });
      for (let i = 0; i < count; i++) {
        gh.state.addPullRequest(OWNER, REPO, {
          number: 100 + i,
          title: `Change ${i}`,
          author: "alice",
          labels: labelled(i) ? [LABEL] : [],
        });
      }
      await prime(
        gh,
        Array.from({ length: count }, (_, i) => ({
          webhook: events.opened(100 + i),
          subject: `${OWNER}/${REPO}#${100 + i}`,
          kind: "opened",
        })),
      );
      const before = new Map<number, string>();
      for (let i = 0; i < count; i++) {
        const head = gh.state.pullRequest(OWNER, REPO, 100 + i)?.headSha;
        before.set(100 + i, gh.state.ownCheckRuns(OWNER, REPO, head).at(-1)?.output.summary ?? "");
      }
      const world: World = {
        warmups: warmups(gh, [{ owner: OWNER, installationId: 201 }]),
        play: (runner) =>
          runner.one({
            webhook: events.policyPush(POLICY_AFTER, "lead"),
            subject: ANY,
            kind: "policy push",
          }),
        expect: () => verify(gh, count, before),
      };
      return world;
    },
    minimum() {
      return {
        // the open PRs (100 a page), the new policy, and per PR what its gates read
        reads: Math.ceil(count / 100) + 1 + count * 3,
        writes: Math.ceil(count / 10),
        how:
          "list the open PRs (100 a page), read the new policy once, per PR the facts the new " +
          "gates need (check runs, statuses, its copy of the policy file); one write per PR " +
          "whose result changes (1 in 10)",
      };
    },
  };
}
