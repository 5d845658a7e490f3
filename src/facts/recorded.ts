// Facts recorded in a file, for `release-policy explain`: the same shape the app gathers
// from GitHub (src/facts/types.ts), checked at the door because a file may hold anything.
// Typed against PullRequestFacts, so the two cannot drift apart.
import { z } from "zod";
import { CHANGE_SYSTEMS } from "./change-records.js";
import { CHECK_STATES, type PullRequestFacts } from "./types.js";

const login = z.string().min(1);
const iso = z.iso.datetime({ offset: true });

const checkState = z.enum(CHECK_STATES);

const permission = z.enum(["none", "read", "triage", "write", "maintain", "admin"]);

export const pullRequestFactsSchema: z.ZodType<PullRequestFacts> = z.strictObject({
  repo: z.strictObject({ owner: login, repo: login, defaultBranch: z.string().min(1) }),
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string(),
  author: login,
  draft: z.boolean(),
  state: z.enum(["open", "closed"]),
  merged: z.boolean(),
  baseRef: z.string().min(1),
  headRef: z.string().min(1),
  headSha: z.string().min(1),
  labels: z.array(z.string()),
  changedFiles: z.array(z.string()).optional(),
  committers: z.array(login),
  committerGaps: z
    .strictObject({
      unlinked: z.array(z.strictObject({ identity: z.string(), sha: z.string().min(1) })),
      truncated: z.boolean(),
    })
    .optional(),
  pusher: login.optional(),
  reviews: z.array(
    z.strictObject({
      user: login,
      bot: z.boolean().optional(),
      state: z.enum(["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"]),
      commitId: z.string().min(1),
      submittedAt: iso,
    }),
  ),
  checks: z.array(
    z.strictObject({
      name: z.string().min(1),
      source: z.enum(["check_run", "status"]),
      app: z.string().min(1).optional(),
      state: checkState,
      url: z.string().optional(),
    }),
  ),
  teams: z.record(z.string(), z.array(login)),
  permissions: z.record(z.string(), permission),
  checklist: z.strictObject({
    commentId: z.number().int().positive().optional(),
    ticks: z.record(
      z.string(),
      z.strictObject({ checked: z.boolean(), by: login.optional(), at: iso.optional() }),
    ),
  }),
  // Change records as looked up (change_record gates); a recorded error still never passes.
  changeRecords: z
    .array(
      z.strictObject({
        system: z.enum(CHANGE_SYSTEMS),
        reference: z.string().min(1),
        found: z.boolean(),
        number: z.string(),
        title: z.string(),
        state: z.string(),
        approval: z.string().optional(),
        plannedStart: iso.optional(),
        plannedEnd: iso.optional(),
        url: z.string(),
        sysId: z.string().optional(),
        error: z.string().optional(),
      }),
    )
    .optional(),
});

/** One line per problem: where in the file, and what is wrong there. */
export function describeFactsProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return `${path === "" ? "(top level)" : path}: ${issue.message}`;
  });
}
