import {
  describeError,
  isRateLimited,
  isTransient,
  retryAfterMs,
} from "../../src/github/errors.js";

/** The shape of Octokit's RequestError that the classification reads. */
function answered(status: number, message = "", headers: Record<string, string> = {}) {
  return Object.assign(new Error(message), { status, response: { headers } });
}

const NOW = new Date("2026-12-02T10:00:00Z");
const SECONDARY =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

describe("isTransient", () => {
  test.each([
    ["a server error", answered(502)],
    ["no answer (Octokit reports a dropped connection as 500)", answered(500, "fetch failed")],
    ["an error without a status", new Error("socket hang up")],
    ["a 429", answered(429)],
    ["a 403 secondary rate limit", answered(403, SECONDARY)],
    ["a 403 with retry-after", answered(403, "Forbidden", { "retry-after": "30" })],
    [
      "a spent primary quota",
      answered(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0" }),
    ],
  ])("%s passes by itself", (_what, error) => {
    expect(isTransient(error)).toBe(true);
  });

  test.each([
    ["a missing permission", answered(403, "Resource not accessible by integration")],
    ["a 404", answered(404, "Not Found")],
    ["a refused body", answered(422, "Validation Failed")],
  ])("%s does not", (_what, error) => {
    expect(isTransient(error)).toBe(false);
    expect(isRateLimited(error)).toBe(false);
  });
});

describe("retryAfterMs", () => {
  test("retry-after, in seconds, comes first", () => {
    const error = answered(403, SECONDARY, { "retry-after": "7", "x-ratelimit-remaining": "0" });
    expect(retryAfterMs(error, NOW)).toBe(7000);
  });

  test("a spent primary quota waits until its reset", () => {
    const reset = String(NOW.getTime() / 1000 + 90);
    const error = answered(403, "API rate limit exceeded", {
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": reset,
    });
    expect(retryAfterMs(error, NOW)).toBe(90_000);
  });

  test("a secondary limit that names no time waits a minute, as GitHub advises", () => {
    expect(retryAfterMs(answered(403, SECONDARY), NOW)).toBe(60_000);
  });

  test("a reset already passed waits nothing", () => {
    const reset = String(NOW.getTime() / 1000 - 5);
    const error = answered(429, "", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset });
    expect(retryAfterMs(error, NOW)).toBe(0);
  });

  test("no rate limit, no wait named", () => {
    expect(retryAfterMs(answered(502), NOW)).toBeUndefined();
    expect(
      retryAfterMs(answered(403, "Resource not accessible by integration"), NOW),
    ).toBeUndefined();
  });
});

describe("describeError", () => {
  test("GitHub's answer is named as such", () => {
    const error = Object.assign(answered(502, "Bad Gateway"), { request: {} });
    expect(describeError(error)).toBe("GitHub answered 502: Bad Gateway");
  });

  test("a request that got no answer is not called GitHub's", () => {
    // Octokit's RequestError for a dropped connection: status 500, a request, no response.
    const error = Object.assign(new Error("other side closed"), { status: 500, request: {} });
    expect(describeError(error)).toBe("GitHub did not answer: other side closed");
  });
});
