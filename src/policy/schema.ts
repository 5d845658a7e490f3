// The one source of truth for the policy file: TypeScript types, validation, the JSON Schema
// committed under schema/, and the key reference in docs/policy.md all derive from here.
// Every object is strict: an unknown key is an error, because a typo must never silently
// disable a gate.
import { z } from "zod";
import { name, nameList, principalsSchema } from "../model/principals.js";
import { windowRequirementSchema } from "../model/time/window-spec.js";

export const durationPattern = /^\d+(ms|s|m|h|d|w)$/;
const duration = z
  .string()
  .regex(durationPattern, 'a duration such as "30m", "24h" or "2d"')
  .describe('A duration: a number and a unit, one of ms, s, m, h, d, w (e.g. "24h").');

const principals = principalsSchema;

const approvers = principals
  .extend({
    permission: z
      .enum(["read", "triage", "write", "maintain", "admin"])
      .optional()
      .describe("Anyone whose repository permission is at least this."),
  })
  .describe(
    "Whose approval counts: a listed user, a member of a listed team, or anyone with at least the given repository permission. Omitted: anyone with write permission.",
  );

const exclusion = z.enum(["author", "committers", "pusher"]);

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

const patternRequirement = z
  .union([
    z.string().min(1).max(1000),
    z.strictObject({
      regex: z.string().min(1).max(1000).describe("RE2 regular expression."),
      in: z
        .array(z.enum(["title", "body", "branch"]))
        .min(1)
        .optional()
        .describe("Where to look. Default: title and body."),
      description: z.string().max(200).optional().describe("What the pattern stands for."),
    }),
  ])
  .describe(
    'An RE2 regular expression (linear time: no backreferences or lookaround) that must match the title or body, e.g. "CHG[0-9]{7}".',
  );

const labelsRequirement = z
  .strictObject({
    one_of: nameList.min(1).optional().describe("At least one of these labels."),
    all_of: nameList.min(1).optional().describe("Every one of these labels."),
    none_of: nameList.min(1).optional().describe("None of these labels."),
  })
  .describe("Label rules on the pull request.");

const checkOutcome = z.enum(["pass", "fail"]);
const checksRequirement = z
  .union([
    nameList.min(1),
    z.strictObject({
      names: nameList.min(1).describe("Check run names or commit status contexts."),
      neutral: checkOutcome.optional().describe("How a neutral conclusion counts. Default: pass."),
      skipped: checkOutcome.optional().describe("How a skipped conclusion counts. Default: pass."),
    }),
  ])
  .describe(
    "Check runs (by name) or commit statuses (by context) that must have succeeded on the head commit.",
  );

const approvalsRequirement = z
  .strictObject({
    count: z.int().min(1).max(50).describe("How many distinct approvals are needed."),
    from: approvers.optional(),
    exclude: z
      .array(exclusion)
      .optional()
      .describe("Whose approval never counts; overrides defaults.approvals.exclude."),
    invalidate_on_push: z
      .boolean()
      .optional()
      .describe("Drop approvals of an older head commit; overrides defaults.invalidate_on_push."),
  })
  .describe("N approving reviews from eligible reviewers; a change request from one blocks.");

const checklistItem = z
  .union([
    z.string().min(1).max(300),
    z.strictObject({
      text: z.string().min(1).max(300).describe("The item as people read it."),
      by: principals.optional().describe("Only these people's ticks count."),
    }),
  ])
  .describe("An item: its text, or a mapping with the text and who may tick it.");
const checklistRequirement = z
  .array(checklistItem)
  .min(1)
  .max(50)
  .describe(
    "Items in the app's checklist comment that must be ticked, optionally only by named users or teams.",
  );

const deploymentExclusion = z.enum(["author", "committers", "deployer"]);

const deploymentApprovalRequirement = z
  .strictObject({
    count: z.int().min(1).max(6).describe("How many distinct approvals are needed."),
    from: principals.describe("Whose approval counts: listed users and members of listed teams."),
    exclude: z
      .array(deploymentExclusion)
      .optional()
      .describe(
        "Whose approval never counts: the author of the pull request that brought the commit, the commits' authors and committers, whoever started or re-ran the workflow (deployer). Default: all three.",
      ),
  })
  .describe(
    "N approvals of the deployment, given through GitHub's deployment review (Review deployments → Approve), by eligible users or team members.",
  );

