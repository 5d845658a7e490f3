/**
 * The second floor: a Probot app that makes, per webhook, as many plain requests as
 * Release Policy made per webhook in the same scenario (BENCH_REQUESTS_PER_EVENT, a
 * fraction spread evenly over the events), with no logic. Reads only: the throttle spaces
 * writes a second apart, which would measure waiting instead of CPU.
 */
import type { ApplicationFunction, Context } from "probot";

const perEvent = Number(process.env.BENCH_REQUESTS_PER_EVENT ?? "0");

/** How many requests the n-th event (0-based) makes, so that n events make n × perEvent. */
export function requestsFor(n: number, rate: number): number {
  return Math.floor((n + 1) * rate) - Math.floor(n * rate);
}

const plainRequests: ApplicationFunction = (app) => {
  let events = 0;
  app.onAny(async (event) => {
    // onAny is typed with the bare event; Probot hands every handler a full context.
    const context = event as unknown as Context;
    const payload = context.payload as {
      installation?: { id: number };
      repository?: { name: string; owner: { login: string } };
    };
    const count = requestsFor(events++, perEvent);
    if (!payload.installation || !payload.repository || count === 0) return;
    const at = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const octokit = context.octokit as unknown as {
      request(route: string, params: object): Promise<unknown>;
    };
    for (let i = 0; i < count; i++) await octokit.request("GET /repos/{owner}/{repo}", at);
  });
};

export default plainRequests;
