// The checklist comment end to end: created once, ticks judged against who may tick,
// the app's own edits ignored, tampering and restarts handled. Requests are counted.
import nock from "nock";
import {
  api,
  API,
  APP_ID,
  bodyOf,
  cleanNock,
  contents,
  createHarness,
  example,
  expectBudget,
  github,
  listedCheckRun,
  NOTHING,
  OWNER,
  POLICY_URL,
  REPO,
  REPO_PATH,
  type Harness,
  HEAD,
  RUNS,
  OWN_RUNS,
  POLICY_AT_HEAD,
  PULL,
  CREATE_RUN,
  UPDATE_RUN,
} from "./harness.js";

const COMMENT_ID = 9001;
const COMMENTS = `${REPO_PATH}/issues/2/comments?per_page=100`;
const TEAM_DESK = `/orgs/${OWNER}/teams/service-desk/members?per_page=100`;
const CREATE_COMMENT = `POST ${REPO_PATH}/issues/2/comments`;
const UPDATE_COMMENT = `PATCH ${REPO_PATH}/issues/comments/${COMMENT_ID}`;
const COMMENT_PATH = `${REPO_PATH}/issues/comments/${COMMENT_ID}`;
/** The re-read before a rewrite: GitHub has no conditional write. */
const READ_COMMENT = `GET ${COMMENT_PATH}`;
/** Any check-run listing of the head. */
const HEAD_RUNS = `${REPO_PATH}/commits/${HEAD}/check-runs`;

const POLICY = `gates:
  rollback:
    stage: pull_request
    require:
      checklist:
        - { text: Rollback plan documented, by: { users: [alice] } }
  service-desk:
    stage: pull_request
    require:
      checklist:
        - { text: Service desk briefed, by: { teams: [service-desk] } }
`;
const DESK_MEMBERS = [{ login: "desk-dan" }];
const ROLLBACK = "Rollback plan documented";
const DESK = "Service desk briefed";

beforeEach(cleanNock);
afterAll(() => nock.restore());

const pullRequest = () => example("pull_request", "opened").pull_request as object;

/** The comment as GitHub shows it when the app re-reads it before a rewrite. */
const shownAs = (body: string) => ({ id: COMMENT_ID, body, updated_at: "2026-11-26T10:00:00Z" });

/** The comment body with the box of `text` set as a person would set it. */
function toggle(body: string, text: string, checked = true): string {
  return body
    .split("\n")
    .map((line) =>
      line.includes(text) ? line.replace(/^- \[[ x]\]/, checked ? "- [x]" : "- [ ]") : line,
    )
    .join("\n");
}

/** A person's (or the app's) edit of the checklist comment, from `from` to `body`. */
function edited(body: string, from: string, sender: string, type = "User") {
  const payload = example("issue_comment", "edited");
  const issue = payload.issue as Record<string, unknown>;
  const comment = payload.comment as Record<string, unknown>;
  Object.assign(issue, {
    number: 2,
    pull_request: { url: `${API}${PULL}`, html_url: "https://github.com/o/r/pull/2" },
  });
  Object.assign(comment, {
    id: COMMENT_ID,
    body,
    user: { login: "release-policy[bot]", type: "Bot" },
    performed_via_github_app: { id: APP_ID, slug: "release-policy", name: "Release Policy" },
  });
  payload.changes = { body: { from } };
  payload.sender = { login: sender, type };
  return payload;
}

/**
 * A new app over the same store whose memory of the comment expired: only the record of what
 * it wrote last is left to vouch for the body GitHub shows.
 */
async function restartedOver(first: Harness): Promise<Harness> {
  await first.store.delete(`checklist-comment:${OWNER}/${REPO}#2`.toLowerCase());
  return createHarness({ store: first.store });
}

/** What the pull request shows: the app's check run and checklist comment, as written. */
interface Shown {
  run: Record<string, unknown>;
  comment: string;
}

