// `release-policy simulate`: would a deployment to an environment pass at a given time? Judged
// offline under a policy file by the app's own evaluator, on the facts of a hypothetical
// deployment (simulate-facts.ts), so a release manager can ask "can we ship on the 24th at
// 17:00?" and read the freeze that holds it and when the window opens, before anyone deploys.
import { DateTime, IANAZone } from "luxon";
import { enforcedDecision, type Decision } from "../evaluate/decision.js";
import {
  evaluateDeployment,
  promotionOf,
  type DeploymentEvaluation,
} from "../evaluate/deployment.js";
import { deploymentGates } from "../evaluate/stages.js";
import { formatDuration } from "../model/time/duration.js";
import { windowState, WindowSpecError } from "../model/time/window.js";
import {
  isIanaZone,
  parseLocalDateTime,
  type WindowRequirement,
} from "../model/time/window-spec.js";
import { formatInstant, wallClockToInstant } from "../model/time/zone.js";
import type { Policy } from "../policy/schema.js";
import { POLICY_PATH } from "../policy/types.js";
import { byUrgency } from "../report/check-run.js";
import { tally } from "../report/protection-comment.js";
import { renderGate } from "../report/text.js";
import { EXIT_USAGE, exitCodeOf, type CliIo, type Command, readOptions } from "./io.js";
import { LOCAL_REPO, readPolicyArg, type LocalBases } from "./policy-arg.js";
import {
  labelsFor,
  promotionLead,
  resolveEnvironment,
  simulatedFacts,
  SIMULATED_SHA,
  type Scenario,
} from "./simulate-facts.js";

const HELP = `Usage: release-policy simulate --environment <name> [--at <time>] [options]

Judges a deployment that has not happened: would one to the environment, at that time,
pass the policy (default: ${POLICY_PATH})? Offline, with the app's own evaluator. The
deployed commit comes from one merged pull request of the change type, is no release's
tag, and has passed its own release-policy check. Prints each gate, the freeze in force,
when the window opens, and when the deployment would move on by time alone.

  --environment <name>   the environment deployed to (required)
  --at <time>            when: 2026-12-24T17:00 or 2026-12-24, read in the zone below;
                         or with an offset, 2026-12-24T16:00Z (default: now)
  --zone <zone>          the IANA zone --at is read and times are shown in (default: the
                         zone of the first window guarding the environment, else UTC)
  --change-type <name>   the pull request is of this change type (it gets the type's
                         first label; default: no label, so the default change type)
  --labels <a,b>         labels of the pull request, added to the change type's
  --approved-by <a,b>    logins that approved the deployment (Review deployments)
  --team <team=a,b>      members of a team the gates name, e.g. release-managers=alice
                         (repeatable; a team not given has unknown members)
  --no-promotion         the commit never ran in the environment's \`after\` (default: it
                         succeeded there one soak period before, or an hour with no soak)
  --policy <file>        the policy to judge by
  --bases <dir>          where the bases it extends are: <dir>/<owner>/<repo>/<path>
  --repo <owner/repo>    the policy's own repository (default: ${LOCAL_REPO})
  --json                 print the result tree as JSON instead of text

Exit codes: 0 the deployment would be approved, 1 it would be held or rejected (or the
policy is invalid), 2 usage error or unreadable file.
`;

interface Options {
  policyPath: string;
  bases: LocalBases;
  environment: string;
  at?: string;
  zone?: string;
  changeType?: string;
  labels: string[];
  approvedBy: string[];
  teams: Record<string, string[]>;
  promoted: boolean;
  json: boolean;
}

/** Where the zone times are read and shown in came from, in words. */
interface Zone {
  name: string;
  source: string;
}

/** A window gate that applies to the deployment. */
interface WindowGate {
  id: string;
  spec: WindowRequirement;
}

const VALUE_OPTIONS = [
  "--policy",
  "--bases",
  "--repo",
  "--environment",
  "--at",
  "--zone",
  "--change-type",
  "--labels",
  "--approved-by",
  "--team",
] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];
const isValueOption = (arg: string): arg is ValueOption =>
  (VALUE_OPTIONS as readonly string[]).includes(arg);

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const read = readOptions(args, io, { help: HELP, parse: parseArgs, usage });
  if ("code" in read) return read.code;
  const { options } = read;
  if (options.zone !== undefined && !isIanaZone(options.zone)) {
    return usage(
      io,
      `--zone "${options.zone}" is not a time zone: use an IANA name such as Europe/Berlin, America/New_York or UTC`,
    );
  }
  const policy = await readPolicyArg("simulate", options.policyPath, io, options.bases);
  if ("code" in policy) return policy.code;
  const environment = resolveEnvironment(policy.value, options.environment);
  if (typeof environment === "string") return usage(io, environment);
  const labels = labelsFor(policy.value, options.changeType, options.labels);
  if (typeof labels === "string") return usage(io, labels);
  const zone = zoneOf(options.zone, policy.value, environment.name);
  const at = options.at === undefined ? (io.now?.() ?? new Date()) : parseAt(options.at, zone);
  if (typeof at === "string") return usage(io, at);
  const promotion = promotionOf(policy.value, environment.name);
  if (!options.promoted && !promotion) {
    io.stderr.write(
      `note: --no-promotion changes nothing: ${environment.name} has no \`after\` in the policy\n`,
    );
  }
  const scenario: Scenario = {
    environment: environment.name,
    at,
    labels: labels.labels,
    approvedBy: options.approvedBy,
    teams: options.teams,
    promoted: options.promoted,
  };
  const evaluation = evaluateDeployment(policy.value, simulatedFacts(policy.value, scenario), at);
  io.stdout.write(
    options.json
      ? `${JSON.stringify(evaluation, null, 2)}\n`
      : render(policy.value, scenario, evaluation, { zone, atGiven: options.at }),
  );
  return exitCodeOf(evaluation);
}

