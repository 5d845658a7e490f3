// The one source of truth for the policy file: TypeScript types, validation, the JSON Schema
// committed under schema/, and the key reference in docs/policy.md all derive from here.
// Every object is strict: an unknown key is an error, because a typo must never silently
// disable a gate.
import { z } from "zod";
import { name, nameList } from "../model/principals.js";
import { STAGES } from "../requirements/kind.js";
import { approvalDefaultsSchema } from "../requirements/approvals.js";
import { requirementSchema } from "../requirements/registry.js";
import { notifySchema } from "./notify.js";

export const durationPattern = /^\d+(ms|s|m|h|d|w)$/;
const duration = z
  .string()
  .regex(durationPattern, 'a duration such as "30m", "24h" or "2d"')
  .describe('A duration: a number and a unit, one of ms, s, m, h, d, w (e.g. "24h").');

export const conditionSchema = z
  .strictObject({
    labels: nameList
      .min(1)
      .optional()
      .describe("Matches when the pull request has any of these labels."),
    change_types: nameList
      .min(1)
      .optional()
      .describe("Matches when the change type is one of these (see change_types)."),
    base_branches: nameList
      .min(1)
      .optional()
      .describe('Matches when the base branch matches any of these globs ("release/*").'),
    paths: nameList
      .min(1)
      .optional()
      .describe('Matches when any changed file matches any of these globs ("src/**").'),
    draft: z.boolean().optional().describe("Matches when the pull request's draft state is this."),
  })
  .describe(
    "A condition. Every key given must match (and); within a list, any entry matches (or).",
  );

export const gateSchema = z
  .strictObject({
    stage: z
      .enum(STAGES)
      .describe(
        "When the gate is judged: on each pull request, on each release (tag), or when a job deploys to an environment.",
      ),
    environments: nameList
      .min(1)
      .optional()
      .describe(
        "Deployment gates only: the environments the gate guards. Omitted: every environment.",
      ),
    description: z.string().max(500).optional().describe("Shown beside the gate's result."),
    when: conditionSchema.optional().describe("The gate applies only when this matches."),
    unless: conditionSchema.optional().describe("The gate does not apply when this matches."),
    require: requirementSchema,
  })
  .describe("One gate: where it applies and what it requires.");

export const postImplementationReviewSchema = z
  .union([
    z.literal(true),
    z.strictObject({
      environment: name
        .optional()
        .describe(
          "The environment whose successful deployment opens the issue. Default: the last one under `environments`.",
        ),
      checklist: z
        .array(z.string().min(1).max(300))
        .min(1)
        .max(50)
        .optional()
        .describe(
          "The issue's task list. Default: root cause, what was done, retroactive approval, follow-up work, lessons learned.",
        ),
      labels: nameList
        .min(1)
        .optional()
        .describe(
          'Labels of the issue; the app finds its issues by the first. Default: ["post-implementation-review"].',
        ),
      assignees: nameList.max(10).optional().describe("GitHub logins the issue is assigned to."),
    }),
  ])
  .describe(
    "After a pull request of this change type is deployed successfully to the environment, open one post-implementation-review issue for it, with a task list, linked from the pull request.",
  );

const changeTypeSchema = z
  .strictObject({
    labels: nameList.optional().describe("Labels that select this change type."),
    default: z.boolean().optional().describe("The change type when no label selects one."),
    description: z.string().max(500).optional().describe("Shown beside the change type."),
    post_implementation_review: postImplementationReviewSchema.optional(),
  })
  .describe("A change type, chosen by label; the first that matches, in file order, wins.");

const environmentSchema = z
  .strictObject({
    after: name.optional().describe("The environment that must have been deployed to first."),
    soak: duration
      .optional()
      .describe(
        'How long the commit must have run in `after` first: a number and a unit (ms, s, m, h, d or w), e.g. "24h".',
      ),
    notify: notifySchema.optional(),
  })
  .describe("A deployment environment, in promotion order.");

const defaultsSchema = approvalDefaultsSchema;

const releasesSchema = z
  .strictObject({
    tags: z
      .strictObject({
        pattern: z
          .string()
          .min(1)
          .max(300)
          .optional()
          .describe(
            'RE2 regular expression a release tag\'s name must match, e.g. "^v[0-9]+\\.[0-9]+\\.[0-9]+$". It also chooses which tags count when the previous release is looked for.',
          ),
        branches: nameList
          .min(1)
          .optional()
          .describe(
            'The tagged commit must be on one of these branches (globs, e.g. [main, "release/*"]).',
          ),
        signed: z
          .boolean()
          .optional()
          .describe("The tag must be an annotated tag whose signature GitHub verified."),
      })
      .optional()
      .describe("Rules every release tag must follow; a tag that breaks one fails the release."),
  })
  .describe(
    "Releases: every tag pushed gets a release record when the policy has this key or a gate at stage release.",
  );

const deskSchema = z
  .strictObject({
    repository: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, "a repository name of this owner, such as .github")
      .optional()
      .describe(
        "The repository of this owner the desk issue is kept in; the app must be installed on it. Default: .github.",
      ),
    production: nameList
      .min(1)
      .optional()
      .describe(
        'The environments whose deployments the desk lists as shipped. Default: ["production"].',
      ),
  })
  .describe(
    "Only in an organization's .github repository: keep one release desk issue for the organization's installation (held deployments, releases in flight, a calendar of windows and freezes, production deployments of the last 7 days), updated at most once a minute. Refused in any other file and in a personal account's. Absent: no desk.",
  );

export const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const gateId = z
  .string()
  .regex(
    idPattern,
    "a gate id: 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit",
  );

export const policySchema = z
  .strictObject({
    _extends: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .describe(
        'Inherit a base policy: "repo" (same owner), "owner/repo", optionally ":path". The base file is read from its default branch.',
      ),
    required: z
      .boolean()
      .optional()
      .describe(
        "Only in an organization's .github repository: true binds every repository of the organization to this policy, as if each repository's file said `_extends: .github` (a repository's own file can only add to it; a repository without one, or that deletes it, follows this one). Refused in any other file. Default: false.",
      ),
    mode: z
      .enum(["enforce", "advisory"])
      .optional()
      .describe(
        "enforce: unmet gates fail the pull request's check and hold or reject deployments. advisory: the check concludes neutral and the protection rule approves, each saying what would have blocked; an invalid policy still fails. An extending policy may tighten its base's mode, never loosen it. Default: enforce.",
      ),
    change_types: z
      .record(name, changeTypeSchema)
      .optional()
      .describe("Change types by name (standard, normal, emergency, ...), chosen by label."),
    environments: z
      .record(name, environmentSchema)
      .optional()
      .describe("Deployment environments by name, as GitHub names them."),
    gates: z.record(gateId, gateSchema).optional().describe("The gates, by id."),
    defaults: defaultsSchema.optional(),
    releases: releasesSchema.optional(),
    desk: deskSchema.optional(),
  })
  .describe("The release policy: .github/release-policy.yml");

export type Policy = z.infer<typeof policySchema>;
export type Gate = z.infer<typeof gateSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type PostImplementationReview = z.infer<typeof postImplementationReviewSchema>;
export type Releases = z.infer<typeof releasesSchema>;
export type DeskSetting = z.infer<typeof deskSchema>;
export type { Requirement } from "../requirements/registry.js";
export type { Principals } from "../model/principals.js";
