import type { PullRequestFacts } from "../../src/facts/types.js";
import { latestReviews } from "../../src/requirements/approvals.js";
import { approved, judgeGate, OLD_SHA, pullRequestFacts, review } from "../evaluate/builders.js";

const teams = { "acme/cab": ["carol", "dave", "erin"], "acme/eng": ["bob", "author", "committer"] };
const writers: PullRequestFacts["permissions"] = { bob: "write", carol: "admin", reader: "read" };

function judge(
  approvals: Record<string, unknown>,
  facts: Partial<PullRequestFacts>,
  defaults?: unknown,
) {
  return judgeGate(
    { require: { approvals } },
    pullRequestFacts({
      teams,
      permissions: writers,
      committers: ["author", "committer"],
      ...facts,
    }),
    defaults === undefined ? {} : { defaults },
  );
}

describe("approvals: counting", () => {
  it.each<{
    name: string;
    req: Record<string, unknown>;
    facts: Partial<PullRequestFacts>;
    status: string;
    reason?: string;
  }>([
    {
      name: "enough approvals from the team",
      req: { count: 2, from: { teams: ["cab"] } },
      facts: { reviews: [approved("carol"), approved("dave")] },
      status: "pass",
      reason: "2 of 2 approvals from team cab",
    },
    {
      name: "one short",
      req: { count: 2, from: { teams: ["cab"] } },
      facts: { reviews: [approved("carol")] },
      status: "pending",
      reason: "1 of 2 approvals from team cab",
    },
    {
      name: "approval from outside the team does not count",
      req: { count: 1, from: { teams: ["cab"] } },
      facts: { reviews: [approved("bob")] },
      status: "pending",
    },
    {
      name: "a listed user counts",
      req: { count: 1, from: { users: ["Bob"] } },
      facts: { reviews: [approved("bob")] },
      status: "pass",
    },
    {
      name: "team named with its org",
      req: { count: 1, from: { teams: ["acme/cab"] } },
      facts: { reviews: [approved("Carol")] },
      status: "pass",
    },
    {
      name: "omitted from: write permission counts",
      req: { count: 1 },
      facts: { reviews: [approved("bob")] },
      status: "pass",
    },
    {
      name: "omitted from: read permission does not",
      req: { count: 1 },
      facts: { reviews: [approved("reader")] },
      status: "pending",
    },
    {
      name: "permission rank: admin ≥ maintain",
      req: { count: 1, from: { permission: "maintain" } },
      facts: { reviews: [approved("carol")] },
      status: "pass",
    },
    {
      name: "permission rank: write < maintain",
      req: { count: 1, from: { permission: "maintain" } },
      facts: { reviews: [approved("bob")] },
      status: "pending",
    },
    {
      name: "a reviewer counts once",
      req: { count: 2, from: { teams: ["cab"] } },
      facts: { reviews: [approved("carol"), approved("CAROL")] },
      status: "pending",
    },
    {
      name: "a comment after an approval leaves it standing",
      req: { count: 1, from: { teams: ["cab"] } },
      facts: {
        reviews: [approved("carol"), review("carol", "COMMENTED"), review("carol", "PENDING")],
      },
      status: "pass",
    },
    {
      name: "a comment alone is no approval",
      req: { count: 1, from: { teams: ["cab"] } },
      facts: { reviews: [review("carol", "COMMENTED"), review("dave", "PENDING")] },
      status: "pending",
    },
    {
      name: "a comment after a change request leaves it standing",
      req: { count: 1, from: { teams: ["cab"] } },
      facts: { reviews: [review("carol", "CHANGES_REQUESTED"), review("carol", "COMMENTED")] },
      status: "fail",
    },
    {
      name: "a dismissed review cancels",
      req: { count: 1, from: { teams: ["cab"] } },
      facts: { reviews: [review("carol", "DISMISSED")] },
      status: "pending",
    },
    {
      name: "approval after a dismissal counts",
      req: { count: 1, from: { teams: ["cab"] } },
      facts: { reviews: [review("carol", "DISMISSED"), approved("carol")] },
      status: "pass",
    },
  ])("$name → $status", ({ req, facts, status, reason }) => {
    const result = judge(req, facts);
    expect(result.status).toBe(status);
    if (reason) expect(result.reason).toBe(reason);
  });

  it("the latest review is chosen by time, not by list order", () => {
    const reviews = [
      review("carol", "APPROVED", { submittedAt: "2026-03-10T11:00:00Z" }),
      review("carol", "CHANGES_REQUESTED", { submittedAt: "2026-03-10T10:00:00+00:00" }),
    ];
    expect(latestReviews(reviews).map((r) => r.state)).toEqual(["APPROVED"]);
    expect(judge({ count: 1, from: { teams: ["cab"] } }, { reviews }).status).toBe("pass");
  });

  it("names who can approve in the fix", () => {
    const result = judge(
      { count: 2, from: { teams: ["cab"], users: ["zoe"] } },
      { reviews: [approved("carol")] },
    );
    expect(result.fix).toBe(
      "Ask team cab or @zoe for 1 more approving review (approvals by the author, committers do not count)",
    );
  });
});

