// GitHub for the deployment side's integration tests: one persisted nock scope answering the
// requests a deployment decision, a comment or a pull request's re-evaluation make, recording
// each request in order so a test can hold what an event cost to a budget.
import nock from "nock";
import { expectWithin, type Budget } from "./budget.js";
import { INSTALLATION_ID } from "../fixtures/deployment/payloads.js";
import {
  API,
  APP_ID,
  ORG_BASE_URL,
  POLICY_PATH_URL,
  REPO_PATH,
  mergedPull,
  policyContents,
  RunReviews,
} from "./deployment-helpers.js";

export { NOTHING, type Budget } from "./budget.js";

export const SHA = "abcabcabcabcabcabcabcabcabcabcabcabcabca";
export const PR_HEAD = "feedfeedfeedfeedfeedfeedfeedfeedfeedfeed";
export const RUN_ID = 9001;
export const OPEN = new Date("2026-03-10T12:00:00Z");

export const TOKEN = `POST /app/installations/${INSTALLATION_ID}/access_tokens`;
export { POLICY_PATH_URL };
export const POLICY = `GET ${POLICY_PATH_URL}`;
export const ORG_BASE = `GET ${ORG_BASE_URL}`;
export const PULLS_OF_SHA = `GET ${REPO_PATH}/commits/${SHA}/pulls`;
export const VERDICT = `GET ${REPO_PATH}/commits/${PR_HEAD}/check-runs?check_name=release-policy&filter=latest&per_page=100`;
export const COMMITS = `GET ${REPO_PATH}/pulls/7/commits?per_page=100`;
export const RUN = `GET ${REPO_PATH}/actions/runs/${RUN_ID}`;
export const ANSWER = `POST ${REPO_PATH}/actions/runs/${RUN_ID}/deployment_protection_rule`;
export const STATUS = `POST ${REPO_PATH}/statuses/${SHA}`;
export const DEPLOYMENTS = `GET ${REPO_PATH}/deployments?environment=production&per_page=10`;
/** GitHub's record of the run's deployment reviews: read when a gate counts approvals. */
export const APPROVALS = `GET ${REPO_PATH}/actions/runs/${RUN_ID}/approvals`;
/**
 * A held decision with no approval yet: the pull requests and GitHub's record of reviews;
 * who may approve does not matter until an approval arrives.
 */
export const HELD = [PULLS_OF_SHA, APPROVALS];
/**
 * A re-check with an approval to judge: the pull requests are the hold's, who ran the
 * workflow the review's payload said; only the committers (segregation of duties) are read.
 */
export const REJUDGE = [COMMITS];

/**
 * A path segment of the request a reply answers: this nock passes the fetch Request itself,
 * though its types still name a URI string.
 */
function segment(request: unknown, index: number): string {
  return new URL((request as Request).url).pathname.split("/")[index] ?? "";
}

export interface Seen {
  line: string;
  body?: Record<string, unknown>;
  /** False for a request no interceptor of the World answered. */
  matched: boolean;
}

/** GitHub for one deployment: every request is recorded, in the order made. */
export class World {
  readonly seen: Seen[] = [];
  #from = 0;
  /** The app's own check on the pull request's head, as GitHub lists it now. */
  verdict: { status: string; conclusion: string | null } = {
    status: "completed",
    conclusion: "success",
  };

