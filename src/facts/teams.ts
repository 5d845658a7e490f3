import { isNotFound } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import type { Store } from "../store/store.js";

/**
 * Team membership is read per team (one paginated list) rather than per reviewer, and
 * kept briefly: a burst of events on one repository asks once. The short time to live
 * bounds how long a removed member could still count.
 */
export const TEAM_TTL_MS = 60 * 1000;

export interface TeamReader {
  /** Members (logins) of each "org/slug"; a team that does not exist is left out. */
  members(teams: string[]): Promise<Record<string, string[]>>;
}

/**
 * Reads of a team in flight in this process. Concurrent evaluations that miss the cache
 * together (a burst on many pull requests of one organisation) share one request instead
 * of each asking before the first answer is cached.
 */
const reading = new Map<string, Promise<string[] | null>>();

export function teamReader(octokit: Octokit, store: Store, ttlMs = TEAM_TTL_MS): TeamReader {
  async function one(team: string): Promise<[string, string[]] | null> {
    const key = team.toLowerCase();
    const cached = await store.get(`team:${key}`);
    if (cached) return [team, JSON.parse(cached) as string[]];
    let pending = reading.get(key);
    if (!pending) {
      pending = read(team).finally(() => reading.delete(key));
      reading.set(key, pending);
    }
    const logins = await pending;
    return logins === null ? null : [team, logins];
  }
  async function read(team: string): Promise<string[] | null> {
    const [org = "", team_slug = ""] = team.split("/");
    try {
      const members = await octokit.paginate(octokit.rest.teams.listMembersInOrg, {
        org,
        team_slug,
        per_page: 100,
      });
      const logins = members.map((member) => member.login);
      await store.set(`team:${team.toLowerCase()}`, JSON.stringify(logins), ttlMs);
      return logins;
    } catch (error) {
      // A missing team is a fact (the gate reports it); anything else fails the evaluation.
      if (isNotFound(error)) return null;
      throw error;
    }
  }
  return {
    async members(teams) {
      const found = await Promise.all([...new Set(teams)].map(one));
      return Object.fromEntries(found.filter((entry) => entry !== null));
    },
  };
}