function parseArgs(args: readonly string[]): Options | string {
  const values: Partial<Record<ValueOption, string>> = {};
  const teams: Record<string, string[]> = {};
  let promoted = true;
  let json = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === "--json") json = true;
    else if (arg === "--no-promotion") promoted = false;
    else if (isValueOption(arg)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith("--")) return `${arg} needs a value`;
      i += 1;
      if (arg === "--team") {
        const team = parseTeam(value);
        if (typeof team === "string") return team;
        teams[team.name] = team.members;
      } else if (values[arg] !== undefined) return `${arg} is given twice`;
      else values[arg] = value;
    } else if (arg.startsWith("-")) return `unknown option "${arg}"`;
    else return `unexpected argument "${arg}": every input is an option`;
  }
  const environment = values["--environment"];
  if (environment === undefined) return "--environment is required";
  return {
    policyPath: values["--policy"] ?? POLICY_PATH,
    bases: {
      ...(values["--bases"] === undefined ? {} : { dir: values["--bases"] }),
      ...(values["--repo"] === undefined ? {} : { repo: values["--repo"] }),
    },
    environment,
    ...(values["--at"] === undefined ? {} : { at: values["--at"] }),
    ...(values["--zone"] === undefined ? {} : { zone: values["--zone"] }),
    ...(values["--change-type"] === undefined ? {} : { changeType: values["--change-type"] }),
    labels: list(values["--labels"]),
    approvedBy: list(values["--approved-by"]).map((login) => login.replace(/^@/, "")),
    teams,
    promoted,
    json,
  };
}

/** "a, b,,c" → ["a", "b", "c"]. */
const list = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

function parseTeam(value: string): { name: string; members: string[] } | string {
  const equals = value.indexOf("=");
  const name = equals < 0 ? "" : value.slice(0, equals).trim();
  if (name === "") {
    return `--team "${value}": write the team as the policy names it, then its members: release-managers=alice,bob`;
  }
  return { name, members: list(value.slice(equals + 1)).map((l) => l.replace(/^@/, "")) };
}

function usage(io: CliIo, why: string): number {
  io.stderr.write(
    `release-policy simulate: ${why}\n\nRun release-policy simulate --help for the options.\n`,
  );
  return EXIT_USAGE;
}

/** Window gates guarding the environment, whether or not they apply to this change. */
function windowGates(policy: Policy, environment: string): WindowGate[] {
  return deploymentGates(policy, environment).flatMap(([id, gate]) =>
    gate.require.window ? [{ id, spec: gate.require.window }] : [],
  );
}

function zoneOf(given: string | undefined, policy: Policy, environment: string): Zone {
  if (given !== undefined) return { name: given, source: "--zone" };
  const first = windowGates(policy, environment)[0];
  if (first) return { name: first.spec.timezone, source: `the window of gate ${first.id}` };
  return { name: "UTC", source: `no window guards ${environment}` };
}

const OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * The instant `--at` names: with an offset, as written; without, a local date or date-time
 * read in `zone` by the rule every window boundary follows (model/time/zone.ts).
 */
function parseAt(text: string, zone: Zone): Date | string {
  const help = `write a local time such as 2026-12-24T17:00 (read in ${zone.name}), or one with an offset such as 2026-12-24T17:00+01:00`;
  if (text.length > 10 && OFFSET.test(text)) {
    const parsed = DateTime.fromISO(text, { setZone: true });
    return parsed.isValid ? parsed.toJSDate() : `--at "${text}" is not a time: ${help}`;
  }
  const local = parseLocalDateTime(text);
  if (!local.ok) return `--at "${text}" is not a time: ${help}`;
  const { year, month, day, minutes } = local.value;
  return new Date(
    wallClockToInstant(IANAZone.create(zone.name), { year, month, day }, minutes ?? 0),
  );
}