  constructor(policy: string) {
    const scope = nock(API)
      .persist()
      .on("request", (request: Request, _interceptor: unknown, body: string) => {
        const url = new URL(request.url);
        this.seen.push({
          line: `${request.method} ${url.pathname}${url.search}`,
          ...(body ? { body: JSON.parse(body) as Record<string, unknown> } : {}),
          matched: true,
        });
      });
    scope
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    scope.get(POLICY_PATH_URL).reply(200, policyContents(policy));
    scope.get(ORG_BASE_URL).reply(404, { message: "Not Found" });
    // The pull request's own copy of the policy: unchanged (same blob).
    scope.get(POLICY_PATH_URL).query({ ref: PR_HEAD }).reply(200, policyContents(policy));
    scope
      .get(/\/repos\/acme\/shop\/collaborators\/\w+\/permission/)
      .reply(200, { permission: "write" });
    scope.get(/\/repos\/acme\/shop\/commits\/\w+\/pulls$/).reply(async (request) => {
      await this.pullsAnswered;
      return [200, this.pullsByCommit[segment(request, 5)] ?? []];
    });
    scope
      .get(/\/repos\/acme\/shop\/compare\//)
      .reply(() => [200, { total_commits: this.compare.length, commits: this.compare }]);
    scope
      .get(/\/repos\/acme\/shop\/deployments\/\d+\/statuses/)
      .reply((request) => [200, this.deploymentStatuses[Number(segment(request, 5))] ?? []]);
    scope
      .get(`${REPO_PATH}/issues`)
      .query(true)
      .reply(() => [200, this.issues]);
    scope.post(`${REPO_PATH}/issues`).reply(() => {
      const written = (this.seen.at(-1)?.body ?? {}) as { body?: string };
      const issue = { number: 100 + this.issues.length, body: written.body ?? "" };
      this.issues.push(issue);
      return [201, issue];
    });
    scope
      .get(/\/repos\/acme\/shop\/issues\/\d+\/events/)
      .reply((request) => [200, this.issueEvents[Number(segment(request, 5))] ?? []]);
    scope
      .get(/\/repos\/acme\/shop\/commits\/\w+\/check-runs/)
      .reply((request) => [200, this.checkRuns(segment(request, 5))]);
    scope
      .get(`${REPO_PATH}/pulls/7/commits`)
      .query(true)
      .reply(200, [{ author: { login: "author" }, committer: { login: "web-flow" } }]);
    scope.get(`${REPO_PATH}/actions/runs/${RUN_ID}`).reply(200, {
      id: RUN_ID,
      actor: { login: "deployer" },
      triggering_actor: { login: "deployer" },
    });
    scope
      .get(`${REPO_PATH}/deployments`)
      .query(true)
      .reply(() => [200, this.deployments]);
    scope.post(`${REPO_PATH}/actions/runs/${RUN_ID}/deployment_protection_rule`).reply(204);
    scope.post(`${REPO_PATH}/statuses/${SHA}`).reply(201, {});
    scope.post(/\/repos\/acme\/shop\/issues\/comments\/\d+\/reactions/).reply(201, {});
    scope.post(/\/repos\/acme\/shop\/issues\/\d+\/comments/).reply(201, { id: 1 });
    scope
      .get(`${REPO_PATH}/pulls/7/reviews`)
      .query(true)
      .reply(() => [200, this.reviews]);
    scope.patch(`${REPO_PATH}/check-runs/1`).reply(() => {
      // The body as recorded by the request listener, which runs first.
      const written = (this.seen.at(-1)?.body ?? {}) as { status?: string; conclusion?: string };
      if (!written.status) return [500, {}];
      this.verdict = { status: written.status, conclusion: written.conclusion ?? null };
      return [200, {}];
    });
    this.runReviews.serve(scope, RUN_ID);
    nock.emitter.on("no match", this.#unmatched);
  }

  /** GitHub's record of the run's deployment reviews. */
  readonly runReviews = new RunReviews();
  reviews: Record<string, unknown>[] = [];
  /** Answering the pull requests of a commit waits for this: a decision held mid-read. */
  pullsAnswered: Promise<void> = Promise.resolve();
  /** Merged pull requests GitHub lists per commit. */
  pullsByCommit: Record<string, Record<string, unknown>[]> = { [SHA]: [mergedPull(SHA)] };
  /** The environment's deployments, newest first, and each one's statuses, newest first. */
  deployments: { id: number; sha: string }[] = [];
  deploymentStatuses: Record<number, { state: string }[]> = {};
  /** The compare range's commits, oldest first. */
  compare: { sha: string; parents: { sha: string }[] }[] = [];
  /** Each pull request's events (labeled, unlabeled…), oldest first. */
  issueEvents: Record<number, { event: string; created_at: string; label?: { name: string } }[]> =
    {};
  /** Issues, as listing them by label answers. */
  issues: { number: number; body: string }[] = [];

  readonly #unmatched = (request: Request): void => {
    const url = new URL(request.url);
    this.seen.push({ line: `${request.method} ${url.pathname}${url.search}`, matched: false });
  };

  checkRuns(headSha = PR_HEAD) {
    return {
      total_count: 1,
      check_runs: [
        {
          id: 1,
          name: "release-policy",
          head_sha: headSha,
          status: this.verdict.status,
          conclusion: this.verdict.conclusion,
          app: { id: APP_ID },
          html_url: "https://github.com/acme/shop/runs/1",
          output: { title: "t", summary: "s", text: null, annotations_count: 0 },
        },
      ],
    };
  }

  /** The requests made since the last call. */
  take(): Seen[] {
    const made = this.seen.slice(this.#from);
    this.#from = this.seen.length;
    return made;
  }

  close(): void {
    nock.emitter.removeListener("no match", this.#unmatched);
  }
}

/** The requests one event made held to `budget`: the writes exactly, the reads counted. */
export function expectBudget(made: readonly Seen[], budget: Budget): void {
  expectWithin(made, budget);
}

export function bodyOf(made: Seen[], line: string): Record<string, unknown> {
  const found = made.filter((r) => r.line === line);
  if (found.length !== 1) throw new Error(`expected one ${line}, saw ${found.length}`);
  return found[0]?.body ?? {};
}
