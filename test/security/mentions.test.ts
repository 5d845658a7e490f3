// Text people write pings people: a pull request title, a tag, a freeze reason, an environment
// or gate name, a checklist item, a change record's fields carrying "@acme/everyone",
// "@some-user", "<!channel>" or "<at>…</at>" must not mention or notify anyone from any report,
// nor may clipping a long text turn "@some-user" into a mention of "@some-u". Only the people
// the app names on purpose (whom a gate asks to act, logins from GitHub's records) stay live.
import nock from "nock";
import type { GateResult } from "../../src/model/result.js";
import type { DeploymentEvaluation } from "../../src/evaluate/deployment.js";
import type { DeskSnapshot } from "../../src/facts/desk.js";
import { renderCheckRun } from "../../src/report/check-run.js";
import { renderChecklistComment } from "../../src/report/checklist-comment.js";
import { renderDesk } from "../../src/report/desk.js";
import { inline, mention } from "../../src/report/markdown.js";
import { clipText, WORD_JOINER } from "../../src/report/mentions.js";
import { renderMergeGroupCheck, renderUnjudgedMergeGroup } from "../../src/report/merge-group.js";
import {
  deploymentNotice,
  freezeNotice,
  slackMessage,
  teamsMessage,
} from "../../src/report/notification.js";
import { renderNotice, renderProtectionComment } from "../../src/report/protection-comment.js";
import { renderReviewIssue, renderReviewLink } from "../../src/report/review-issue.js";
import { emptyState } from "../../src/checklist/state.js";
import { DESK_NOW, sampleSnapshot } from "../report/desk-fixture.js";
import { cleanNock, createHarness } from "../integration/harness.js";
import {
  newWorld,
  POLICY,
  PR_10,
  PR_11,
  recordOf,
  serve,
  SHA,
} from "../integration/release-world.js";
import { tagPush } from "../integration/release-payloads.js";

/** A long text whose last word is a mention, so a clip cuts through it. */
const LONG = `${"x".repeat(70)} @some-user`;
const HOSTILE = [
  "@acme/everyone",
  "@some-user",
  "<!channel> <!here> <@U123> @channel @here @everyone",
  "<at>x</at>",
  "acme/other#1 and #2",
  LONG,
];
const HOSTILE_TEXT = HOSTILE.join(" ");

/** Code spans, fences and HTML comments mention nobody: left out before looking. */
function outsideCode(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/`[^`\n]*`/g, "");
}

/** Every handle GitHub would mention in `markdown`, lower-cased. */
function liveMentions(markdown: string): string[] {
  const found = outsideCode(markdown).matchAll(/(^|[^\w`])@([A-Za-z0-9-]+(\/[A-Za-z0-9_.-]+)?)/g);
  return [...found].map((m) => (m[2] ?? "").replace(/\.+$/, "").toLowerCase());
}

