/**
 * The second floor: a Probot app that makes, per webhook, as many plain reads and writes
 * as Release Policy made per webhook in the same scenario (BENCH_READS_PER_EVENT and
 * BENCH_WRITES_PER_EVENT, fractions spread evenly over the events), with no logic. Its
 * writes go through the same throttle as ours (a commit status on a commit the payload
 * names), so both runs last as long and pay the same idle costs; an event that names no
 * commit makes a read instead of its write.
 */
import type { ApplicationFunction, Context } from "probot";

const readsPerEvent = Number(process.env.BENCH_READS_PER_EVENT ?? "0");
const writesPerEvent = Number(process.env.BENCH_WRITES_PER_EVENT ?? "0");

/** How many requests the n-th event (0-based) makes, so that n events make n × rate. */
export function requestsFor(n: number, rate: number): number {
  return Math.floor((n + 1) * rate) - Math.floor(n * rate);
}

interface FloorPayload {
  installation?: { id: number };
  repository?: { name: string; owner: { login: string } };
  after?: string;
  sha?: string;
  pull_request?: { head?: { sha?: string } };
  check_run?: { head_sha?: string };
  deployment?: { sha?: string };
}

/** A commit the event is about, if its payload names one. */
function commitOf(payload: FloorPayload): string | undefined {
  const sha =
    payload.pull_request?.head?.sha ??
    payload.check_run?.head_sha ??
    payload.deployment?.sha ??
    payload.sha ??
    payload.after;
  return sha && !/^0+$/.test(sha) ? sha : undefined;
}

type Requester = { request(route: string, params: object): Promise<unknown> };

const plainRequests: ApplicationFunction = (app) => {
  let events = 0;
  app.onAny(async (event) => {
    // onAny is typed with the bare event; Probot hands every handler a full context.
    const context = event as unknown as Context;
    const payload = context.payload as FloorPayload;
    const n = events++;
    const reads = requestsFor(n, readsPerEvent);
    const writes = requestsFor(n, writesPerEvent);
    if (!payload.installation || !payload.repository) return;
    const at = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const octokit = context.octokit as unknown as Requester;
    const sha = commitOf(payload);
    for (let i = 0; i < reads + (sha ? 0 : writes); i++) {
      await octokit.request("GET /repos/{owner}/{repo}", at);
    }
    if (!sha) return;
    for (let i = 0; i < writes; i++) {
      await octokit.request("POST /repos/{owner}/{repo}/statuses/{sha}", {
        ...at,
        sha,
        state: "success",
        context: "floor",
      });
    }
  });
};

export default plainRequests;
