// The Slack and Teams messages: what each says, how user text is escaped, and their bounds;
// and that docs/notifications.md shows what the app sends.
import { readFileSync } from "node:fs";
import type { GateResult } from "../../src/model/result.js";
import {
  deploymentNotice,
  freezeNotice,
  NOTICE_GATES,
  slackMessage,
  teamsMessage,
  type DeploymentNoticeInput,
} from "../../src/report/notification.js";

const gate = (id: string, status: GateResult["status"], reason: string): GateResult => ({
  id,
  stage: "deployment",
  status,
  reason,
});

const HELD: DeploymentNoticeInput = {
  kind: "held",
  repo: "acme/shop",
  environment: "production",
  sha: "abcdef0123456789abcdef0123456789abcdef01",
  runId: 42,
  webBase: "https://github.com",
  pulls: [{ number: 7, title: "Ship the thing", url: "https://github.com/acme/shop/pull/7" }],
  gates: [
    gate("release-manager", "pending", "0 of 1 deployment approvals"),
    gate("window", "pass", "Inside the deployment window"),
    gate("emergency-only", "skipped", "not an emergency"),
  ],
  waitingOn: ["release-manager"],
  at: "2026-03-10T12:00:00.000Z",
};

/** Every text the Slack blocks carry, joined. */
const slackText = (input: DeploymentNoticeInput) =>
  JSON.stringify(slackMessage(deploymentNotice(input)));

describe("deployment notices", () => {
  it("a held deployment: what waits, on whom, and the link to review it", () => {
    const message = slackMessage(deploymentNotice(HELD));
    expect(message.text).toBe(
      "acme/shop: deployment to production held, waiting on release-manager",
    );
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: message.text },
    });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain("*Repository*\\n<https://github.com/acme/shop|acme/shop>");
    expect(text).toContain(
      "*Commit*\\n<https://github.com/acme/shop/commit/abcdef0123456789abcdef0123456789abcdef01|abcdef0>",
    );
    expect(text).toContain("<https://github.com/acme/shop/pull/7|#7 Ship the thing>");
    expect(text).toContain(
      ":hourglass_flowing_sand: *release-manager* (waiting): 0 of 1 deployment approvals",
    );
    expect(text).toContain(":white_check_mark: *window* (passed)");
    // Skipped gates are left out; the run's link closes the message.
    expect(text).not.toContain("emergency-only");
    expect(message.blocks.at(-1)).toEqual({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "<https://github.com/acme/shop/actions/runs/42|Review the deployment>",
        },
      ],
    });
  });

  it("approved and rejected say who and since when", () => {
    const approved = slackText({
      ...HELD,
      kind: "approved",
      approvers: ["rm1", "rm2"],
      heldSince: "2026-03-10T11:00:00.000Z",
    });
    expect(approved).toContain('"text":"acme/shop: deployment to production approved"');
    // Chat messages mention nobody: a GitHub login means nothing to Slack.
    expect(approved).toContain("*Approved by*\\n@\u2060rm1, @\u2060rm2");
    expect(approved).toContain("*Held since*\\n2026-03-10 11:00 UTC");
    expect(approved).toContain("*Decided at*\\n2026-03-10 12:00 UTC");
    expect(approved).toContain("Open the workflow run");

    const unread: DeploymentNoticeInput = {
      ...HELD,
      kind: "rejected",
      rejectedBy: "rm1",
      gates: [],
    };
    delete unread.pulls;
    const rejected = slackText(unread);
    expect(rejected).toContain("@\u2060rm1 rejected it in GitHub's deployment review.");
    expect(rejected).toContain("*Rejected by*\\n@\u2060rm1");
    // GitHub's review is heard without judging: the pull requests were not read, not none.
    expect(rejected).not.toContain("Pull requests");
    const unjudged = slackText({ ...HELD, kind: "rejected", gates: [] });
    expect(unjudged).toContain("the status comment on the run says why");

    const advisory = slackText({ ...HELD, kind: "approved", advisory: true });
    expect(advisory).toContain("approved (advisory policy)");
  });

  it("escapes Slack's markup in user text, so a title cannot ping a channel or forge a link", () => {
    const text = slackText({
      ...HELD,
      pulls: [
        {
          number: 8,
          title: "<!channel> fix & <https://evil.example|click>",
          url: "https://github.com/acme/shop/pull/8",
        },
      ],
    });
    expect(text).toContain("#8 &lt;!channel&gt; fix &amp; &lt;https://evil.example¦click&gt;");
    expect(text).not.toContain("<!channel>");
  });

  it("lists at most 10 gates and 5 pull requests, and says how many more", () => {
    const gates = Array.from({ length: NOTICE_GATES + 3 }, (_, i) =>
      gate(`g${i}`, "pending", "waits"),
    );
    const pulls = Array.from({ length: 8 }, (_, i) => ({
      number: i + 1,
      title: `PR ${i + 1}`,
      url: `https://github.com/acme/shop/pull/${i + 1}`,
    }));
    const text = slackText({ ...HELD, gates, pulls });
    expect(text).toContain("*g9*");
    expect(text).not.toContain("*g10*");
    expect(text).toContain("and 3 more on the run");
    expect(text).toContain("#5 PR 5");
    expect(text).not.toContain("#6 PR 6");
    expect(text).toContain("and 3 more");
  });

  it("keeps the header under Slack's 150 characters", () => {
    const long = slackMessage(deploymentNotice({ ...HELD, environment: "e".repeat(200) }));
    const header = long.blocks[0] as { text: { text: string } };
    expect(header.text.text).toHaveLength(150);
    expect(header.text.text.endsWith("…")).toBe(true);
  });

  it("on GitHub Enterprise, links go to its host", () => {
    expect(slackText({ ...HELD, webBase: "https://ghe.example.com" })).toContain(
      "https://ghe.example.com/acme/shop/actions/runs/42",
    );
  });
});