describe("approvals: segregation of duties", () => {
  const eng = { count: 1, from: { teams: ["eng"] } };

  it("the author's own approval does not count, and the details say why", () => {
    const result = judge(eng, { reviews: [approved("author")] });
    expect(result.status).toBe("pending");
    expect(result.details).toEqual([
      "@author is the author: segregation of duties, the approval does not count",
    ]);
  });

  it("a committer's approval does not count", () => {
    const result = judge(eng, { reviews: [approved("Committer")] });
    expect(result.status).toBe("pending");
    expect(result.details?.[0]).toMatch(
      /^@Committer committed to this pull request: segregation of duties/,
    );
  });

  it("the requirement's exclude overrides the defaults", () => {
    expect(
      judge({ ...eng, exclude: ["author"] }, { reviews: [approved("committer")] }).status,
    ).toBe("pass");
    expect(judge({ ...eng, exclude: [] }, { reviews: [approved("author")] }).status).toBe("pass");
  });

  it("defaults.approvals.exclude applies when the requirement says nothing", () => {
    const defaults = { approvals: { exclude: ["author"] } };
    expect(judge(eng, { reviews: [approved("committer")] }, defaults).status).toBe("pass");
    expect(judge(eng, { reviews: [approved("author")] }, defaults).status).toBe("pending");
  });

  it("pusher: excluded when known", () => {
    const req = { ...eng, exclude: ["pusher"] };
    expect(judge(req, { pusher: "bob", reviews: [approved("bob")] }).status).toBe("pending");
    expect(judge(req, { pusher: "someone", reviews: [approved("bob")] }).status).toBe("pass");
  });

  it("pusher unknown: passes only if it holds without any one approval", () => {
    const req = { count: 1, from: { teams: ["cab"] }, exclude: ["pusher"] };
    expect(judge(req, { reviews: [approved("carol")] }).status).toBe("error");
    expect(judge(req, { reviews: [approved("carol"), approved("dave")] }).status).toBe("pass");
    expect(judge(req, { reviews: [] }).status).toBe("pending");
  });
});

describe("approvals: pushes after approval", () => {
  const cab = { count: 1, from: { teams: ["cab"] } };

  it("an approval of an older commit is stale by default", () => {
    const result = judge(cab, {
      reviews: [approved("bob"), approved("carol", { commitId: OLD_SHA })],
    });
    expect(result.status).toBe("pending");
    expect(result.details).toContain(
      "@carol approved an older commit 0123456: commits were pushed since",
    );
  });

  it.each([
    { req: { ...cab, invalidate_on_push: false }, defaults: undefined, status: "pass" },
    { req: cab, defaults: { invalidate_on_push: false }, status: "pass" },
    {
      req: { ...cab, invalidate_on_push: true },
      defaults: { invalidate_on_push: false },
      status: "pending",
    },
  ])(
    "invalidate_on_push $req.invalidate_on_push / default $defaults → $status",
    ({ req, defaults, status }) => {
      expect(
        judge(req, { reviews: [approved("carol", { commitId: OLD_SHA })] }, defaults).status,
      ).toBe(status);
    },
  );
});

describe("approvals: change requests", () => {
  const cab = { count: 1, from: { teams: ["cab"] } };

  it("a change request from an eligible reviewer fails, even beside enough approvals", () => {
    const result = judge(cab, {
      reviews: [approved("dave"), review("carol", "CHANGES_REQUESTED")],
    });
    expect(result).toMatchObject({ status: "fail", reason: "@carol requested changes" });
    expect(result.fix).toBe("Address the changes @carol requested, then re-request a review");
  });

  it("changes requested, then approved: the approval stands", () => {
    const reviews = [review("carol", "CHANGES_REQUESTED"), approved("carol")];
    expect(judge(cab, { reviews }).status).toBe("pass");
  });

  it("a change request on an older commit still blocks", () => {
    const reviews = [review("carol", "CHANGES_REQUESTED", { commitId: OLD_SHA })];
    expect(judge(cab, { reviews }).status).toBe("fail");
  });

  it("a change request from someone not eligible does not block", () => {
    const result = judge(cab, { reviews: [approved("dave"), review("bob", "CHANGES_REQUESTED")] });
    expect(result.status).toBe("pass");
    expect(result.details).toContain(
      "@bob requested changes, but is not an eligible reviewer, so it does not block",
    );
  });

  it("a committer's change request still blocks: exclusions concern approvals", () => {
    const result = judge(
      { count: 1, from: { teams: ["eng"] } },
      { reviews: [review("committer", "CHANGES_REQUESTED")] },
    );
    expect(result.status).toBe("fail");
  });

  it("a dismissed change request no longer blocks", () => {
    const reviews = [approved("dave"), review("carol", "DISMISSED")];
    expect(judge(cab, { reviews }).status).toBe("pass");
  });
});

