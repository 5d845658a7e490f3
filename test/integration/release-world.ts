// GitHub's side of a release, stood in by nock: tags, releases, commits and their pull
// requests, check runs, teams, and the issues and comments the app writes. Reads answer from
// the world as it is when asked; writes change it, so a later event sees what an earlier one
// wrote (and a "restarted" app finds its record by listing the labelled issues).
import type nock from "nock";
import { api, APP_ID, github, REPO_PATH } from "./harness.js";

export const SHA = "1111111111111111111111111111111111111111";
export const PREV_SHA = "0000000000000000000000000000000000000000";
export const MID_SHA = "2222222222222222222222222222222222222222";
export const DIRECT_SHA = "3333333333333333333333333333333333333333";
export const TAG_OBJECT = "7777777777777777777777777777777777777777";

export interface WorldPull {
  number: number;
  title: string;
  body: string;
  author: string;
  labels: string[];
  headSha: string;
  check: "success" | "failure" | "none";
}

export interface WorldIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason?: string;
  labels: string[];
  appId: number | null;
  comments: WorldComment[];
}

export interface WorldComment {
  id: number;
  body: string;
  user: string;
  bot: boolean;
  appId: number | null;
  created_at: string;
}

export interface World {
  policy: string;
  tags: Record<string, { sha: string; annotated?: boolean; verified?: boolean }>;
  /** Published releases by tag. */
  releases: Record<string, { body: string; author: string; draft?: boolean }>;
  /** First-parent history from the previous tag's commit to the tagged one, oldest first. */
  history: { sha: string; parent: string; message: string; pull?: WorldPull }[];
  teams: Record<string, string[]>;
  changelog: string | null;
  /** Branches holding the tagged commit. */
  branchesWithTag: string[];
  issues: WorldIssue[];
  /** Commit statuses of the tagged commit, newest first. */
  statuses: { context: string; state: string; description: string }[];
  /** The protection rule's answers (and status comments), in order. */
  answers: { state?: string; comment: string; environment_name: string }[];
  nextId: number;
  /** Runs just before GitHub answers the app's next read of one comment (once each). */
  beforeCommentRead?: (() => void)[];
}

export const PR_10: WorldPull = {
  number: 10,
  title: "Add search CHG0000010",
  body: "",
  author: "dev-dana",
  labels: [],
  headSha: "a".repeat(40),
  check: "success",
};
export const PR_11: WorldPull = {
  number: 11,
  title: "Fix checkout",
  body: "Change record: CHG0000011",
  author: "dev-eve",
  labels: ["change: emergency"],
  headSha: "b".repeat(40),
  check: "success",
};

export const POLICY = `change_types:
  emergency: { labels: ["change: emergency"] }
  normal: { default: true }
environments:
  staging: {}
  production: { after: staging }
releases:
  tags:
    pattern: "^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+$"
    branches: [master]
gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
  notes:
    stage: release
    require: { release_notes: true }
  changes:
    stage: release
    require: { compliant_changes: true }
  readiness:
    stage: release
    require:
      checklist:
        - Communication sent
        - { text: Service desk briefed, by: { teams: [service-desk] } }
  sign-off:
    stage: release
    require: { signoffs: { count: 1, from: { teams: [release-managers] } } }
`;

export function newWorld(overrides: Partial<World> = {}): World {
  return {
    policy: POLICY,
    tags: {
      "v1.1.0": { sha: SHA },
      "v1.0.0": { sha: PREV_SHA },
      "v0.9.0": { sha: "9".repeat(40) },
    },
    releases: { "v1.1.0": { body: "## Highlights\n- faster search", author: "rel-rita" } },
    history: [
      { sha: MID_SHA, parent: PREV_SHA, message: "Merge pull request #10", pull: PR_10 },
      { sha: SHA, parent: MID_SHA, message: "Fix checkout (#11)", pull: PR_11 },
    ],
    teams: { "service-desk": ["desk-dan"], "release-managers": ["rm-rachel", "tagger-tom"] },
    changelog: null,
    branchesWithTag: ["master"],
    issues: [],
    statuses: [],
    answers: [],
    nextId: 500,
    ...overrides,
  };
}