const compliantChangesRequirement = z
  .union([
    z.literal(true),
    z.strictObject({
      allow_direct_push: z
        .union([
          z.boolean(),
          z.strictObject({
            change_types: nameList
              .min(1)
              .describe("Change types whose direct pushes are accepted (see change_types)."),
          }),
        ])
        .optional()
        .describe(
          "Accept a deployed commit that no pull request brought: always (true) or only for these change types; a direct push has no labels, so its change type is the default change type. Default: false.",
        ),
    }),
  ])
  .describe(
    "Deployment stage: the deployed commit reached its branch through merged pull requests whose release-policy check passed. Release stage: so did every change the release includes.",
  );

const releaseNotesRequirement = z
  .union([
    z.literal(true),
    z.strictObject({
      changelog: z
        .string()
        .min(1)
        .max(300)
        .optional()
        .describe(
          "The changelog file read at the tag when the GitHub release has no body. Default: CHANGELOG.md.",
        ),
    }),
  ])
  .describe(
    "Release stage: the release has notes: the GitHub release's body, or else a section of the changelog whose heading names the tag.",
  );

const releaseExclusion = z.enum(["release_author", "tagger"]);

const signoffsRequirement = z
  .strictObject({
    count: z.int().min(1).max(20).describe("How many distinct sign-offs are needed."),
    from: principals.describe("Whose sign-off counts: listed users and members of listed teams."),
    exclude: z
      .array(releaseExclusion)
      .optional()
      .describe(
        "Whose sign-off never counts: the GitHub release's author, whoever pushed the tag. Default: both.",
      ),
  })
  .describe(
    "Release stage: N sign-offs, each a `/signoff` comment on the release record by an eligible user or team member.",
  );

export const requirementSchema = z
  .strictObject({
    pattern: patternRequirement.optional(),
    labels: labelsRequirement.optional(),
    checks: checksRequirement.optional(),
    approvals: approvalsRequirement.optional(),
    checklist: checklistRequirement.optional(),
    window: windowRequirementSchema.optional(),
    deployment_approval: deploymentApprovalRequirement.optional(),
    compliant_changes: compliantChangesRequirement.optional(),
    release_notes: releaseNotesRequirement.optional(),
    signoffs: signoffsRequirement.optional(),
  })
  .describe("What the gate requires. Several kinds in one gate must all hold.");

export const gateSchema = z
  .strictObject({
    stage: z
      .enum(["pull_request", "release", "deployment"])
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
  })
  .describe("A deployment environment, in promotion order.");

const defaultsSchema = z
  .strictObject({
    approvals: z
      .strictObject({
        exclude: z
          .array(exclusion)
          .optional()
          .describe(
            "Whose approval never counts (segregation of duties). Default: [author, committers].",
          ),
      })
      .optional()
      .describe("Defaults for every approvals requirement."),
    invalidate_on_push: z
      .boolean()
      .optional()
      .describe("Drop approvals given to an older head commit. Default: true."),
  })
  .describe("Defaults that gates may override.");

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
  })
  .describe("The release policy: .github/release-policy.yml");

export type Policy = z.infer<typeof policySchema>;
export type Gate = z.infer<typeof gateSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type Requirement = z.infer<typeof requirementSchema>;
export type { Principals } from "../model/principals.js";
export type Approvers = z.infer<typeof approvers>;
export type Exclusion = z.infer<typeof exclusion>;
export type DeploymentExclusion = z.infer<typeof deploymentExclusion>;
export type ChecklistItemSpec = z.infer<typeof checklistItem>;
export type PostImplementationReview = z.infer<typeof postImplementationReviewSchema>;
export type ReleaseExclusion = z.infer<typeof releaseExclusion>;
export type Releases = z.infer<typeof releasesSchema>;