/** Opens the pull request: one check run and one checklist comment are created. */
async function open(harness: Harness): Promise<Shown> {
  const scope = github()
    .get(POLICY_URL)
    .reply(200, contents(POLICY))
    .get(COMMENTS)
    .reply(200, [
      // Someone else's comment carrying the marker is not the checklist.
      { id: 5, body: "<!-- release-policy:checklist -->", performed_via_github_app: null },
    ])
    .get(RUNS)
    .reply(200, { total_count: 0, check_runs: [] })
    .get(TEAM_DESK)
    .reply(200, DESK_MEMBERS)
    .get(POLICY_AT_HEAD)
    .reply(200, contents(POLICY))
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id: 1 })
    .post(`${REPO_PATH}/issues/2/comments`)
    .reply(201, { id: COMMENT_ID });
  const made = await harness.receive("pull_request", example("pull_request", "opened"));
  expect(scope.pendingMocks()).toEqual([]);
  expectBudget(made, { reads: { atMost: 6 }, writes: [CREATE_RUN, CREATE_COMMENT] });
  return {
    run: bodyOf(made, CREATE_RUN),
    comment: bodyOf(made, CREATE_COMMENT).body as string,
  };
}

/** Alice ticks the rollback item: recorded, the comment rewritten, the check updated. */
async function aliceTicks(harness: Harness, shown: Shown): Promise<Shown> {
  const ticked = toggle(shown.comment, ROLLBACK);
  const scope = api()
    .get(COMMENT_PATH)
    .reply(200, shownAs(ticked))
    .patch(`${REPO_PATH}/issues/comments/${COMMENT_ID}`)
    .reply(200, { id: COMMENT_ID })
    .patch(`${REPO_PATH}/check-runs/1`)
    .reply(200, { id: 1 });
  const made = await harness.receive("issue_comment", edited(ticked, shown.comment, "alice"));
  expect(scope.pendingMocks()).toEqual([]);
  // A tick changes no fact read from GitHub: the pull request is as the opened event showed
  // it, the check runs are kept, the team was read a moment ago, the head's policy file was
  // judged already. Only the writes remain, and the comment's re-read before its rewrite.
  expectBudget(made, {
    reads: {
      atMost: 1,
      includes: [READ_COMMENT],
      excludes: [`GET ${PULL}`, `GET ${HEAD_RUNS}`, `GET ${TEAM_DESK}`, `GET ${POLICY_URL}`],
    },
    writes: [UPDATE_COMMENT, UPDATE_RUN],
  });
  return {
    run: { ...bodyOf(made, UPDATE_RUN), head_sha: HEAD },
    comment: bodyOf(made, UPDATE_COMMENT).body as string,
  };
}

const row = (summary: string, gate: string) =>
  summary.split("\n").find((line) => line.startsWith(`| **${gate}**`)) ?? "";

