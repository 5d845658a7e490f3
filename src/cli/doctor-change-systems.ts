// The change systems as the server would reach them (src/change-systems/client.ts): each
// configured system reached with its credentials, its change records readable, the states it
// displays, and optionally one change judged as the change_record gate judges it.
import {
  ChangeSystemError,
  changeSystemsFromEnv,
  createChangeSystemClient,
  describeFailure,
  isPassingFailure,
  variablesOf,
  type ChangeSystemClient,
  type ChangeSystemName,
  type ChangeSystemsConfig,
} from "../change-systems/client.js";
import { sameName } from "../model/names.js";
import { createChangeRecordReader } from "../facts/change-record-clients.js";
import {
  judgeChangeRecord,
  statesOf,
  type ChangeRecordRequirement,
} from "../requirements/change-record.js";
import { fail, message, type DoctorLine } from "./doctor-app.js";

type Env = Record<string, string | undefined>;

export interface ChangeOptions {
  /** A change to judge: CHG0000001 (ServiceNow) or OPS-42 (Jira). */
  change?: string;
  /**
   * The states that count, as the gate's `states`; the gate's default when absent. With a
   * change, those of the change's system only.
   */
  states?: string[];
  now: Date;
}

/** A Jira issue key; any other change number is ServiceNow's. */
const JIRA_KEY = /^[A-Za-z][A-Za-z0-9_]*-\d+$/;

export async function changeSystemChecks(env: Env, options: ChangeOptions): Promise<DoctorLine[]> {
  let config: ChangeSystemsConfig;
  try {
    config = changeSystemsFromEnv(env);
  } catch (error) {
    return [fail("change systems", message(error))];
  }
  const client = createChangeSystemClient(config);
  const lines: DoctorLine[] = [];
  for (const system of ["servicenow", "jira"] as const) {
    const incomplete = incompleteSettings(env, system, config);
    if (incomplete) {
      lines.push(fail(system, incomplete));
      continue;
    }
    if (!config[system]) {
      lines.push({
        status: "skip",
        check: system,
        text: `not configured (${variablesOf(system)})`,
      });
      continue;
    }
    const access = await accessChecks(client, system);
    lines.push(...access);
    if (access.some((l) => l.status === "FAIL")) continue;
    const change = options.change;
    const judged = change !== undefined && JIRA_KEY.test(change) === (system === "jira");
    // With a change, --states are its gate's: the other system keeps its default.
    const states = change === undefined || judged ? options.states : undefined;
    const own = { now: options.now, ...(states ? { states } : {}) };
    lines.push(await statesCheck(client, system, own));
    if (judged) lines.push(await changeCheck(client, system, change, own));
  }
  return lines;
}

/** A system whose URL is set without its credentials: the server would treat it as absent. */
function incompleteSettings(
  env: Env,
  system: ChangeSystemName,
  config: ChangeSystemsConfig,
): string | null {
  if (config[system]) return null;
  const set = system === "servicenow" ? env.SERVICENOW_URL : env.JIRA_URL;
  if (!set) return null;
  const url = system === "servicenow" ? "SERVICENOW_URL" : "JIRA_URL";
  return `${url} is set but its credentials are not: set ${variablesOf(system)}`;
}

/** The variables holding a system's credentials, named in a refusal's fix. */
function credentialVariables(client: ChangeSystemClient, system: ChangeSystemName): string {
  if (system === "jira") return "JIRA_EMAIL and JIRA_API_TOKEN";
  return client.config.servicenow?.auth.kind === "oauth"
    ? "SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET"
    : "SERVICENOW_USER and SERVICENOW_PASSWORD";
}

/** The path that reads one change record: the server's own read, limited to one row. */
function readPath(system: ChangeSystemName): string {
  return system === "servicenow"
    ? "/api/now/table/change_request?sysparm_limit=1&sysparm_fields=number"
    : "/rest/api/3/myself";
}