describe("Teams", () => {
  it("is an Adaptive Card in a message, with facts and a button to the run", () => {
    const message = teamsMessage(deploymentNotice(HELD));
    expect(message.type).toBe("message");
    expect(message.attachments).toHaveLength(1);
    const attachment = message.attachments[0];
    expect(attachment?.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(attachment?.contentUrl).toBeNull();
    const card = attachment?.content as {
      type: string;
      version: string;
      body: Record<string, unknown>[];
      actions: Record<string, unknown>[];
    };
    expect(card.type).toBe("AdaptiveCard");
    expect(card.version).toBe("1.4");
    expect(card.body[0]).toMatchObject({
      type: "TextBlock",
      text: "acme/shop: deployment to production held, waiting on release-manager",
      color: "Warning",
    });
    expect(card.body[2]).toMatchObject({ type: "FactSet" });
    expect(JSON.stringify(card.body[2])).toContain(
      '"value":"[#7 Ship the thing](https://github.com/acme/shop/pull/7)"',
    );
    expect(card.actions).toEqual([
      {
        type: "Action.OpenUrl",
        title: "Review the deployment",
        url: "https://github.com/acme/shop/actions/runs/42",
      },
    ]);
  });

  it("shows Markdown in user text as written", () => {
    const message = teamsMessage(
      deploymentNotice({
        ...HELD,
        pulls: [
          {
            number: 9,
            title: "[click](https://evil.example) *now*",
            url: "https://github.com/acme/shop/pull/9",
          },
        ],
      }),
    );
    expect(JSON.stringify(message)).toContain(
      "[#9 \\\\[click\\\\](https://evil.example) \\\\*now\\\\*](https://github.com/acme/shop/pull/9)",
    );
  });

  it("colours approvals green and rejections red", () => {
    const colour = (kind: DeploymentNoticeInput["kind"]) =>
      (
        teamsMessage(deploymentNotice({ ...HELD, kind })).attachments[0]?.content.body as {
          color?: string;
        }[]
      )[0]?.color;
    expect([colour("approved"), colour("rejected")]).toEqual(["Good", "Attention"]);
  });
});

describe("freeze notices", () => {
  const input = {
    kind: "freeze-started" as const,
    environment: "production",
    repos: ["acme/api", "acme/shop"],
    gate: "production-window",
    reason: "Year-end freeze",
    until: "2027-01-04T23:00:00.000Z",
    text: "Year-end freeze until 4 Jan 2027 23:59 CET",
    at: "2026-12-19T23:00:30.000Z",
  };

  it("says which freeze started, until when, and which repositories it holds", () => {
    const message = slackMessage(freezeNotice(input));
    expect(message.text).toBe("Year-end freeze started on production");
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(
      "Year-end freeze until 4 Jan 2027 23:59 CET. Deployments to production wait",
    );
    expect(text).toContain("*Repositories*\\nacme/api, acme/shop");
    expect(text).toContain("*Frozen until*\\n2027-01-04 23:00 UTC");
  });

  it("says when it ended, and names a reason that does not say freeze", () => {
    const message = slackMessage(
      freezeNotice({ ...input, kind: "freeze-ended", reason: "Black Friday" }),
    );
    expect(message.text).toBe("Black Friday freeze ended on production");
    expect(JSON.stringify(message.blocks)).toContain("*Ended at*\\n2026-12-19 23:00 UTC");
    expect(
      (teamsMessage(freezeNotice(input)).attachments[0]?.content.body as { color?: string }[])[0]
        ?.color,
    ).toBe("Warning");
  });
});

describe("docs/notifications.md", () => {
  it("shows the Slack message the app renders for its sample", () => {
    const docs = readFileSync(new URL("../../docs/notifications.md", import.meta.url), "utf8");
    const shown = /### What Slack receives[\s\S]*?```json\n([\s\S]*?)\n```/.exec(docs)?.[1];
    const sample = deploymentNotice({
      kind: "held",
      repo: "acme/shop",
      environment: "production",
      sha: "3f1c2d9e8b7a6f5e4d3c2b1a09f8e7d6c5b4a392",
      runId: 9001,
      webBase: "https://github.com",
      pulls: [
        { number: 42, title: "New payment provider", url: "https://github.com/acme/shop/pull/42" },
      ],
      gates: [
        gate(
          "release-manager",
          "pending",
          "0 of 1 deployment approvals from @acme/release-managers",
        ),
        gate(
          "production-window",
          "pass",
          "Inside the deployment window (Mon-Thu 09:00-16:00 Europe/Berlin) until Thu 10 Dec 16:00 CET",
        ),
      ],
      waitingOn: ["release-manager"],
      at: "2026-12-10T10:15:00.000Z",
    });
    expect(JSON.parse(shown ?? "null")).toEqual(slackMessage(sample));
  });
});