/** Every issue reference GitHub would link (and leave a "mentioned this" on); not in links. */
function liveReferences(markdown: string): string[] {
  const text = outsideCode(markdown).replace(/\[[^\]]*\]\([^)]*\)/g, "");
  return [...text.matchAll(/(?:[\w.-]+\/[\w.-]+)?#\d+|\bGH-\d+/gi)].map((m) => m[0]);
}

/** Chat markup that pings: Slack's special mentions and Teams' mention tag. */
function chatPings(text: string): string[] {
  return [...text.matchAll(/<[!@][^>]*>|(?<![\w])@(channel|here|everyone)\b|<at>/gi)].map(
    (m) => m[0],
  );
}

const expectOnly = (markdown: string, handles: string[]) =>
  expect([...new Set(liveMentions(markdown))].sort()).toEqual(handles.sort());

const gate = (over: Partial<GateResult> = {}): GateResult => ({
  id: "release-manager",
  stage: "deployment",
  status: "pending",
  reason: "0 of 1 approvals from @rm-rachel or @acme/release-managers",
  fix: "@rm-rachel or @acme/release-managers must approve",
  details: ["@dev-eve approved, but only @rm-rachel count"],
  mentions: ["rm-rachel", "acme/release-managers"],
  ...over,
});
/** A gate whose texts quote what people wrote (a freeze reason, a change record). */
const quoting = (over: Partial<GateResult> = {}): GateResult => ({
  id: `window ${HOSTILE_TEXT}`,
  stage: "deployment",
  status: "fail",
  description: HOSTILE_TEXT,
  reason: `frozen: ${HOSTILE_TEXT}`,
  fix: `change record says ${HOSTILE_TEXT}`,
  details: [HOSTILE_TEXT],
  ...over,
});

describe("the neutraliser", () => {
  it("keeps the text as written, with a word joiner after each @ and #", () => {
    expect(inline("ping @acme/everyone about #12")).toBe(
      `ping @${WORD_JOINER}acme/everyone about #${WORD_JOINER}12`,
    );
    expect(liveMentions(inline(HOSTILE_TEXT))).toEqual([]);
    expect(liveReferences(inline(HOSTILE_TEXT))).toEqual([]);
  });

  it("leaves an e-mail address as written, and still stops a mention after punctuation", () => {
    expect(inline("by B <b@home.example>")).toBe("by B &lt;b@home.example&gt;");
    expect(inline("(@some-user)")).toBe(`(@${WORD_JOINER}some-user)`);
    expect(liveMentions(inline("x*@some-user* _@acme/everyone"))).toEqual([]);
  });

  it("never cuts a live mention into someone else's", () => {
    const cut = clipText("waiting on @acme/release-managers", 22);
    expect(cut).toBe(`waiting on @${WORD_JOINER}acme/rele…`);
    expect(liveMentions(cut)).toEqual([]);
    expect(liveReferences(clipText("see #12345", 8))).toEqual([]);
  });

  it("mentions a whole handle, and names anything else without mentioning", () => {
    expect(mention("rm-rachel")).toBe("@rm-rachel");
    expect(mention("acme/release-managers")).toBe("@acme/release-managers");
    expect(liveMentions(mention("acme/release-man…"))).toEqual([]);
    expect(liveMentions(mention("eve everyone"))).toEqual([]);
  });
});

describe("every renderer mentions only whom the app means to", () => {
  it("the check run", () => {
    const output = renderCheckRun({
      conclusion: "failure",
      changeType: HOSTILE_TEXT,
      gates: [gate(), quoting()],
      problems: [],
      evaluatedAt: "2026-12-02T10:00:00.000Z",
    });
    const all = `${output.title}\n${output.summary}\n${output.text ?? ""}`;
    expectOnly(all, ["rm-rachel", "acme/release-managers"]);
  });

  it("the protection rule's comment and its notices, cut or not", () => {
    const evaluation: DeploymentEvaluation = {
      environment: `production ${HOSTILE_TEXT}`,
      changeType: HOSTILE_TEXT,
      conclusion: "pending",
      gates: [gate(), quoting({ reason: `${"y".repeat(400)} ${HOSTILE_TEXT}` })],
      problems: [],
      evaluatedAt: "2026-12-02T10:00:00.000Z",
      signOffs: [`release-manager: signed off: ${HOSTILE_TEXT}`],
    };
    const comment = renderProtectionComment(evaluation, "waiting", { note: HOSTILE_TEXT });
    expectOnly(comment, ["rm-rachel", "acme/release-managers"]);
    expectOnly(renderNotice("rejected", HOSTILE_TEXT, [HOSTILE_TEXT, LONG]), []);
    // A line cut through the mention at its end leaves no "@some-u".
    const cut = renderProtectionComment(
      { ...evaluation, gates: [quoting({ reason: `${"z".repeat(1200)} @some-user` })] },
      "waiting",
    );
    expectOnly(cut, []);
  });

  it("the checklist comment", () => {
    const body = renderChecklistComment(
      [
        { text: `Tell ${HOSTILE_TEXT}`, gate: "readiness" },
        { text: "Service desk briefed", gate: "readiness", by: { users: ["desk-dan"] } },
      ],
      emptyState(),
      "key",
      [HOSTILE_TEXT],
    );
    expectOnly(body, ["desk-dan"]);
    expect(liveReferences(body)).toEqual([]);
  });

  it("the review issue and its link", () => {
    const { title, body } = renderReviewIssue({
      changeType: HOSTILE_TEXT,
      pull: {
        number: 21,
        title: HOSTILE_TEXT,
        url: "https://github.com/a/b/pull/21",
        author: "dev-eve",
      },
      environment: HOSTILE_TEXT,
      deployment: { id: 60, sha: "abcdef0123456789", at: "2026-03-10T12:34:56Z" },
      approvals: [{ user: "rm-rachel", at: "2026-03-10T12:00:00Z", via: "review" }],
      checklist: [HOSTILE_TEXT],
    });
    // The author and the approvers are asked to review: they stay mentioned.
    expectOnly(body, ["dev-eve", "rm-rachel"]);
    expect(liveReferences(body)).toEqual(["#21"]);
    expectOnly(title, []);
    expect(liveReferences(title)).toEqual(["#21"]);
    const link = renderReviewLink(100, HOSTILE_TEXT, HOSTILE_TEXT);
    expectOnly(link, []);
    expect(liveReferences(link)).toEqual(["#100"]);
  });

  it("the merge group's check", () => {
    const output = renderMergeGroupCheck({
      conclusion: "failure",
      pulls: [
        { number: 7, url: "https://github.com/a/b/pull/7", passed: false, reason: HOSTILE_TEXT },
      ],
      problem: HOSTILE_TEXT,
    });
    expectOnly(output.summary, []);
    expectOnly(renderUnjudgedMergeGroup(HOSTILE_TEXT).summary, []);
  });

  it("the release desk, clipped cells included", () => {
    const sample = sampleSnapshot();
    const snapshot: DeskSnapshot = {
      ...sample,
      holds: [
        ...sample.holds,
        {
          repo: "acme/x",
          environment: LONG,
          sha: LONG,
          pullRequests: [],
          since: "2026-12-02T10:00:00Z",
          waitsFor: [
            // A team name too long for its cell: cut, it would name another team.
            { kind: "approval", by: [`acme/${"r".repeat(70)}`] },
            { kind: "freeze", until: "2026-12-04T00:00:00Z", reason: HOSTILE_TEXT },
            { kind: "change-record", id: HOSTILE_TEXT, state: LONG },
            { kind: "gate", gate: LONG, reason: HOSTILE_TEXT },
          ],
          reviewUrl: "https://github.com/acme/x/actions/runs/1",
        },
      ],
      releases: [
        {
          repo: "acme/x",
          tag: LONG,
          gates: [{ name: HOSTILE_TEXT, status: "pending" }],
          recordUrl: "https://github.com/acme/x/issues/1",
        },
      ],
    };
    const { body } = renderDesk(snapshot, DESK_NOW);
    // The sample's own approvers, asked for and recorded, stay mentioned.
    expectOnly(body, ["acme/release-managers", "carol", "dave"]);
    expect(liveReferences(body)).toEqual([]);
  });

  it("the Slack and Teams messages", () => {
    const held = deploymentNotice({
      kind: "rejected",
      repo: "acme/shop",
      environment: HOSTILE_TEXT,
      sha: "a".repeat(40),
      runId: 1,
      webBase: "https://github.com",
      pulls: [{ number: 7, title: HOSTILE_TEXT, url: "https://github.com/acme/shop/pull/7" }],
      gates: [quoting()],
      waitingOn: [HOSTILE_TEXT],
      approvers: ["everyone"],
      rejectedBy: "here",
      at: "2026-03-10T12:00:00Z",
    });
    const freeze = freezeNotice({
      kind: "freeze-started",
      environment: HOSTILE_TEXT,
      repos: ["acme/shop"],
      gate: HOSTILE_TEXT,
      reason: HOSTILE_TEXT,
      until: "2026-03-11T00:00:00Z",
      text: HOSTILE_TEXT,
      at: "2026-03-10T12:00:00Z",
    });
    for (const notice of [held, freeze]) {
      const slack = texts(slackMessage(notice));
      const teams = texts(teamsMessage(notice));
      expect(chatPings(slack)).toEqual([]);
      expect(chatPings(teams)).toEqual([]);
      expect(liveMentions(slack)).toEqual([]);
      expect(liveMentions(teams)).toEqual([]);
    }
  });
});

/** Every string in a message, one per line. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}
const texts = (message: unknown): string => strings(message).join("\n");

describe("a release record written through the app", () => {
  beforeEach(cleanNock);
  afterAll(() => nock.restore());

  it("shows a pull request titled 'Fix @acme/everyone' without mentioning anyone by it", async () => {
    const world = newWorld({
      // The sign-off gate asks rm-rachel by name: that mention is the app's own.
      policy: POLICY.replace(
        "from: { teams: [release-managers] }",
        "from: { users: [rm-rachel], teams: [release-managers] }",
      ).replace("- Communication sent", `- "Communication sent to @acme/everyone"`),
      history: [
        { sha: "2".repeat(40), parent: "0".repeat(40), message: "Merge #10", pull: PR_10 },
        {
          sha: SHA,
          parent: "2".repeat(40),
          message: "Fix (#11)",
          pull: { ...PR_11, title: `Fix @acme/everyone and acme/other#1 ${LONG}` },
        },
      ],
    });
    const harness = await createHarness();
    serve(world);
    await harness.receive("push", tagPush());
    const { issue, checklist } = recordOf(world);
    expect(issue.body).toContain(`Fix @${WORD_JOINER}acme/everyone`);
    // Authors, the pusher, the release's author and whom the sign-off asks for; nobody else.
    expectOnly(issue.body, ["dev-dana", "dev-eve", "tagger-tom", "rel-rita", "rm-rachel"]);
    expect(liveReferences(issue.body)).toEqual([]);
    expectOnly(checklist?.body ?? "", []);
  });
});