/** Reached, credentials accepted, change records readable: one request tells all three. */
async function accessChecks(
  client: ChangeSystemClient,
  system: ChangeSystemName,
): Promise<DoctorLine[]> {
  const url = system === "servicenow" ? "SERVICENOW_URL" : "JIRA_URL";
  const credentials = credentialVariables(client, system);
  const check = (what: string): string => `${system} ${what}`;
  let response: Response;
  try {
    response = await client.request(system, readPath(system));
  } catch (error) {
    if (error instanceof ChangeSystemError && !isPassingFailure(error)) {
      // Only the OAuth token request fails this way: the instance answered, the client did not.
      return [
        ok(check("reached"), `${url} answers`),
        fail(check("credentials"), `${error.message}: check ${credentials}`),
      ];
    }
    return [fail(check("reached"), `${describeFailure(error)}: check ${url}`)];
  }
  await response.body?.cancel();
  const lines = [ok(check("reached"), `${url} answers`)];
  if (response.status === 401) {
    return [...lines, fail(check("credentials"), `refused (401): check ${credentials}`)];
  }
  lines.push(ok(check("credentials"), `${credentials} accepted`));
  if (system === "jira") {
    if (!response.ok) return [...lines, fail(check("access"), `answered ${response.status}`)];
    return lines;
  }
  if (response.status === 403) {
    const fix = "give the account the itil role, or a role with a read ACL on change_request";
    return [...lines, fail(check("change_request"), `not readable (403): ${fix}`)];
  }
  if (!response.ok) {
    return [...lines, fail(check("change_request"), `answered ${response.status}`)];
  }
  return [...lines, ok(check("change_request"), "readable")];
}

/** The state (ServiceNow) or status (Jira) names the instance displays, and the counted ones. */
async function statesCheck(
  client: ChangeSystemClient,
  system: ChangeSystemName,
  options: ChangeOptions,
): Promise<DoctorLine> {
  const check = `${system} states`;
  let names: string[];
  try {
    names = await displayedStates(client, system);
  } catch (error) {
    const why = error instanceof ChangeSystemError ? error.message : describeFailure(error);
    const what = system === "servicenow" ? "sys_choice (read ACL)" : "statuses";
    return {
      status: "skip",
      check,
      text: `cannot list them (${why}); only this check reads ${what}`,
    };
  }
  const counted = statesOf(specFor(system, options));
  const missing = counted.filter((s) => !names.some((n) => sameName(n, s)));
  const shown = names.join(", ");
  if (missing.length > 0) {
    return fail(
      check,
      `the instance displays ${shown}; ${missing.join(", ")} is not among them: set the change_record gate's \`states\` to names it displays`,
    );
  }
  const note = counted.length > 0 ? ` (the gate counts ${counted.join(", ")})` : "";
  return ok(check, `${shown}${note}`);
}

async function displayedStates(client: ChangeSystemClient, system: ChangeSystemName) {
  const path =
    system === "servicenow"
      ? `/api/now/table/sys_choice?${new URLSearchParams({
          sysparm_query: "name=change_request^element=state^inactive=false",
          sysparm_fields: "label,value",
        }).toString()}`
      : "/rest/api/3/status";
  const response = await client.request(system, path);
  if (!response.ok) {
    await response.body?.cancel();
    throw new ChangeSystemError(`it answered ${response.status}`, response.status);
  }
  const body = (await response.json()) as unknown;
  const rows: unknown[] =
    system === "servicenow"
      ? ((body as { result?: unknown[] }).result ?? [])
      : Array.isArray(body)
        ? body
        : [];
  const key = system === "servicenow" ? "label" : "name";
  const names = rows.flatMap((r) => {
    const name = (r as Record<string, unknown> | null)?.[key];
    return typeof name === "string" ? [name] : [];
  });
  return [...new Set(names)];
}

/** One change read as the server reads it and judged as the gate judges it. */
async function changeCheck(
  client: ChangeSystemClient,
  system: ChangeSystemName,
  change: string,
  options: ChangeOptions,
): Promise<DoctorLine> {
  const check = `${system} ${change}`;
  const spec = specFor(system, options);
  const reader = createChangeRecordReader(client.config, { client });
  const fact = await reader.read({ system, pattern: spec.pattern, in: ["title"] }, change);
  if (system === "jira" && statesOf(spec).length === 0 && fact.found && !fact.error) {
    return {
      status: "skip",
      check,
      text: `status ${fact.state}; a Jira gate counts the statuses in its \`states\`: pass --states to judge it`,
    };
  }
  const outcome = judgeChangeRecord(spec, fact, options.now);
  const text = outcome.fix ? `${outcome.reason}: ${outcome.fix}` : outcome.reason;
  return outcome.status === "pass" ? ok(check, text) : fail(check, text);
}

function specFor(system: ChangeSystemName, options: ChangeOptions): ChangeRecordRequirement {
  return {
    system,
    pattern: ".+",
    ...(options.states ? { states: options.states } : {}),
  };
}

function ok(check: string, text: string): DoctorLine {
  return { status: "ok", check, text };
}
