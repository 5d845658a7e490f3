// The release record: one issue per release that an auditor can read on its own: what the
// release includes and under which verdicts, its gates, checklist, sign-offs and deployments,
// and the policy version it was judged under. The body is a pure function of its inputs (no
// clock), so an update that changes nothing is not written.
import type { ReleaseFacts } from "../facts/release.js";
import type { DeploymentProgress, IncludedChange, ReleaseEvaluation } from "../evaluate/release.js";
import type { GateResult } from "../model/result.js";
import { STATUS_LABEL } from "./check-run.js";
import {
  inline,
  inlineMentioning,
  link,
  mention,
  table,
  truncateUtf8,
  utcMinute,
} from "./markdown.js";
import {
  encodeReleaseState,
  type ReleaseDeployment,
  type ReleaseState,
} from "../facts/release-state.js";

export const RECORD_LABEL = "release-record";
const MARKER_PREFIX = "<!-- release-policy:release-record tag=";
/** GitHub's limit on an issue body, in characters; kept well below in bytes. */
const MAX_BODY_BYTES = 60_000;

/**
 * The hidden marker that names the record's tag and its commit (the tag encoded: a tag name
 * may contain "-->").
 */
export function recordMarker(tag: string, sha: string | undefined): string {
  return `${MARKER_PREFIX}${encodeURIComponent(tag)} sha=${sha ?? "none"} -->`;
}

const MARKER = /<!-- release-policy:release-record tag=(\S+) sha=([0-9a-f]{40}|none) -->/;

/** The tag and commit a body's marker names, or null when the body is not a release record. */
export function parseRecordMarker(body: string): { tag: string; sha?: string } | null {
  const match = MARKER.exec(body);
  if (!match?.[1] || !match[2]) return null;
  try {
    const tag = decodeURIComponent(match[1]);
    return match[2] === "none" ? { tag } : { tag, sha: match[2] };
  } catch {
    return null;
  }
}

export function recordTitle(tag: string): string {
  return `Release ${tag}`;
}

export interface RecordInput {
  evaluation: ReleaseEvaluation;
  facts: ReleaseFacts;
  state: ReleaseState;
  key: string;
}

export function renderReleaseRecord(input: RecordInput): string {
  const { evaluation, facts, state, key } = input;
  const body = [
    recordMarker(evaluation.tag, evaluation.sha),
    `## Release ${inline(evaluation.tag)}`,
    "",
    overview(evaluation, facts),
    "",
    "### Release gates",
    "",
    gateTable(evaluation.gates),
    ...gateDetails(evaluation.gates),
    "",
    ...changesSection(evaluation.changes, facts),
    "",
    "### Checklist and sign-offs",
    "",
    "Tick the release checklist in the app's comment below; each tick is recorded with who made it and when, and a tick by someone the policy does not allow is undone. To sign off, comment `/signoff` on this issue; delete the comment to withdraw it.",
    "",
    "### Deployments",
    "",
    deploymentTable(facts.deployments),
    "",
    "### Outcome",
    "",
    outcomeLine(evaluation, facts),
    "",
  ].join("\n");
  const state_ = encodeReleaseState(state, key);
  return `${truncateUtf8(body, MAX_BODY_BYTES, "\n\n_(cut to fit GitHub's limit)_\n")}\n${state_}\n`;
}

const HEADLINE: Record<ReleaseEvaluation["conclusion"], string> = {
  success: "✅ every release gate holds",
  pending: "⏳ waiting on release gates",
  failure: "❌ release gates fail",
};

