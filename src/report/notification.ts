// The messages release managers get in Slack and Microsoft Teams: one neutral notice per event
// (a deployment held waiting on people, approved or rejected; a freeze starting or ending),
// rendered as a Slack incoming-webhook message and as a Teams Adaptive Card. Pure: the data
// comes in, JSON goes out. Never a webhook URL: the notice does not know it.
import type { GateResult, GateStatus } from "../model/result.js";
import { unmention, unping } from "./mentions.js";

export type NoticeKind = "held" | "approved" | "rejected" | "freeze-started" | "freeze-ended";

/** A piece of text, a link when it has a URL. */
export interface Inline {
  text: string;
  url?: string;
}

export interface Notice {
  kind: NoticeKind;
  /** One line: the headline, and the preview a phone shows. */
  title: string;
  /** One or two sentences under the title. */
  summary: string;
  fields: { label: string; value: Inline[] }[];
  /** One line per gate that is not skipped, as the decision judged it. */
  gates: { status: GateStatus; id: string; reason: string }[];
  /** Where to act or read more (the workflow run). */
  link?: { text: string; url: string };
}

/** Slack: a header takes 150 characters, a section's text 3,000, a field 2,000. */
const TITLE_MAX = 150;
const TEXT_MAX = 2900;
const FIELD_MAX = 1900;
/** Gates listed before "and N more": the status comment on the run has them all. */
export const NOTICE_GATES = 10;
/** Pull requests listed before "and N more". */
export const NOTICE_PULLS = 5;

/** A URL with the characters that would end a Slack or Markdown link percent-encoded. */
const safeUrl = (url: string): string =>
  url.replace(
    /[<>|()\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

// ---------------------------------------------------------------------------------------
// Building notices

export interface DeploymentNoticeInput {
  kind: "held" | "approved" | "rejected";
  /** owner/name */
  repo: string;
  environment: string;
  sha: string;
  runId: number;
  /** https://github.com, or the GitHub Enterprise host the pull requests live on. */
  webBase: string;
  /** Absent when the decision did not read them (a rejection in GitHub's review). */
  pulls?: { number: number; title: string; url: string }[];
  gates: readonly GateResult[];
  /** The gates a held deployment waits on people for. */
  waitingOn?: string[];
  approvers?: string[];
  rejectedBy?: string;
  advisory?: boolean;
  /** ISO 8601 */
  heldSince?: string;
  at: string;
}

const STATUS_WORD: Record<GateStatus, string> = {
  pass: "passed",
  fail: "failed",
  pending: "waiting",
  skipped: "skipped",
  error: "error",
};

/** "2026-03-10 12:00 UTC" */
export function utcText(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime())
    ? iso
    : `${time.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function deploymentNotice(input: DeploymentNoticeInput): Notice {
  const { repo, environment, kind } = input;
  const run = `${input.webBase}/${repo}/actions/runs/${input.runId}`;
  const title = {
    held: `${repo}: deployment to ${environment} held, waiting on ${input.waitingOn?.join(", ") || "people"}`,
    approved: `${repo}: deployment to ${environment} approved${input.advisory ? " (advisory policy)" : ""}`,
    rejected: `${repo}: deployment to ${environment} rejected`,
  }[kind];
  const summary = {
    held: "The job waits until the gates below pass; the app approves it as soon as they do.",
    approved: input.advisory
      ? "Approved because the policy is advisory; the gates below say what enforcing would have decided."
      : "Every gate passed: the job runs.",
    rejected:
      input.rejectedBy !== undefined
        ? `@${input.rejectedBy} rejected it in GitHub's deployment review.`
        : input.gates.length === 0
          ? "The job does not run: the status comment on the run says why (no policy, an invalid one, or a failed read)."
          : "A gate failed: the job does not run. Fix what the gates below say and re-run it.",
  }[kind];
  const all = input.pulls ?? [];
  const shown = all.slice(0, NOTICE_PULLS);
  const pulls: Inline[] = shown.map((pull) => ({
    text: `#${pull.number} ${pull.title}`,
    url: pull.url,
  }));
  if (all.length > shown.length) {
    pulls.push({ text: `and ${all.length - shown.length} more` });
  }
  const fields: Notice["fields"] = [
    { label: "Repository", value: [{ text: repo, url: `${input.webBase}/${repo}` }] },
    { label: "Environment", value: [{ text: environment }] },
    {
      label: "Commit",
      value: [{ text: input.sha.slice(0, 7), url: `${input.webBase}/${repo}/commit/${input.sha}` }],
    },
  ];
  if (input.pulls) {
    fields.push({
      label: "Pull requests",
      value: pulls.length > 0 ? pulls : [{ text: "none (a direct push)" }],
    });
  }
  if (input.approvers && input.approvers.length > 0) {
    fields.push({
      label: "Approved by",
      value: [{ text: input.approvers.map((a) => `@${a}`).join(", ") }],
    });
  }
  if (input.rejectedBy !== undefined) {
    fields.push({ label: "Rejected by", value: [{ text: `@${input.rejectedBy}` }] });
  }
  if (input.heldSince && kind !== "held") {
    fields.push({ label: "Held since", value: [{ text: utcText(input.heldSince) }] });
  }
  fields.push({
    label: kind === "held" ? "Held at" : "Decided at",
    value: [{ text: utcText(input.at) }],
  });
  const gates = input.gates
    .filter((gate) => gate.status !== "skipped")
    .map(({ status, id, reason }) => ({ status, id, reason }));
  return {
    kind,
    title,
    summary,
    fields,
    gates,
    link: { text: kind === "held" ? "Review the deployment" : "Open the workflow run", url: run },
  };
}