const WOULD: Record<Decision, string> = {
  approved: "would be approved",
  waiting: "would be held",
  rejected: "would be rejected",
};

interface RenderContext {
  zone: Zone;
  atGiven: string | undefined;
}

function render(
  policy: Policy,
  scenario: Scenario,
  evaluation: DeploymentEvaluation,
  { zone, atGiven }: RenderContext,
): string {
  const iana = IANAZone.create(zone.name);
  const at = scenario.at.getTime();
  // relativeTo 0 (1970) is never the year shown: the headline time always has its year.
  const when = (instant: number, relativeTo = at) =>
    formatInstant(instant, iana, { weekday: true, relativeTo });
  const applicable = evaluation.gates.filter((g) => g.status !== "skipped");
  const unmet = applicable.filter((g) => g.status !== "pass");
  const decision = enforcedDecision(evaluation);
  const counted =
    evaluation.gates.length === 0
      ? `no gate guards ${scenario.environment}`
      : applicable.length === 0
        ? `no gate applies to this change`
        : tally(decision, applicable.length, unmet.length);
  const read =
    atGiven === undefined
      ? "now"
      : OFFSET.test(atGiven) && atGiven.length > 10
        ? "--at gave its own offset"
        : "--at was read in it";
  const lines = [
    `A deployment to ${scenario.environment} ${WOULD[decision]}: ${counted}`,
    ...(evaluation.advisory
      ? ["Mode: advisory: the app would approve it, and say what enforcing would decide"]
      : []),
    `At: ${when(at, 0)} (${scenario.at.toISOString()})`,
    `Zone: ${zone.name} (${zone.source}); ${read}`,
    `Change type: ${evaluation.changeType ?? "none (the policy defines no change types)"} (labels: ${
      scenario.labels.length === 0 ? "none" : scenario.labels.join(", ")
    })`,
    `Approved by: ${
      scenario.approvedBy.length === 0
        ? "nobody (--approved-by names who)"
        : scenario.approvedBy.map((login) => `@${login}`).join(", ")
    }`,
    ...promotionLine(policy, scenario),
    ...(evaluation.gates.length === 0 ? [] : [""]),
    ...byUrgency(evaluation.gates).flatMap(renderGate),
    ...timeLines(policy, scenario, evaluation, when, iana),
  ];
  return `${lines.join("\n")}\n`;
}

function promotionLine(policy: Policy, scenario: Scenario): string[] {
  const promotion = promotionOf(policy, scenario.environment);
  if (!promotion) return [];
  const short = SIMULATED_SHA.slice(0, 7);
  const lead = formatDuration(promotionLead(promotion.soak));
  return scenario.promoted
    ? [
        `Promotion: assumed to have succeeded in ${promotion.after} ${lead} before (--no-promotion: never deployed there)`,
      ]
    : [`Promotion: ${short} assumed never deployed to ${promotion.after}`];
}

/** The freeze in force and the window's next opening, per window gate that applies. */
function timeLines(
  policy: Policy,
  scenario: Scenario,
  evaluation: DeploymentEvaluation,
  when: (instant: number) => string,
  iana: IANAZone,
): string[] {
  const judged = new Set(evaluation.gates.filter((g) => g.status !== "skipped").map((g) => g.id));
  const lines: string[] = [];
  for (const gate of windowGates(policy, scenario.environment)) {
    if (!judged.has(gate.id)) continue;
    let state;
    try {
      state = windowState(gate.spec, scenario.at);
    } catch (error) {
      if (error instanceof WindowSpecError) continue; // the gate's row says so
      throw error;
    }
    if (state.freeze) {
      lines.push(
        // The end as the gate's reason writes it: one freeze, one end.
        `Freeze: ${state.freeze.reason} (gate ${gate.id}), until ${when(state.freeze.shownUntil.getTime())}`,
      );
    }
    if (state.opensAt)
      lines.push(`Window opens: ${when(state.opensAt.getTime())} (gate ${gate.id})`);
    else if (!state.open) lines.push(`Window opens: not within a year (gate ${gate.id})`);
    else if (state.closesAt) {
      lines.push(`Window closes: ${when(state.closesAt.getTime())} (gate ${gate.id})`);
    }
  }
  if (evaluation.recheckAt !== undefined) {
    const next = Date.parse(evaluation.recheckAt);
    const local = DateTime.fromMillis(next, { zone: iana }).toFormat("yyyy-MM-dd'T'HH:mm");
    lines.push(
      `Waits until: ${when(next)} (${evaluation.recheckAt}), when a time-bound gate opens; what still holds it then: --at ${local}`,
    );
  }
  return lines.length === 0 ? [] : ["", ...lines];
}

export const simulateCommand: Command = {
  usage: "simulate --environment <name>",
  summary: "Would a deployment to the environment pass at a given time? Judged offline",
  run,
};
