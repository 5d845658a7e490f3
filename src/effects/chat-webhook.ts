// One POST of a message to a Slack or Teams incoming webhook, with a timeout, and what to do
// about its answer: done, try again later (a network failure, a timeout, 408, 429, a server
// error), or give up (any other 4xx: the URL is wrong, revoked or the channel archived, and
// sending again would not change that). The URL is never part of what is returned or thrown:
// it is a secret, and what this returns ends up in logs.

/** How long one POST may take before it counts as failed and is tried again. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export type PostOutcome =
  | { kind: "sent"; status: number }
  | { kind: "retry"; why: string; status?: number; retryAfterMs?: number }
  | { kind: "give-up"; why: string; status: number };

export type Fetch = typeof fetch;

/** The `Retry-After` header in milliseconds: seconds or an HTTP date; undefined if neither. */
export function retryAfterOf(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export async function postJson(
  url: string,
  body: unknown,
  options: { timeoutMs?: number; fetch?: Fetch; now?: () => number } = {},
): Promise<PostOutcome> {
  const send = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await send(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
    });
  } catch (error) {
    return { kind: "retry", why: failureOf(error) };
  }
  // The body is read (and dropped) so the connection can be reused; Slack explains refusals
  // in it ("invalid_payload", "channel_is_archived"), short words safe to log.
  const text = await response.text().catch(() => "");
  const status = response.status;
  if (status >= 200 && status < 300) return { kind: "sent", status };
  const why = `HTTP ${status}${/^[a-z_]{1,40}$/.test(text.trim()) ? ` ${text.trim()}` : ""}`;
  if (status === 408 || status === 429 || status >= 500) {
    const after = retryAfterOf(response.headers.get("retry-after"), (options.now ?? Date.now)());
    return { kind: "retry", why, status, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  return { kind: "give-up", why, status };
}

/**
 * A failed request in words, without the URL (fetch puts it in some messages). Read by name,
 * not `instanceof`: the abort's DOMException may come from another realm.
 */
function failureOf(error: unknown): string {
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (name === "TimeoutError" || name === "AbortError") return "timed out";
  return typeof cause?.code === "string" ? `network error (${cause.code})` : "network error";
}