describe("the checklist comment", () => {
  test("the first evaluation creates exactly one comment with every item", async () => {
    const harness = await createHarness();
    const { run, comment } = await open(harness);

    expect(comment).toContain("<!-- release-policy:checklist -->");
    expect(comment).toMatch(/^- \[ \] Rollback plan documented \(only @alice can tick this\)/m);
    expect(comment).toMatch(
      /^- \[ \] Service desk briefed \(only members of the service-desk team can tick this\)/m,
    );
    expect(comment).toMatch(/<!-- release-policy:state [A-Za-z0-9_-]+ [0-9a-f]{64} -->/);
    expect(run).toMatchObject({
      status: "in_progress",
      output: { title: "0 of 2 gates pass · waiting on 2" },
    });
  });

  test("an authorized tick is recorded and its gate passes", async () => {
    const harness = await createHarness();
    const after = await aliceTicks(harness, await open(harness));

    expect(after.comment).toMatch(
      /^- \[x\] Rollback plan documented — ticked by @alice, 2026-11-26 10:00 UTC <!-- item:[0-9a-f]{10} -->$/m,
    );
    const summary = (after.run.output as { summary: string }).summary;
    expect(row(summary, "rollback")).toContain("✅ pass");
    expect(row(summary, "service-desk")).toContain("⏳ pending");
    expect(after.run).toMatchObject({ status: "in_progress" });
  });

  test("an unauthorized tick is undone with a note; the check does not change", async () => {
    const harness = await createHarness();
    const shown = await aliceTicks(harness, await open(harness));
    harness.clock.now = new Date("2026-11-26T10:02:00Z"); // the team's members are read again
    const scope = api()
      .get(TEAM_DESK)
      .reply(200, DESK_MEMBERS)
      .get(COMMENT_PATH)
      .reply(200, shownAs(toggle(shown.comment, DESK)))
      .patch(`${REPO_PATH}/issues/comments/${COMMENT_ID}`)
      .reply(200, { id: COMMENT_ID });

    const made = await harness.receive(
      "issue_comment",
      edited(toggle(shown.comment, DESK), shown.comment, "mallory"),
    );

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, {
      reads: { atMost: 2, includes: [`GET ${TEAM_DESK}`] },
      writes: [UPDATE_COMMENT],
    });
    const comment = bodyOf(made, UPDATE_COMMENT).body as string;
    expect(comment).toMatch(/^- \[ \] Service desk briefed \(only members/m);
    expect(comment).toContain('@\u2060mallory\'s tick on "Service desk briefed" was undone');
    expect(comment).toMatch(/^- \[x\] Rollback plan documented — ticked by @alice/m);
  });

  test("the app's own edit echoing back costs nothing", async () => {
    const harness = await createHarness();
    const shown = await aliceTicks(harness, await open(harness));

    const echo = edited(
      shown.comment,
      toggle(shown.comment, ROLLBACK, false),
      "release-policy[bot]",
      "Bot",
    );

    expectBudget(await harness.receive("issue_comment", echo), NOTHING);
  });

  test("a hand-edited state block is replaced by the trusted one: a forged tick never counts", async () => {
    const harness = await createHarness();
    const shown = await aliceTicks(harness, await open(harness));
    const forged = forgeState(shown.comment);
    const scope = api()
      .get(COMMENT_PATH)
      .reply(200, shownAs(forged))
      .patch(`${REPO_PATH}/issues/comments/${COMMENT_ID}`)
      .reply(200, { id: COMMENT_ID });

    const made = await harness.receive("issue_comment", edited(forged, shown.comment, "mallory"));

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, { reads: { atMost: 1 }, writes: [UPDATE_COMMENT] });
    const comment = bodyOf(made, UPDATE_COMMENT).body as string;
    expect(stateBlock(comment)).toBe(stateBlock(shown.comment));
    expect(comment).toMatch(/^- \[ \] Service desk briefed \(only members/m);
    expect(comment).toContain('@\u2060mallory\'s tick on "Service desk briefed" was undone');
  });

  test("once the app's memory of the comment expired, a tick is judged against the previous body the webhook reports", async () => {
    const first = await createHarness();
    const shown = await aliceTicks(first, await open(first));
    cleanNock();
    const harness = await restartedOver(first); // the memory of the comment is gone
    const scope = github()
      // The policy, the team, the pull request, its checks and the verdict on its copy of the
      // policy are still kept in the store.
      .get(COMMENT_PATH)
      .reply(200, shownAs(toggle(shown.comment, DESK)))
      .patch(`${REPO_PATH}/issues/comments/${COMMENT_ID}`)
      .reply(200, { id: COMMENT_ID })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });

    const made = await harness.receive(
      "issue_comment",
      edited(toggle(shown.comment, DESK), shown.comment, "desk-dan"),
      "after-expiry",
    );

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, { reads: { atMost: 7 }, writes: [UPDATE_COMMENT, UPDATE_RUN] });
    const comment = bodyOf(made, UPDATE_COMMENT).body as string;
    expect(comment).toMatch(/^- \[x\] Service desk briefed — ticked by @desk-dan/m);
    expect(comment).toMatch(/^- \[x\] Rollback plan documented — ticked by @alice/m);
    expect(bodyOf(made, UPDATE_RUN)).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "All 2 gates pass" },
    });
  });

  test("once the app's memory of the comment expired, an edit that toggles nothing keeps every tick", async () => {
    const first = await createHarness();
    const shown = await aliceTicks(first, await open(first));
    cleanNock();
    const harness = await restartedOver(first);
    const scope = github()
      // The policy, the team, the pull request, its checks and the verdict on its copy of the
      // policy are still kept in the store.
      .get(COMMENT_PATH)
      .reply(200, shownAs(`${shown.comment}\nLooks good to me`))
      .patch(`${REPO_PATH}/issues/comments/${COMMENT_ID}`)
      .reply(200, { id: COMMENT_ID });

    const made = await harness.receive(
      "issue_comment",
      edited(`${shown.comment}\nLooks good to me`, shown.comment, "bob"),
      "after-expiry",
    );

    expect(scope.pendingMocks()).toEqual([]);
    // The words are dropped again; the check shows what it showed.
    expectBudget(made, { reads: { atMost: 7 }, writes: [UPDATE_COMMENT] });
    expect(bodyOf(made, UPDATE_COMMENT).body).toBe(shown.comment);
  });

  test("a comment deleted by hand is written anew, its ticks kept, when it next changes", async () => {
    const harness = await createHarness();
    await aliceTicks(harness, await open(harness));
    const more = `${POLICY}  training:
    stage: pull_request
    require: { checklist: [Users trained] }
`;
    const scope = api()
      .get(`${REPO_PATH}/pulls?state=open&per_page=100`)
      .reply(200, [pullRequest()])
      .get(POLICY_URL)
      .reply(200, contents(more, "policysha2"))
      .get(COMMENT_PATH)
      .reply(404, { message: "Not Found" })
      .post(`${REPO_PATH}/issues/2/comments`)
      .reply(201, { id: COMMENT_ID + 1 })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });
    const pushed = example("push", undefined);
    pushed.ref = "refs/heads/master";
    const commit = (pushed.commits as object[])[0];
    pushed.commits = [{ ...commit, added: [], modified: [".github/release-policy.yml"] }];

    const made = await harness.receive("push", pushed);

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, { reads: { atMost: 3 }, writes: [CREATE_COMMENT, UPDATE_RUN] });
    const comment = bodyOf(made, CREATE_COMMENT).body as string;
    expect(comment).toMatch(/^- \[x\] Rollback plan documented — ticked by @alice/m);
    expect(comment).toMatch(/^- \[ \] Users trained <!-- item:/m);
  });

  test("a GitHub error fails the check but leaves the ticks alone", async () => {
    const harness = await createHarness();
    const shown = await aliceTicks(harness, await open(harness));
    const scope = api()
      .get(RUNS)
      .reply(502, { message: "Bad Gateway" })
      .get(OWN_RUNS)
      .reply(200, { total_count: 1, check_runs: [listedCheckRun(1, shown.run)] })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });

    const made = await harness.receive("pull_request", example("pull_request", "synchronize"));

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, { reads: { atMost: 2 }, writes: [UPDATE_RUN] });
    expect(bodyOf(made, UPDATE_RUN)).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Blocked: 1 gate could not be evaluated" },
    });
  });

  test("a tampered state block the app cannot vouch for resets every box, with a note", async () => {
    const first = await createHarness();
    const shown = await aliceTicks(first, await open(first));
    cleanNock();
    // After a restart the app remembers nothing; the webhook's previous body was tampered with.
    const harness = await createHarness();
    const tampered = forgeState(shown.comment);
    const scope = github()
      .get(POLICY_URL)
      .reply(200, contents(POLICY))
      .get(TEAM_DESK)
      .reply(200, DESK_MEMBERS)
      .get(PULL)
      .reply(200, pullRequest())
      .get(RUNS)
      .reply(200, { total_count: 1, check_runs: [listedCheckRun(1, shown.run)] })
      .get(POLICY_AT_HEAD)
      .reply(200, contents(POLICY))
      .get(COMMENT_PATH)
      .reply(200, shownAs(`${tampered}\nthanks!`))
      .patch(`${REPO_PATH}/issues/comments/${COMMENT_ID}`)
      .reply(200, { id: COMMENT_ID })
      .patch(`${REPO_PATH}/check-runs/1`)
      .reply(200, { id: 1 });

    const made = await harness.receive(
      "issue_comment",
      edited(`${tampered}\nthanks!`, tampered, "mallory"),
    );

    expect(scope.pendingMocks()).toEqual([]);
    expectBudget(made, { reads: { atMost: 7 }, writes: [UPDATE_COMMENT, UPDATE_RUN] });
    const comment = bodyOf(made, UPDATE_COMMENT).body as string;
    expect(comment).toMatch(/^- \[ \] Rollback plan documented/m);
    expect(comment).toMatch(/^- \[ \] Service desk briefed/m);
    expect(comment).toContain("could not be trusted and every box was reset");
    const summary = (bodyOf(made, UPDATE_RUN).output as { summary: string }).summary;
    expect(row(summary, "rollback")).toContain("⏳ pending");
  });
});

const stateBlock = (body: string) => /<!-- release-policy:state [^>]* -->/.exec(body)?.[0];

/** The body with its state block rewritten by hand: it claims both items, unsigned. */
function forgeState(body: string): string {
  const state = {
    v: 1,
    ticks: {
      [DESK]: { checked: true, by: "desk-dan", at: "2026-11-26T09:00:00.000Z" },
      [ROLLBACK]: { checked: true, by: "alice", at: "2026-11-26T09:00:00.000Z" },
    },
  };
  const payload = Buffer.from(JSON.stringify(state)).toString("base64url");
  return toggle(body, DESK).replace(
    /<!-- release-policy:state [A-Za-z0-9_-]+ [0-9a-f]{64} -->/,
    `<!-- release-policy:state ${payload} ${"0".repeat(64)} -->`,
  );
}
