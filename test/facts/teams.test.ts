// Team reads shared between evaluations that miss the cache at the same time.
import { teamReader } from "../../src/facts/teams.js";
import type { Octokit } from "../../src/github/types.js";
import { MemoryStore } from "../../src/store/memory.js";

/** An Octokit whose team listing answers only when released, counting the calls. */
function slowOctokit(members: string[]) {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const calls: string[] = [];
  const octokit = {
    rest: { teams: { listMembersInOrg: {} } },
    paginate: async (_route: unknown, params: { org: string; team_slug: string }) => {
      calls.push(`${params.org}/${params.team_slug}`);
      await gate;
      return members.map((login) => ({ login }));
    },
  } as unknown as Octokit;
  return { octokit, calls, release: () => release() };
}

test("concurrent cache misses for one team make one request", async () => {
  const store = new MemoryStore(() => new Date("2026-11-26T10:00:00Z"));
  const { octokit, calls, release } = slowOctokit(["bob"]);
  const first = teamReader(octokit, store).members(["acme/eng"]);
  const second = teamReader(octokit, store).members(["ACME/eng", "acme/cab"]);
  await new Promise((resolve) => setImmediate(resolve));
  release();
  expect(await first).toEqual({ "acme/eng": ["bob"] });
  expect(await second).toEqual({ "ACME/eng": ["bob"], "acme/cab": ["bob"] });
  expect(calls).toEqual(["acme/eng", "acme/cab"]);
});

test("a later miss reads again once the first read is done", async () => {
  let now = new Date("2026-11-26T10:00:00Z");
  const store = new MemoryStore(() => now);
  const { octokit, calls, release } = slowOctokit(["bob"]);
  release();
  await teamReader(octokit, store, 1000).members(["acme/eng"]);
  now = new Date(now.getTime() + 2000);
  await teamReader(octokit, store, 1000).members(["acme/eng"]);
  expect(calls).toEqual(["acme/eng", "acme/eng"]);
});
