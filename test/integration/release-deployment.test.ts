// A deployment of a release's tagged commit is held until the release's gates hold: the
// protection rule and the release record judge with the same evaluation. A tick or sign-off
// that makes the release's gates hold releases the held job.
import nock from "nock";
import { cleanNock, createHarness, expectBudget, REPO_PATH, TOKEN_REQUEST } from "./harness.js";
import {
  addComment,
  newWorld,
  PR_10,
  PR_11,
  MID_SHA,
  recordOf,
  serve,
  SHA,
  type World,
} from "./release-world.js";
import {
  checklistEdit,
  commentOn,
  protectionRequested,
  tagPush,
  tick,
} from "./release-payloads.js";

beforeEach(cleanNock);
afterAll(() => nock.restore());

const P = REPO_PATH;

async function released(world: World) {
  const harness = await createHarness();
  serve(world);
  await harness.receive("push", tagPush());
  return harness;
}

describe("deploying a release's commit", () => {
  test("is held until the release's gates hold, then approved by the sign-off that completes them", async () => {
    const world = newWorld();
    const harness = await released(world);

    const made = await harness.receive(
      "deployment_protection_rule",
      protectionRequested("staging"),
    );
    // The release is known by its commit: no listing; its range and teams are cached.
    expectBudget(made, {
      reads: {
        atMost: 6,
        excludes: [
          `GET ${P}/issues`,
          `GET ${P}/compare/${"0".repeat(40)}...${SHA}`,
          `GET /orgs/Codertocat/teams/service-desk/members`,
          `GET /orgs/Codertocat/teams/release-managers/members`,
        ],
      },
      writes: [`POST ${P}/actions/runs/42/deployment_protection_rule`],
    });
    expect(world.answers).toHaveLength(1);
    expect(world.answers[0]?.state).toBeUndefined();
    expect(world.answers[0]?.comment).toContain(
      "⏳ release: release v1.1.0: readiness 0 of 2 checklist items ticked; sign-off 0 of 1 sign-off",
    );

    // The checklist is ticked by the people the policy names.
    const { issue, checklist } = recordOf(world);
    if (!checklist) throw new Error("no checklist comment");
    const edits: [string, string][] = [
      ["Communication sent", "comms-carl"],
      ["Service desk briefed", "desk-dan"],
    ];
    for (const [text, who] of edits) {
      const from = recordOf(world).checklist?.body ?? "";
      checklist.body = tick(from, text);
      await harness.receive(
        "issue_comment",
        checklistEdit(issue, checklist, from, checklist.body, who),
      );
    }
    expect(world.answers.filter((a) => a.state !== undefined)).toEqual([]);

    // The sign-off completes the release: the held job is approved at once.
    addComment(world, issue, "rm-rachel", "/signoff");
    const signed = await harness.receive(
      "issue_comment",
      commentOn(issue, "/signoff", "rm-rachel"),
    );
    expect(world.answers.at(-1)).toMatchObject({ environment_name: "staging", state: "approved" });
    // The held job reuses the release the event just judged: its facts are read once.
    const releaseReads = signed.filter((r) => r.path === `${P}/releases/tags/v1.1.0`);
    expect(releaseReads).toHaveLength(1);
    expect(world.answers.at(-1)?.comment).toContain(
      "Release Policy approved staging: 1 of 1 gate passes",
    );
    expect(recordOf(world).issue.body).toContain("✅ every release gate holds (5 of 5)");
  });

  test("is rejected while the release includes a non-compliant change", async () => {
    const world = newWorld();
    world.history = [
      {
        sha: MID_SHA,
        parent: "0".repeat(40),
        message: "Merge #10",
        pull: { ...PR_10, check: "failure" },
      },
      { sha: SHA, parent: MID_SHA, message: "Fix checkout (#11)", pull: PR_11 },
    ];
    const harness = await released(world);
    await harness.receive("deployment_protection_rule", protectionRequested("staging"));
    expect(world.answers).toEqual([
      expect.objectContaining({
        state: "rejected",
        comment: expect.stringContaining("#10 was merged with release-policy failure"),
      }),
    ]);
  });

  test("before its record exists, the deployment's tag ref still ties it to the release", async () => {
    const world = newWorld();
    const harness = await createHarness();
    serve(world);
    const made = await harness.receive(
      "deployment_protection_rule",
      protectionRequested("staging"),
    );
    expect(made.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([TOKEN_REQUEST, `GET ${P}/git/ref/tags%2Fv1.1.0`]),
    );
    expect(world.answers).toHaveLength(1);
    expect(world.answers[0]?.state).toBeUndefined();
    expect(world.issues).toEqual([]);
  });

  test("a commit that is no release's is judged by the deployment gates alone", async () => {
    const world = newWorld();
    const harness = await createHarness();
    serve(world);
    const made = await harness.receive(
      "deployment_protection_rule",
      protectionRequested("staging", "master"),
    );
    expectBudget(made, {
      reads: {
        atMost: 3,
        // The repository belongs to a personal account: no organization's base to read.
        excludes: [`GET /repos/Codertocat/.github/contents/.github%2Frelease-policy.yml`],
      },
      writes: [`POST ${P}/actions/runs/42/deployment_protection_rule`, `POST ${P}/statuses/${SHA}`],
    });
    expect(world.answers).toEqual([expect.objectContaining({ state: "approved" })]);
  });
});