function overview(evaluation: ReleaseEvaluation, facts: ReleaseFacts): string {
  const held = evaluation.gates.filter((g) => g.status === "pass").length;
  const { repo, tag, release } = facts;
  const base = `https://github.com/${repo.owner}/${repo.repo}`;
  const since = facts.changes?.since;
  const rows: [string, string][] = [
    ["Status", `${HEADLINE[evaluation.conclusion]} (${held} of ${evaluation.gates.length})`],
    ["Tag", tagLine(facts)],
    [
      "GitHub release",
      release
        ? `${link(release.name, release.url)} by ${mention(release.author)}${release.prerelease ? " (pre-release)" : ""}${release.publishedAt ? `, published ${utcMinute(release.publishedAt)}` : ""}`
        : "none published",
    ],
    [
      "Previous release",
      since
        ? `${inline(since.name)} (${link("compare", `${base}/compare/${encodeURIComponent(since.name)}...${encodeURIComponent(tag.name)}`)})`
        : tag.sha
          ? "none found: the first release (only the tagged commit's changes are listed)"
          : "unknown",
    ],
    ["Deployment", progressLine(evaluation.progress)],
    [
      "Policy",
      facts.policy
        .map((p) => `\`${inline(p.location)}\`${p.sha ? ` blob \`${p.sha}\`` : ""}`)
        .join(", ") || "unknown",
    ],
  ];
  return table(["", ""], rows);
}

function tagLine(facts: ReleaseFacts): string {
  const { tag } = facts;
  if (tag.sha === undefined) return `\`${inline(tag.name)}\` does not exist`;
  const kind = tag.annotated
    ? `annotated, signature ${tag.verification?.verified ? "verified" : `not verified (${inline(tag.verification?.reason ?? "unknown")})`}`
    : "lightweight";
  const pusher = facts.pusher ? `, pushed by ${mention(facts.pusher)}` : "";
  return `\`${inline(tag.name)}\` → \`${tag.sha.slice(0, 7)}\` (${kind}${pusher})`;
}

function progressLine(progress: DeploymentProgress): string {
  switch (progress.kind) {
    case "completed":
      return `✅ deployed to ${progress.environments.map(inline).join(", ")}, ${utcMinute(progress.at)}`;
    case "failed":
      return `❌ ${progress.failures.map((d) => `${inline(d.environment)} ${d.state}`).join(", ")}`;
    case "in_progress":
      return "⏳ not yet deployed to the last environment";
    case "untracked":
      return "the policy names no environments";
  }
}

function gateTable(gates: readonly GateResult[]): string {
  return table(
    ["gate", "status", "reason", "how to satisfy"],
    gates.map((g) => [
      `\`${inline(g.id)}\`${g.description ? ` ${inline(g.description)}` : ""}`,
      STATUS_LABEL[g.status],
      inlineMentioning(g.reason, g.mentions),
      g.status === "pass" ? "" : inlineMentioning(g.fix ?? "", g.mentions),
    ]),
  );
}

/** Each gate's supporting lines (who ticked, who signed off), for the auditor. */
function gateDetails(gates: readonly GateResult[]): string[] {
  return gates.flatMap((g) =>
    (g.details ?? []).length === 0
      ? []
      : [
          "",
          `**${inline(g.id)}**`,
          "",
          ...(g.details ?? []).map((d) => `- ${inlineMentioning(d, g.mentions)}`),
        ],
  );
}

function changesSection(changes: readonly IncludedChange[], facts: ReleaseFacts): string[] {
  const included = facts.changes;
  if (!included) return ["### Included changes", "", "Unknown: the tag does not exist."];
  if (included.exceeded) {
    return [
      "### Included changes",
      "",
      `${included.exceeded.count} commits: more than the ${included.exceeded.limit} the app lists.`,
    ];
  }
  const head = `### Included changes (${changes.length} pull request${changes.length === 1 ? "" : "s"}, ${included.direct.length} direct commit${included.direct.length === 1 ? "" : "s"})`;
  const rows = changes.map((c) => [
    link(`#${c.pull.number}`, c.pull.url),
    inline(c.pull.title),
    mention(c.pull.author),
    inline(c.changeType ?? "none"),
    c.changeRecord ? inline(c.changeRecord) : "none found",
    c.pull.policyCheck === "success"
      ? "✅ held"
      : `❌ ${c.pull.policyCheck === "missing" ? "no check" : inline(c.pull.policyCheck)}`,
  ]);
  const pulls =
    rows.length === 0
      ? ["No pull requests."]
      : [table(["pull request", "title", "author", "change type", "change record", "gates"], rows)];
  const direct = included.direct.map(
    (c) => `- \`${c.sha.slice(0, 7)}\` ${inline(c.message)}: no pull request brought it`,
  );
  return [
    head,
    "",
    ...pulls,
    ...(direct.length > 0 ? ["", "Commits pushed directly:", "", ...direct] : []),
  ];
}

function deploymentTable(deployments: readonly ReleaseDeployment[]): string {
  if (deployments.length === 0) return "None yet.";
  return table(
    ["environment", "time", "outcome", "started by", "approved by", "protection rule"],
    deployments.map((d) => [
      inline(d.environment),
      utcMinute(d.at),
      d.url ? link(d.state, d.url) : inline(d.state),
      d.creator ? mention(d.creator) : "",
      d.approvedBy.length > 0 ? d.approvedBy.map(mention).join(", ") : "none recorded",
      inline(d.decision ?? "no decision recorded"),
    ]),
  );
}

function outcomeLine(evaluation: ReleaseEvaluation, facts: ReleaseFacts): string {
  if (facts.deleted) {
    return `The tag was deleted by ${mention(facts.deleted.by)} at ${utcMinute(facts.deleted.at)}; this record is closed as not planned.`;
  }
  const p = evaluation.progress;
  if (p.kind === "completed") {
    return `Released: deployed successfully to ${p.environments.map(inline).join(", ")} at ${utcMinute(p.at)}. The record is closed.`;
  }
  if (p.kind === "failed") {
    const list = p.failures
      .map((d) => `${inline(d.environment)} (${d.state}, ${utcMinute(d.at)})`)
      .join(", ");
    return `Deployment failed: ${list}. The record stays open until the release reaches its last environment.`;
  }
  if (p.kind === "untracked") return "The policy names no environments: close this record by hand.";
  return "Not yet released to its last environment: the record stays open.";
}
