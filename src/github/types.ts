import type { ProbotOctokit } from "probot";

/** The installation-authenticated client every fact reader and writer takes. */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export type PullRequestData = Awaited<ReturnType<Octokit["rest"]["pulls"]["get"]>>["data"];
