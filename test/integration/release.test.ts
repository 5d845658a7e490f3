// The release record end to end: tags and releases open one record and keep it current,
// whatever order their events arrive in; sign-offs, checklist ticks and deployments show on
// it; tag rules, missing notes and non-compliant changes fail or hold its gates. Each event is
// held to a request budget: its writes exactly, its reads counted.
import nock from "nock";
import {
  cleanNock,
  createHarness,
  expectBudget,
  NOTHING,
  REPO_PATH,
  type Budget,
  type Harness,
} from "./harness.js";
import {
  addComment,
  DIRECT_SHA,
  MID_SHA,
  newWorld,
  PR_10,
  PR_11,
  recordOf,
  serve,
  SHA,
  type World,
} from "./release-world.js";
import {
  checklistEdit,
  commentOn,
  deploymentStatus,
  released,
  TAG,
  tagCreated,
  tagPush,
  tick,
} from "./release-payloads.js";
import { MemoryStore } from "../../src/store/memory.js";

beforeEach(cleanNock);
afterAll(() => nock.restore());

const P = REPO_PATH;
/**
 * What building a record costs when nothing is known yet (the first event for a tag): the
 * policy, the record looked for, the tag, its release, the tags before it, its branch, the
 * teams, the range's pull requests and their verdicts are read; the record and its checklist
 * comment are written.
 */
const FIRST_BUILD: Budget = {
  reads: { atMost: 14 },
  writes: [`POST ${P}/issues`, `POST ${P}/issues/500/comments`],
};
/** Known once the record is built: the record itself, its range and its teams. */
const KNOWN = [
  `GET ${P}/issues`,
  `GET ${P}/compare/${"0".repeat(40)}...${SHA}`,
  `GET /orgs/Codertocat/teams/service-desk/members`,
  `GET /orgs/Codertocat/teams/release-managers/members`,
];
/**
 * What an update costs once the record, its range and its teams are known: the record's
 * comments, the tag, its release, the tags before it and its branch are read again (5 reads,
 * and `more` on top), and only `writes` are made.
 */
const update = (writes: string[] = [], more = 0): Budget => ({
  reads: { atMost: 5 + more, excludes: KNOWN },
  writes,
});

async function firstPush(world: World, harness?: Harness) {
  const h = harness ?? (await createHarness());
  serve(world);
  const made = await h.receive("push", tagPush());
  return { harness: h, made };
}