const notFound = [404, { message: "Not Found" }] as const;
const pathOf = (req: Request): string => new URL(req.url).pathname;

function issueJson(issue: WorldIssue): Record<string, unknown> {
  return {
    number: issue.number,
    html_url: `https://github.com/Codertocat/Hello-World/issues/${issue.number}`,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    labels: issue.labels.map((name) => ({ name })),
    performed_via_github_app:
      issue.appId === null ? null : { id: issue.appId, slug: "release-policy" },
  };
}

function commentJson(issue: WorldIssue, c: WorldComment): Record<string, unknown> {
  return {
    id: c.id,
    body: c.body,
    user: { login: c.user, type: c.bot ? "Bot" : "User" },
    created_at: c.created_at,
    html_url: `https://github.com/Codertocat/Hello-World/issues/${issue.number}#issuecomment-${c.id}`,
    performed_via_github_app: c.appId === null ? null : { id: c.appId },
  };
}

export const ORG_BASE_PATH = "/repos/Codertocat/.github/contents/.github%2Frelease-policy.yml";

/** Answers every request the release side makes from `world`, as often as asked. */
export function serve(world: World, withToken = true): nock.Scope {
  const scope = (withToken ? github() : api()).persist();
  const byNumber = (uri: string): WorldIssue | undefined =>
    world.issues.find((i) => i.number === Number(/issues\/(\d+)/.exec(uri)?.[1]));
  scope
    .get(`${REPO_PATH}/contents/.github%2Frelease-policy.yml`)
    .reply(200, () => ({
      type: "file",
      encoding: "base64",
      sha: "policyblob123",
      content: Buffer.from(world.policy).toString("base64"),
    }))
    // The owner's base policy: none. A deployment's policy load does not know whether the
    // owner is an organization, so it reads it (once) to learn whether it is required.
    .get(ORG_BASE_PATH)
    .reply(404, { message: "Not Found" })
    .get(/\/repos\/Codertocat\/Hello-World\/git\/ref\/tags%2F.+/)
    .reply((req: Request) => {
      const uri = pathOf(req);
      const name = decodeURIComponent(uri.split("/git/ref/tags%2F")[1] ?? "");
      const tag = world.tags[name];
      if (!tag) return notFound;
      const object = tag.annotated
        ? { type: "tag", sha: TAG_OBJECT }
        : { type: "commit", sha: tag.sha };
      return [200, { ref: `refs/tags/${name}`, object }];
    })
    .get(`${REPO_PATH}/git/tags/${TAG_OBJECT}`)
    .reply(200, () => {
      const tag = Object.values(world.tags).find((t) => t.annotated);
      return {
        sha: TAG_OBJECT,
        object: { type: "commit", sha: tag?.sha },
        verification: {
          verified: tag?.verified === true,
          reason: tag?.verified ? "valid" : "unsigned",
        },
      };
    })
    .get(/\/repos\/Codertocat\/Hello-World\/releases\/tags\/.+/)
    .reply((req: Request) => {
      const uri = pathOf(req);
      const name = decodeURIComponent(uri.split("/releases/tags/")[1] ?? "");
      const release = world.releases[name];
      if (!release) return notFound;
      return [
        200,
        {
          name: `Release ${name}`,
          html_url: `https://github.com/Codertocat/Hello-World/releases/tag/${name}`,
          author: { login: release.author },
          draft: release.draft ?? false,
          prerelease: false,
          body: release.body,
          published_at: "2026-11-26T09:30:00Z",
        },
      ];
    })
    .get(`${REPO_PATH}/tags`)
    .query(true)
    .reply(200, () =>
      Object.entries(world.tags).map(([name, t]) => ({ name, commit: { sha: t.sha } })),
    )
    .get(/\/repos\/Codertocat\/Hello-World\/compare\/.+/)
    .query(true)
    .reply((req: Request) => {
      const uri = pathOf(req);
      const basehead = decodeURIComponent(uri.split("/compare/")[1]?.split("?")[0] ?? "");
      const [base = "", head = ""] = basehead.split("...");
      if (!/^[0-9a-f]{40}$/.test(base)) {
        const holds = world.branchesWithTag.includes(base);
        return [200, { status: holds ? "behind" : "diverged", total_commits: 0, commits: [] }];
      }
      const start = world.history.findIndex((c) => c.parent === base);
      const end = world.history.findIndex((c) => c.sha === head);
      const commits = world.history.slice(start, end + 1).map((c) => ({
        sha: c.sha,
        parents: [{ sha: c.parent }],
        commit: { message: c.message },
      }));
      return [200, { status: "ahead", total_commits: commits.length, commits }];
    })
    .get(/\/repos\/Codertocat\/Hello-World\/commits\/[0-9a-f]{40}\/pulls/)
    .reply((req: Request) => {
      const uri = pathOf(req);
      const sha = /commits\/([0-9a-f]{40})\/pulls/.exec(uri)?.[1];
      const pull = world.history.find((c) => c.sha === sha)?.pull;
      if (!pull) return [200, []];
      return [
        200,
        [
          {
            number: pull.number,
            title: pull.title,
            body: pull.body,
            html_url: `https://github.com/Codertocat/Hello-World/pull/${pull.number}`,
            user: { login: pull.author },
            labels: pull.labels.map((name) => ({ name })),
            merged_at: "2026-11-20T10:00:00Z",
            merge_commit_sha: sha,
            head: { sha: pull.headSha },
          },
        ],
      ];
    })
    .get(/\/repos\/Codertocat\/Hello-World\/commits\/[0-9a-f]{40}\/check-runs/)
    .query(true)
    .reply((req: Request) => {
      const uri = pathOf(req);
      const sha = /commits\/([0-9a-f]{40})\/check-runs/.exec(uri)?.[1];
      const pull = world.history.find((c) => c.pull?.headSha === sha)?.pull;
      const runs =
        pull && pull.check !== "none"
          ? [
              {
                id: pull.number * 100,
                name: "release-policy",
                status: "completed",
                conclusion: pull.check,
                app: { id: APP_ID },
              },
            ]
          : [];
      return [200, { total_count: runs.length, check_runs: runs }];
    })
    .get(/\/orgs\/Codertocat\/teams\/[^/]+\/members/)
    .query(true)
    .reply((req: Request) => {
      const uri = pathOf(req);
      const slug = /teams\/([^/]+)\/members/.exec(uri)?.[1] ?? "";
      const members = world.teams[slug];
      return members ? [200, members.map((login) => ({ login }))] : notFound;
    })
    .get(/\/repos\/Codertocat\/Hello-World\/contents\/CHANGELOG\.md/)
    .query(true)
    .reply(() =>
      world.changelog === null
        ? notFound
        : [
            200,
            {
              type: "file",
              encoding: "base64",
              content: Buffer.from(world.changelog).toString("base64"),
            },
          ],
    )
    .get(`${REPO_PATH}/commits/${SHA}/statuses`)
    .query(true)
    .reply(200, () => world.statuses)
    .get(`${REPO_PATH}/issues`)
    .query(true)
    .reply(200, () => [...world.issues].reverse().map(issueJson))
    .get(/\/repos\/Codertocat\/Hello-World\/issues\/\d+\/comments/)
    .query(true)
    .reply((req: Request) => {
      const uri = pathOf(req);
      const issue = byNumber(uri);
      return issue ? [200, issue.comments.map((c) => commentJson(issue, c))] : notFound;
    })
    .get(/\/repos\/Codertocat\/Hello-World\/issues\/comments\/\d+$/)
    .reply((req: Request) => {
      world.beforeCommentRead?.shift()?.();
      const id = Number(/comments\/(\d+)/.exec(pathOf(req))?.[1]);
      const issue = world.issues.find((i) => i.comments.some((c) => c.id === id));
      const comment = issue?.comments.find((c) => c.id === id);
      return issue && comment ? [200, commentJson(issue, comment)] : notFound;
    })
    .post(`${REPO_PATH}/issues`)
    .reply(async (req: Request) => {
      const body: unknown = await req.json();
      const b = body as { title: string; body: string; labels: string[] };
      const issue: WorldIssue = {
        number: world.nextId++,
        title: b.title,
        body: b.body,
        state: "open",
        labels: b.labels,
        appId: APP_ID,
        comments: [],
      };
      world.issues.push(issue);
      return [201, issueJson(issue)];
    })
    .patch(/\/repos\/Codertocat\/Hello-World\/issues\/\d+$/)
    .reply(async (req: Request) => {
      const uri = pathOf(req);
      const body: unknown = await req.json();
      const issue = byNumber(uri);
      if (!issue) return notFound;
      Object.assign(issue, body as object);
      return [200, issueJson(issue)];
    })
    .post(/\/repos\/Codertocat\/Hello-World\/issues\/\d+\/comments/)
    .reply(async (req: Request) => {
      const uri = pathOf(req);
      const body: unknown = await req.json();
      const issue = byNumber(uri);
      if (!issue) return notFound;
      const comment: WorldComment = {
        id: world.nextId++,
        body: (body as { body: string }).body,
        user: "release-policy[bot]",
        bot: true,
        appId: APP_ID,
        created_at: "2026-11-26T10:00:00Z",
      };
      issue.comments.push(comment);
      return [201, commentJson(issue, comment)];
    })
    .post(/\/repos\/Codertocat\/Hello-World\/actions\/runs\/\d+\/deployment_protection_rule/)
    .reply(async (req: Request) => {
      world.answers.push((await req.json()) as World["answers"][number]);
      return [204, ""];
    })
    .post(`${REPO_PATH}/statuses/${SHA}`)
    .reply(async (req: Request) => {
      const status = (await req.json()) as World["statuses"][number];
      world.statuses.unshift(status);
      return [201, status];
    })
    .patch(/\/repos\/Codertocat\/Hello-World\/issues\/comments\/\d+/)
    .reply(async (req: Request) => {
      const uri = pathOf(req);
      const body: unknown = await req.json();
      const id = Number(/comments\/(\d+)/.exec(uri)?.[1]);
      const comment = world.issues.flatMap((i) => i.comments).find((c) => c.id === id);
      if (!comment) return notFound;
      comment.body = (body as { body: string }).body;
      return [200, { id }];
    });
  return scope;
}

/** The one record the app opened, with its checklist comment. */
export function recordOf(world: World): { issue: WorldIssue; checklist?: WorldComment } {
  const records = world.issues.filter((i) => i.labels.includes("release-record"));
  if (records.length !== 1) throw new Error(`expected one release record, found ${records.length}`);
  const issue = records[0] as WorldIssue;
  const checklist = issue.comments.find((c) =>
    c.body.includes("<!-- release-policy:checklist -->"),
  );
  return { issue, ...(checklist ? { checklist } : {}) };
}

/** A person's comment on an issue, as it is in the world and in the webhook. */
export function addComment(
  world: World,
  issue: WorldIssue,
  user: string,
  body: string,
): WorldComment {
  const comment: WorldComment = {
    id: world.nextId++,
    body,
    user,
    bot: false,
    appId: null,
    created_at: "2026-11-26T10:05:00Z",
  };
  issue.comments.push(comment);
  return comment;
}
