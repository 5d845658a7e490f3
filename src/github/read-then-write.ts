// GitHub has no conditional write: an update overwrites whatever was saved since the body it
// was based on was read. The client spaces writes about a second apart (Octokit's throttle),
// so a read made before a write is queued is that much older than the write, and a person's
// save in between is lost from the page. A write sent with this fetch reads the resource
// when the write actually leaves (after the throttle's wait and any retry's), decides its
// body from what GitHub holds then, and sends it straight after: the gap left is one round
// trip, not the throttle's second.

import type { Octokit } from "./types.js";

/** The body to send, decided from the resource as GitHub holds it now; null sends nothing. */
export type DecideWrite = (current: unknown) => object | null;

/**
 * Answers a write that was decided against: no request was made, and Octokit returns it as an
 * empty success, so the caller learns the outcome from its own decision, not the status.
 */
const NOT_SENT = 204;

/**
 * A fetch for one update (PATCH) of a resource whose URL also reads it (GET), such as a
 * comment. The read goes out with the write's own headers (its token) and is not retried on
 * its own: a failed read answers for the write, so the caller sees GitHub's status (404
 * when the resource is gone). A retried write reads again.
 */
export function readThenWrite(decide: DecideWrite, send?: typeof fetch): typeof fetch {
  return async (url, init) => {
    const fetchNow = send ?? globalThis.fetch;
    const read = await fetchNow(url, {
      method: "GET",
      headers: init?.headers ?? {},
      signal: init?.signal ?? null,
    });
    if (!read.ok) return read;
    const body = decide(await read.json());
    if (body === null) return new Response(null, { status: NOT_SENT });
    return fetchNow(url, { ...init, body: JSON.stringify(body) });
  };
}

/** The fetch the client was made with, if any: the read goes out the way the write would. */
export function clientFetch(octokit: Octokit): typeof fetch | undefined {
  return octokit.request.endpoint.DEFAULTS.request?.fetch as typeof fetch | undefined;
}