describe("the release record", () => {
  test("a tag push opens one complete record an auditor can read", async () => {
    const world = newWorld();
    const { made } = await firstPush(world);
    expectBudget(made, FIRST_BUILD);

    const { issue, checklist } = recordOf(world);
    expect(issue.title).toBe("Release v1.1.0");
    expect(issue.state).toBe("open");
    const body = issue.body;
    expect(body).toContain(
      "<!-- release-policy:release-record tag=v1.1.0 sha=1111111111111111111111111111111111111111 -->",
    );
    // The included changes, each with change type, change record and verdict.
    expect(body).toContain("### Included changes (2 pull requests, 0 direct commits)");
    expect(body).toMatch(
      /\| \[#10\]\(.*\/pull\/10\) \| Add search CHG0000010 \| @dev-dana \| normal \| CHG0000010 \| ✅ held \|/,
    );
    expect(body).toMatch(
      /\| \[#11\]\(.*\/pull\/11\) \| Fix checkout \| @dev-eve \| emergency \| CHG0000011 \| ✅ held \|/,
    );
    // Tag, previous release, and the policy version it was judged under.
    expect(body).toContain("`v1.1.0` → `1111111` (lightweight, pushed by @tagger-tom)");
    expect(body).toContain(
      "v1.0.0 ([compare](https://github.com/Codertocat/Hello-World/compare/v1.0.0...v1.1.0))",
    );
    expect(body).toContain(
      "`Codertocat/Hello-World:.github/release-policy.yml` blob `policyblob123`",
    );
    // Gates: tag rules and notes hold, the checklist and the sign-off wait.
    expect(body).toMatch(/\| `tag-rules` tag name, branch and signature \| ✅ pass \|/);
    expect(body).toMatch(/\| `notes` \| ✅ pass \| release notes are in the GitHub release \|/);
    expect(body).toMatch(/\| `changes` \| ✅ pass \| 2 pull requests, all compliant \|/);
    expect(body).toMatch(/\| `readiness` \| ⏳ pending \| 0 of 2 checklist items ticked \|/);
    expect(body).toMatch(/\| `sign-off` \| ⏳ pending \| 0 of 1 sign-off \|/);
    expect(body).toContain("⏳ waiting on release gates (3 of 5)");
    expect(body).toMatch(/<!-- release-policy:record-state [A-Za-z0-9_-]+ [0-9a-f]{64} -->/);
    // The release checklist lives in the app's comment on the record.
    expect(checklist?.body).toMatch(/^- \[ \] Communication sent <!-- item:[0-9a-f]{10} -->$/m);
    expect(checklist?.body).toMatch(
      /^- \[ \] Service desk briefed \(only members of the service-desk team can tick this\)/m,
    );
  });

  test("every other event for the tag updates the same record; nothing unchanged is written", async () => {
    const world = newWorld();
    const { harness } = await firstPush(world);
    const before = recordOf(world).issue.body;

    // The create event of the same tag, a redelivery of the push, and the release.
    expectBudget(await harness.receive("create", tagCreated()), update());
    expectBudget(await harness.receive("push", tagPush(), "delivery-1"), NOTHING);
    expectBudget(await harness.receive("release", released("published")), update());
    expect(world.issues).toHaveLength(1);
    expect(recordOf(world).issue.body).toBe(before);

    // An edit of the release's notes is a change: one PATCH.
    world.releases[TAG] = { body: "", author: "rel-rita" };
    world.changelog = "# Changelog\n\n## v1.0.0\n- first\n";
    const made = await harness.receive("release", released("edited"));
    // No notes in the release: the changelog at the tag is read too.
    expectBudget(made, update([`PATCH ${P}/issues/500`], 1));
    const body = recordOf(world).issue.body;
    expect(body).toMatch(
      /\| `notes` \| ⏳ pending \| no release notes found \| Write the notes in the GitHub release's description, or add a section headed with the tag to CHANGELOG.md \|/,
    );
    expect(body).toContain("looked for a section for v1.1.0 in CHANGELOG.md");
  });

  test("events for one tag arriving together open one record and one checklist comment", async () => {
    const world = newWorld();
    const harness = await createHarness();
    serve(world);
    await Promise.all([
      harness.receive("create", tagCreated()),
      harness.receive("push", tagPush()),
      harness.receive("release", released("published")),
      harness.receive("release", released("created")),
    ]);
    expect(world.issues).toHaveLength(1);
    expect(recordOf(world).issue.comments).toHaveLength(1);
    expect(recordOf(world).issue.body).toContain("pushed by @tagger-tom");
  });

  test("a release published before its tag's push: one record, completed by the push", async () => {
    const world = newWorld();
    const harness = await createHarness();
    serve(world);
    await harness.receive("release", released("published"));
    expect(recordOf(world).issue.body).not.toContain("pushed by");
    const made = await harness.receive("push", tagPush());
    expectBudget(made, update([`PATCH ${P}/issues/500`]));
    expect(world.issues).toHaveLength(1);
    expect(recordOf(world).issue.body).toContain("pushed by @tagger-tom");
  });

  test("a deployment reported before the tag's events opens the record with that deployment", async () => {
    const world = newWorld();
    const harness = await createHarness();
    serve(world);
    await harness.receive("deployment_status", deploymentStatus("staging", "success"));
    expect(recordOf(world).issue.body).toContain("| staging | 2026-11-26 11:00 UTC |");
    await harness.receive("push", tagPush());
    expect(world.issues).toHaveLength(1);
    const body = recordOf(world).issue.body;
    expect(body).toContain("pushed by @tagger-tom");
    expect(body).toContain("| staging | 2026-11-26 11:00 UTC |");
  });

  test("after a restart with an empty store the record is found again, not opened twice", async () => {
    const world = newWorld();
    await firstPush(world);
    const restarted = await createHarness({ store: new MemoryStore() });
    const made = await restarted.receive("release", released("published"));
    expect(world.issues).toHaveLength(1);
    expect(made.map((r) => `${r.method} ${r.path}`)).toContain(
      `GET ${P}/issues?labels=release-record&state=all&per_page=100`,
    );
    expect(made.filter((r) => r.method !== "GET").map((r) => r.path)).toEqual([
      `/app/installations/77/access_tokens`,
    ]);
  });

  test("a release with a non-compliant change and a direct push fails its changes gate", async () => {
    const world = newWorld();
    world.history = [
      {
        sha: MID_SHA,
        parent: "0".repeat(40),
        message: "Merge pull request #10",
        pull: { ...PR_10, check: "failure" },
      },
      { sha: DIRECT_SHA, parent: MID_SHA, message: "hotfix on master" },
      { sha: SHA, parent: DIRECT_SHA, message: "Fix checkout (#11)", pull: PR_11 },
    ];
    await firstPush(world);
    const body = recordOf(world).issue.body;
    expect(body).toContain("### Included changes (2 pull requests, 1 direct commit)");
    expect(body).toMatch(/\| \[#10\].* \| ❌ failure \|/);
    expect(body).toContain("- `3333333` hotfix on master: no pull request brought it");
    expect(body).toMatch(
      /\| `changes` \| ❌ fail \| #\u206010 was merged with release-policy failure; 3333333 was pushed directly \|/,
    );
    expect(body).toContain("❌ release gates fail");
  });

  test("missing release notes keep the release waiting; a changelog section satisfies them", async () => {
    const world = newWorld({
      releases: {},
      changelog: "# Changelog\n\n## [1.1.0] - 2026-11-26\n\n- faster search\n",
    });
    await firstPush(world);
    expect(recordOf(world).issue.body).toMatch(
      /\| `notes` \| ✅ pass \| release notes are in CHANGELOG.md at v1.1.0 \|/,
    );

    const bare = newWorld({ releases: {}, changelog: null });
    cleanNock();
    await firstPush(bare);
    const body = recordOf(bare).issue.body;
    expect(body).toMatch(/\| `notes` \| ⏳ pending \| no release notes found \|/);
    expect(body).toContain("looked for a GitHub release (none published)");
    expect(body).toContain("CHANGELOG.md (no such file at the tag)");
  });

  test.each([
    {
      name: "a name that breaks the pattern",
      tag: "release-7",
      setup: (w: World) => (w.tags["release-7"] = { sha: SHA }),
      reason: "tag name release-7 does not match /^v[0-9]+\\.[0-9]+\\.[0-9]+$/",
    },
    {
      name: "a commit on no allowed branch",
      tag: TAG,
      setup: (w: World) => (w.branchesWithTag = []),
      reason: "1111111 is on none of the branches master (looked at: master)",
    },
    {
      name: "a lightweight tag where a signed one is required",
      tag: TAG,
      setup: (w: World) =>
        (w.policy = w.policy.replace("branches: [master]", "branches: [master]\n    signed: true")),
      reason: "v1.1.0 is a lightweight tag; the policy requires an annotated, signed tag",
    },
    {
      name: "an annotated tag whose signature is not verified",
      tag: TAG,
      setup: (w: World) => {
        w.policy = w.policy.replace("branches: [master]", "branches: [master]\n    signed: true");
        w.tags[TAG] = { sha: SHA, annotated: true, verified: false };
      },
      reason: "the tag's signature is not verified (unsigned)",
    },
  ])(
    "a tag rule violation is reported and fails the release: $name",
    async ({ tag, setup, reason }) => {
      const world = newWorld();
      setup(world);
      const harness = await createHarness();
      serve(world);
      await harness.receive("push", tagPush(tag));
      const body = recordOf(world).issue.body;
      expect(body).toMatch(/\| `tag-rules` tag name, branch and signature \| ❌ fail \|/);
      expect(body).toContain(reason.replace(/[\\[\]|*_]/g, (c) => `\\${c}`));
      expect(body).toContain("❌ release gates fail");
      // The app reports; it never deletes or moves a tag.
      expect(world.tags[tag]).toBeDefined();
    },
  );

  test("sign-offs by comment: the tagger does not count, a release manager does", async () => {
    const world = newWorld();
    const { harness } = await firstPush(world);
    const { issue } = recordOf(world);

    addComment(world, issue, "tagger-tom", "/signoff");
    await harness.receive("issue_comment", commentOn(issue, "/signoff", "tagger-tom"));
    expect(recordOf(world).issue.body).toMatch(/\| `sign-off` \| ⏳ pending \| 0 of 1 sign-off \|/);
    expect(recordOf(world).issue.body).toContain(
      "@\u2060tagger-tom signed off at 2026-11-26T10:05:00Z: whoever pushed the tag does not count",
    );

    addComment(world, issue, "rm-rachel", "/signoff looks good");
    const made = await harness.receive(
      "issue_comment",
      commentOn(issue, "/signoff looks good", "rm-rachel"),
    );
    expectBudget(made, update([`PATCH ${P}/issues/500`]));
    expect(recordOf(world).issue.body).toMatch(/\| `sign-off` \| ✅ pass \| 1 of 1 sign-off \|/);
    expect(recordOf(world).issue.body).toContain(
      "@\u2060rm-rachel signed off at 2026-11-26T10:05:00Z: counts (member of team release-managers)",
    );

    // Comments that are not sign-offs, or not on a record, cost nothing.
    expectBudget(
      await harness.receive("issue_comment", commentOn(issue, "nice", "rm-rachel")),
      NOTHING,
    );
  });

  test("checklist ticks: an allowed tick counts, an ineligible one is undone with a note", async () => {
    const world = newWorld();
    const { harness } = await firstPush(world);
    const { issue, checklist } = recordOf(world);
    if (!checklist) throw new Error("no checklist comment");
    const edit = (from: string, to: string, sender: string) =>
      checklistEdit(issue, checklist, from, to, sender);

    const first = checklist.body;
    let next = tick(first, "Communication sent");
    checklist.body = next;
    await harness.receive("issue_comment", edit(first, next, "comms-carl"));
    expect(recordOf(world).checklist?.body).toMatch(
      /^- \[x\] Communication sent — ticked by @comms-carl, 2026-11-26 10:00 UTC/m,
    );

    const second = recordOf(world).checklist?.body ?? "";
    next = tick(second, "Service desk briefed");
    checklist.body = next;
    await harness.receive("issue_comment", edit(second, next, "mallory"));
    const after = recordOf(world).checklist?.body ?? "";
    expect(after).toMatch(/^- \[ \] Service desk briefed/m);
    expect(after).toContain(
      '@\u2060mallory\'s tick on "Service desk briefed" was undone: only members of the service-desk team can tick it.',
    );
    expect(recordOf(world).issue.body).toMatch(
      /\| `readiness` \| ⏳ pending \| 1 of 2 checklist items ticked \|/,
    );
  });

  test("deployments are listed; the record closes when the last environment succeeds, and stays open on a failure", async () => {
    const world = newWorld();
    const { harness } = await firstPush(world);
    world.statuses = [
      { context: "release-policy/staging", state: "success", description: "approved" },
    ];

    const made = await harness.receive("deployment_status", deploymentStatus("staging", "success"));
    // The commit's statuses are read too: the record shows each deployment's decision.
    expectBudget(made, update([`PATCH ${P}/issues/500`], 1));
    let record = recordOf(world).issue;
    expect(record.state).toBe("open");
    expect(record.body).toContain(
      "| staging | 2026-11-26 11:00 UTC | [success](https://github.com/Codertocat/Hello-World/actions/runs/42) | @deployer-dave | none recorded | success: approved |",
    );

    await harness.receive(
      "deployment_status",
      deploymentStatus("production", "failure", "2026-11-26T12:00:00Z"),
    );
    record = recordOf(world).issue;
    expect(record.state).toBe("open");
    expect(record.body).toContain(
      "Deployment failed: production (failure, 2026-11-26 12:00 UTC). The record stays open",
    );

    await harness.receive(
      "deployment_status",
      deploymentStatus("production", "success", "2026-11-26T13:00:00Z"),
    );
    record = recordOf(world).issue;
    expect(record.state).toBe("closed");
    expect(record.state_reason).toBe("completed");
    expect(record.body).toContain(
      "Released: deployed successfully to production at 2026-11-26 13:00 UTC. The record is closed.",
    );
  });

  test("deleting the tag closes the record as not planned; a deleted tag opens no record", async () => {
    const world = newWorld();
    const { harness } = await firstPush(world);
    delete world.tags[TAG];
    await harness.receive("push", tagPush(TAG, { deleted: true, sender: "tagger-tom" }));
    const record = recordOf(world).issue;
    expect(record.state).toBe("closed");
    expect(record.state_reason).toBe("not_planned");
    expect(record.body).toContain("The tag was deleted by @tagger-tom at 2026-11-26 10:00 UTC");

    const other = await harness.receive("push", tagPush("v9.9.9", { deleted: true }));
    expect(other.filter((r) => r.method !== "GET")).toEqual([]);
    expect(world.issues).toHaveLength(1);
  });
});
