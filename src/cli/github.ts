// What the commands that read GitHub share: the client, built from the environment
// (GITHUB_TOKEN, GITHUB_API_URL for GitHub Enterprise, RETRY_BASE_MS), with the app's own
// retry rules; the OWNER/REPO they name; and a failed request said in words. The token is
// only ever handed to the client: no message, not even a usage error, repeats it.
import { ProbotOctokit } from "probot";
import { retryBaseMsOf } from "../github/back-off.js";
import { describeError, isRateLimited, statusOf } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import { retryingOctokit } from "../service/octokit-retry.js";
import { EXIT_GITHUB, EXIT_USAGE, type CliIo } from "./io.js";
import type { Outcome } from "./policy-arg.js";

export const DEFAULT_API_URL = "https://api.github.com";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * A client for GITHUB_API_URL (default api.github.com) with GITHUB_TOKEN, or the exit code
 * after saying what to set. A plain-http URL is refused unless it is this machine: the token
 * would cross the network readable by anyone on the way.
 */
export function connect(verb: string, io: CliIo): Outcome<Octokit> {
  const env = io.env ?? {};
  const token = env.GITHUB_TOKEN?.trim();
  if (!token) {
    return refuse(
      verb,
      io,
      "GITHUB_TOKEN is not set: set it to a token that can read the repository (for example GITHUB_TOKEN=$(gh auth token))",
    );
  }
  const raw = env.GITHUB_API_URL?.trim() || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(verb, io, `GITHUB_API_URL "${raw}" is not a URL (e.g. ${DEFAULT_API_URL})`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    return refuse(
      verb,
      io,
      `GITHUB_API_URL "${raw}" must be https (plain http only to this machine), so that the token is not sent in clear`,
    );
  }
  let retryBaseMs: number;
  try {
    retryBaseMs = retryBaseMsOf(env);
  } catch (error) {
    return refuse(verb, io, error instanceof Error ? error.message : String(error));
  }
  const Client = retryingOctokit(ProbotOctokit, retryBaseMs);
  const say = (message: string): void => {
    io.stderr.write(`release-policy ${verb}: ${message}\n`);
  };
  const octokit = new Client({
    auth: { token },
    baseUrl: raw.replace(/\/+$/, ""),
    userAgent: "release-policy-cli",
    // Retries and rate-limit waits are worth a line; each request's own debug line is not.
    log: { debug: () => undefined, info: () => undefined, warn: say, error: say },
  });
  return { value: octokit };
}

function refuse(verb: string, io: CliIo, why: string): { code: number } {
  io.stderr.write(`release-policy ${verb}: ${why}\n`);
  return { code: EXIT_USAGE };
}

/** A repository named on the command line. */
export interface RepoTarget {
  owner: string;
  repo: string;
}

// GitHub's own rules: an owner is letters, digits and single hyphens (at most 39); a
// repository name letters, digits, ".", "_" and "-" (at most 100), never "." or "..".
const OWNER = "[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}";
const REPO = "[A-Za-z0-9._-]{1,100}";
const REPO_ONLY = new RegExp(`^(${OWNER})/(${REPO})$`);
const PULL = new RegExp(`^(${OWNER})/(${REPO})#([1-9][0-9]{0,9})$`);

export function parseRepo(arg: string): RepoTarget | undefined {
  const match = REPO_ONLY.exec(arg);
  if (!match?.[1] || !match[2] || match[2] === "." || match[2] === "..") return undefined;
  return { owner: match[1], repo: match[2] };
}

export function parsePull(arg: string): (RepoTarget & { number: number }) | undefined {
  const match = PULL.exec(arg);
  if (!match?.[1] || !match[2] || !match[3] || match[2] === "." || match[2] === "..") {
    return undefined;
  }
  return { owner: match[1], repo: match[2], number: Number(match[3]) };
}

/**
 * A request that failed, in words, with what to try: the exit code the command ends with.
 * `what` says what was being read ("the pull request acme/shop#42").
 */
export function githubFailed(verb: string, io: CliIo, what: string, error: unknown): number {
  const request = requestOf(error);
  const where = request ? ` (${request})` : "";
  io.stderr.write(
    `release-policy ${verb}: could not read ${what}${where}: ${describeError(error)}\n`,
  );
  const hint = hintFor(error);
  if (hint) io.stderr.write(`  fix: ${hint}\n`);
  return EXIT_GITHUB;
}

/**
 * "GET /repos/acme/shop/deployments": the failed request as GitHub's docs name it, without
 * host, GitHub Enterprise's /api/v3 or query.
 */
function requestOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("request" in error)) return undefined;
  const request = (error as { request: unknown }).request;
  if (typeof request !== "object" || request === null) return undefined;
  const { method, url } = request as { method?: unknown; url?: unknown };
  if (typeof method !== "string" || typeof url !== "string") return undefined;
  try {
    return `${method} ${new URL(url).pathname.replace(/^\/api\/v3(?=\/)/, "")}`;
  } catch {
    return undefined;
  }
}

function hintFor(error: unknown): string | undefined {
  const status = statusOf(error);
  if (isRateLimited(error)) return "wait until the rate limit resets, then run it again";
  if (status === 401) return "GITHUB_TOKEN is not a valid token for GITHUB_API_URL";
  if (status === 403) return "give the token read access to it (or wait if GitHub is limiting)";
  if (status === 404) return "check the name, and that the token can see it";
  if (status === undefined || status >= 500) return "GitHub may be unreachable: run it again";
  return undefined;
}