export interface FreezeNoticeInput {
  kind: "freeze-started" | "freeze-ended";
  environment: string;
  /** owner/name of each repository whose environment it is. */
  repos: string[];
  gate: string;
  reason: string;
  /** ISO 8601: the end of the freeze as last seen. */
  until: string;
  /** The window's sentence at the start ("Year-end freeze until 4 Jan 2027 23:59 CET"). */
  text: string;
  at: string;
}

export function freezeNotice(input: FreezeNoticeInput): Notice {
  const name = /\bfreeze\b/i.test(input.reason) ? input.reason : `${input.reason} freeze`;
  const started = input.kind === "freeze-started";
  return {
    kind: input.kind,
    title: `${name} ${started ? "started" : "ended"} on ${input.environment}`,
    summary: started
      ? `${input.text}. Deployments to ${input.environment} wait (or are rejected) until it ends.`
      : `Deployments to ${input.environment} may proceed again, inside the deployment window.`,
    fields: [
      { label: "Environment", value: [{ text: input.environment }] },
      { label: "Repositories", value: [{ text: input.repos.join(", ") }] },
      { label: "Gate", value: [{ text: input.gate }] },
      {
        label: started ? "Frozen until" : "Ended at",
        value: [{ text: utcText(started ? input.until : input.at) }],
      },
    ],
    gates: [],
  };
}

// ---------------------------------------------------------------------------------------
// Slack

/**
 * `&`, `<` and `>` are Slack's markup (`<!channel>` would ping everyone): user text escapes
 * them, and no `@channel`, `@here` or `@name` in it is read as a mention (mentions.ts).
 */