describe("approvals: missing facts fail closed", () => {
  it("an approval whose team membership is missing is an error, not a fail", () => {
    const result = judge(
      { count: 1, from: { teams: ["security"] } },
      { reviews: [approved("carol")] },
    );
    expect(result.status).toBe("error");
    expect(result.details?.[0]).toContain("the members of team acme/security");
  });

  it("a missing team does not matter when enough approvals are proven", () => {
    const result = judge(
      { count: 1, from: { teams: ["security", "cab"] } },
      { reviews: [approved("carol")] },
    );
    expect(result.status).toBe("pass");
  });

  it("a change request whose eligibility is unknown is an error", () => {
    const result = judge(
      { count: 1, from: { teams: ["security", "cab"] } },
      { reviews: [approved("carol"), review("zed", "CHANGES_REQUESTED")] },
    );
    expect(result.status).toBe("error");
  });

  it("a permission that was not fetched is an error", () => {
    expect(judge({ count: 1 }, { reviews: [approved("stranger")] }).status).toBe("error");
  });

  it("with no reviews there is nothing to judge: it waits", () => {
    expect(judge({ count: 1, from: { teams: ["security"] } }, { reviews: [] }).status).toBe(
      "pending",
    );
  });

  it("principals that name nobody make nobody eligible", () => {
    const result = judge({ count: 1, from: {} }, { reviews: [approved("bob")] });
    expect(result.status).toBe("pending");
    expect(result.reason).toBe(
      "0 of 1 approval from nobody (the policy names no user, team or permission)",
    );
  });
});

describe("approvals: bot accounts", () => {
  const bot = (user: string, bot?: boolean) => ({ ...approved(user), ...(bot ? { bot } : {}) });

  it.each([
    {
      name: "a [bot] login through a permission",
      req: { count: 1, from: { permission: "write" } },
    },
    { name: "a [bot] login through a team", req: { count: 1, from: { teams: ["eng"] } } },
  ])("$name does not count", ({ req }) => {
    const facts = {
      teams: { "acme/eng": ["helper[bot]"] },
      permissions: { "helper[bot]": "write" as const },
      reviews: [bot("helper[bot]")],
    };
    const result = judge(req, facts);
    expect(result.status).toBe("pending");
    expect(result.details).toContain(
      "@helper[bot] is a bot account: its approval counts only where from.users names it",
    );
  });

  it("an account GitHub types as a bot does not count through a permission", () => {
    const req = { count: 1, from: { permission: "write" } };
    const facts = { permissions: { robot: "write" as const }, reviews: [bot("robot", true)] };
    expect(judge(req, facts).status).toBe("pending");
  });

  it("a bot named in from.users counts, with any case", () => {
    const req = { count: 1, from: { users: ["Helper[bot]"] } };
    expect(judge(req, { reviews: [bot("helper[bot]")] }).status).toBe("pass");
  });
});

describe("approvals: commits no account is linked to, and commits GitHub does not list", () => {
  const cab = { count: 1, from: { teams: ["cab"] } };
  const gaps = (unlinked: number, truncated = false) => ({
    committerGaps: {
      unlinked: Array.from({ length: unlinked }, (_, i) => ({
        identity: `Someone ${i} <s${i}@example.com>`,
        sha: `${i}`.repeat(40),
      })),
      truncated,
    },
  });

  it.each([
    { unlinked: 1, approvers: ["carol"], status: "pending" },
    { unlinked: 1, approvers: ["carol", "dave"], status: "pass" },
    { unlinked: 2, approvers: ["carol", "dave"], status: "pending" },
    { unlinked: 2, approvers: ["carol", "dave", "erin"], status: "pass" },
  ])("$unlinked unlinked, approved by $approvers → $status", ({ unlinked, approvers, status }) => {
    const facts = { ...gaps(unlinked), reviews: approvers.map((a) => approved(a)) };
    expect(judge(cab, facts).status).toBe(status);
  });

  it("says how many more approvals, and how to link or re-author", () => {
    const result = judge(cab, { ...gaps(2), reviews: [approved("carol")] });
    expect(result.reason).toContain("2 git identities with no linked GitHub account");
    expect(result.reason).toContain("0000000 by Someone 0 <s0@example.com>");
    expect(result.fix).toMatch(/^Ask team cab for 2 more approving reviews, or .*re-author/);
  });

  it("matter only when committers are excluded", () => {
    const req = { ...cab, exclude: ["author"] };
    expect(judge(req, { ...gaps(1, true), reviews: [approved("carol")] }).status).toBe("pass");
  });

  it("an unknown pusher and an unlinked identity each take one approval", () => {
    const req = { ...cab, exclude: ["committers", "pusher"] };
    const two = { ...gaps(1), reviews: [approved("carol"), approved("dave")] };
    expect(judge(req, two).status).toBe("pending");
    const three = { ...two, reviews: [...two.reviews, approved("erin")] };
    expect(judge(req, three).status).toBe("pass");
  });

  it("a commit list GitHub cut at 250 fails, however many approve", () => {
    const reviews = ["carol", "dave", "erin"].map((a) => approved(a));
    const result = judge(cab, { ...gaps(0, true), reviews });
    expect(result.status).toBe("fail");
    expect(result.fix).toBe("Squash or split the pull request into fewer than 250 commits");
  });
});