export function slackEscape(text: string): string {
  return unmention(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function slackInline(part: Inline): string {
  const text = slackEscape(part.text).replace(/\|/g, "¦");
  return part.url ? `<${safeUrl(part.url)}|${text}>` : text;
}

const SLACK_ICON: Record<GateStatus, string> = {
  pass: ":white_check_mark:",
  fail: ":x:",
  pending: ":hourglass_flowing_sand:",
  skipped: ":heavy_minus_sign:",
  error: ":warning:",
};

export interface SlackMessage {
  /** What notifications and clients without blocks show. */
  text: string;
  blocks: Record<string, unknown>[];
}

export function slackMessage(notice: Notice): SlackMessage {
  const blocks: Record<string, unknown>[] = [
    {
      type: "header",
      text: { type: "plain_text", text: clip(unping(notice.title), TITLE_MAX) },
    },
    {
      type: "section",
      text: { type: "mrkdwn", text: clip(slackEscape(notice.summary), TEXT_MAX) },
    },
    {
      type: "section",
      // A section holds at most 10 fields.
      fields: notice.fields.slice(0, 10).map((field) => ({
        type: "mrkdwn",
        text: clip(`*${field.label}*\n${field.value.map(slackInline).join(", ")}`, FIELD_MAX),
      })),
    },
  ];
  const gates = gateLines(
    notice,
    (gate) =>
      `${SLACK_ICON[gate.status]} *${slackEscape(gate.id)}* (${STATUS_WORD[gate.status]}): ${slackEscape(gate.reason)}`,
  );
  if (gates)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(gates, TEXT_MAX) } });
  if (notice.link) {
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: slackInline(notice.link) }],
    });
  }
  return { text: slackEscape(notice.title), blocks };
}

function gateLines(
  notice: Notice,
  line: (gate: Notice["gates"][number]) => string,
): string | undefined {
  if (notice.gates.length === 0) return undefined;
  const shown = notice.gates.slice(0, NOTICE_GATES).map(line);
  const more = notice.gates.length - NOTICE_GATES;
  return [...shown, ...(more > 0 ? [`and ${more} more on the run`] : [])].join("\n");
}

// ---------------------------------------------------------------------------------------
// Microsoft Teams

/**
 * An Adaptive Card in the message envelope Teams takes from a Workflows webhook ("Post to a
 * channel when a webhook request is received") and from the older Incoming Webhook connector
 * alike; the connectors' MessageCard format is retired with them.
 */
export interface TeamsMessage {
  type: "message";
  attachments: {
    contentType: "application/vnd.microsoft.card.adaptive";
    contentUrl: null;
    content: Record<string, unknown>;
  }[];
}

const TEAMS_COLOR: Record<NoticeKind, string> = {
  held: "Warning",
  approved: "Good",
  rejected: "Attention",
  "freeze-started": "Warning",
  "freeze-ended": "Good",
};

/**
 * Card text is Markdown: brackets and emphasis in user text are shown as written, and neither
 * an `<at>` tag nor an `@name` in it mentions anyone (mentions.ts).
 */
export function teamsEscape(text: string): string {
  return unping(text).replace(/([\\[\]*_`~])/g, "\\$1");
}

function teamsInline(part: Inline): string {
  const text = teamsEscape(part.text);
  return part.url ? `[${text}](${safeUrl(part.url)})` : text;
}

export function teamsMessage(notice: Notice): TeamsMessage {
  const body: Record<string, unknown>[] = [
    {
      type: "TextBlock",
      text: clip(teamsEscape(notice.title), TITLE_MAX * 2),
      weight: "Bolder",
      size: "Medium",
      color: TEAMS_COLOR[notice.kind],
      wrap: true,
    },
    { type: "TextBlock", text: clip(teamsEscape(notice.summary), TEXT_MAX), wrap: true },
    {
      type: "FactSet",
      facts: notice.fields.map((field) => ({
        title: field.label,
        value: clip(field.value.map(teamsInline).join(", "), FIELD_MAX),
      })),
    },
  ];
  const gates = gateLines(
    notice,
    (gate) =>
      `- **${teamsEscape(gate.id)}** (${STATUS_WORD[gate.status]}): ${teamsEscape(gate.reason)}`,
  );
  if (gates) body.push({ type: "TextBlock", text: clip(gates, TEXT_MAX), wrap: true });
  const content: Record<string, unknown> = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    fallbackText: unping(notice.title),
    body,
    ...(notice.link
      ? { actions: [{ type: "Action.OpenUrl", title: notice.link.text, url: notice.link.url }] }
      : {}),
    msteams: { width: "Full" },
  };
  return {
    type: "message",
    attachments: [
      { contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content },
    ],
  };
}
