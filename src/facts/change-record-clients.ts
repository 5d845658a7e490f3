// Reads change records from ServiceNow's Table API and Jira's REST API. Configured only from
// the environment; every request has a timeout; an answer other than a record or "no such
// record" becomes the fact's `error`, which the change_record kind never passes. Credentials go
// into request headers only: no message here (nor any error) contains them.
import {
  findReferences,
  MAX_REFERENCES,
  SYSTEM_NAMES,
  type ChangeRecordFact,
  type ChangeRecordNeed,
  type ChangeSystem,
  type ReferenceTexts,
} from "./change-records.js";

/** What a change record number looks like: CHG0012345, OPS-42. */
const RECORD_NUMBER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export type ServiceNowAuth =
  | { kind: "basic"; user: string; password: string }
  | { kind: "oauth"; clientId: string; clientSecret: string };

export interface ServiceNowConfig {
  url: string;
  auth: ServiceNowAuth;
}

export interface JiraConfig {
  url: string;
  email: string;
  apiToken: string;
}

export interface ChangeSystemsConfig {
  servicenow?: ServiceNowConfig;
  jira?: JiraConfig;
}

/** SERVICENOW_URL with SERVICENOW_USER/SERVICENOW_PASSWORD or SERVICENOW_CLIENT_ID/
 * SERVICENOW_CLIENT_SECRET; JIRA_URL with JIRA_EMAIL and JIRA_API_TOKEN. A system left out is
 * not configured: its gates error with a reason saying which variables to set. */
export function changeSystemsFromEnv(env: NodeJS.ProcessEnv): ChangeSystemsConfig {
  const config: ChangeSystemsConfig = {};
  const snow = env.SERVICENOW_URL;
  if (snow) {
    if (env.SERVICENOW_CLIENT_ID && env.SERVICENOW_CLIENT_SECRET) {
      config.servicenow = {
        url: trimSlash(snow),
        auth: {
          kind: "oauth",
          clientId: env.SERVICENOW_CLIENT_ID,
          clientSecret: env.SERVICENOW_CLIENT_SECRET,
        },
      };
    } else if (env.SERVICENOW_USER && env.SERVICENOW_PASSWORD) {
      config.servicenow = {
        url: trimSlash(snow),
        auth: { kind: "basic", user: env.SERVICENOW_USER, password: env.SERVICENOW_PASSWORD },
      };
    }
  }
  if (env.JIRA_URL && env.JIRA_EMAIL && env.JIRA_API_TOKEN) {
    config.jira = {
      url: trimSlash(env.JIRA_URL),
      email: env.JIRA_EMAIL,
      apiToken: env.JIRA_API_TOKEN,
    };
  }
  return config;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, "");

export interface ReaderOptions {
  /** Per request; a slower answer is an error fact. */
  timeoutMs?: number;
  /** How long a looked-up record is reused (a burst of events asks once). */
  cacheMs?: number;
  /** Injected clock for the cache. */
  now?: () => number;
  fetch?: typeof fetch;
  /** Told of every request a change system answered (or did not): /metrics counts them. */
  observe?: ChangeSystemObserver;
}

/** One request to a change system: which, its HTTP status or "error", and how long it took. */
export type ChangeSystemObserver = (request: {
  system: "servicenow" | "jira";
  status: string;
  seconds: number;
}) => void;

export interface ChangeRecordReader {
  read(need: ChangeRecordNeed, reference: string): Promise<ChangeRecordFact>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CACHE_MS = 60_000;

export function createChangeRecordReader(
  config: ChangeSystemsConfig,
  options: ReaderOptions = {},
): ChangeRecordReader {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; fact: ChangeRecordFact }>();
  let token: { value: string; expiresAt: number } | undefined;

  async function request(
    system: "servicenow" | "jira",
    url: string,
    init: RequestInit,
  ): Promise<Response> {
    const started = performance.now();
    const seen = (status: string): void =>
      options.observe?.({ system, status, seconds: (performance.now() - started) / 1000 });
    try {
      const response = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      seen(String(response.status));
      return response;
    } catch (error) {
      seen("error");
      throw error;
    }
  }

  async function serviceNowAuth(sn: ServiceNowConfig): Promise<string> {
    if (sn.auth.kind === "basic") return basic(sn.auth.user, sn.auth.password);
    if (token && token.expiresAt > now()) return `Bearer ${token.value}`;
    const response = await request("servicenow", `${sn.url}/oauth_token.do`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sn.auth.clientId,
        client_secret: sn.auth.clientSecret,
      }).toString(),
    });
    if (!response.ok) throw new LookupError(`its OAuth token endpoint answered ${response.status}`);
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== "string") {
      throw new LookupError("its OAuth token endpoint gave no access_token");
    }
    const seconds = typeof body.expires_in === "number" ? body.expires_in : 300;
    // Renew a little early so a token never expires between check and use.
    token = { value: body.access_token, expiresAt: now() + Math.max(0, seconds - 30) * 1000 };
    return `Bearer ${token.value}`;
  }

  async function readServiceNow(
    sn: ServiceNowConfig,
    reference: string,
  ): Promise<ChangeRecordFact> {
    // The reference comes from text people write (a title, a branch): in an encoded query a
    // "^" would add conditions ("CHG1^ORnumberISNOTEMPTY" finds any change), so only a plain
    // record number is ever sent, and the record must answer to exactly that number.
    if (!RECORD_NUMBER.test(reference)) {
      throw new LookupError(`"${reference}" is not a record number (letters, digits, "-", "_")`);
    }
    const query = new URLSearchParams({
      sysparm_query: `number=${reference}`,
      sysparm_fields: "number,short_description,state,approval,start_date,end_date,sys_id",
      sysparm_display_value: "all",
      sysparm_limit: "1",
    });
    const response = await request(
      "servicenow",
      `${sn.url}/api/now/table/change_request?${query.toString()}`,
      {
        headers: { authorization: await serviceNowAuth(sn), accept: "application/json" },
      },
    );
    if (!response.ok) throw new LookupError(await serviceNowError(response));
    const body = (await response.json()) as { result?: unknown };
    const rows = Array.isArray(body.result) ? (body.result as Record<string, unknown>[]) : [];
    const row = rows.find(
      (r) =>
        field(r.number).value.toLowerCase() === reference.toLowerCase() ||
        field(r.number).display.toLowerCase() === reference.toLowerCase(),
    );
    const base = { system: "servicenow" as const, reference };
    if (!row) return { ...base, found: false, number: reference, title: "", state: "", url: "" };
    const sysId = field(row.sys_id).value;
    const start = serviceNowInstant(field(row.start_date).value);
    const end = serviceNowInstant(field(row.end_date).value);
    return {
      ...base,
      found: true,
      number: field(row.number).display || reference,
      title: field(row.short_description).display,
      state: field(row.state).display,
      approval: field(row.approval).display,
      ...(start ? { plannedStart: start } : {}),
      ...(end ? { plannedEnd: end } : {}),
      url: `${sn.url}/nav_to.do?uri=change_request.do?sys_id=${encodeURIComponent(sysId)}`,
    };
  }

  async function readJira(
    jira: JiraConfig,
    need: ChangeRecordNeed,
    reference: string,
  ): Promise<ChangeRecordFact> {
    const fields = ["summary", "status"];
    if (need.windowFields) fields.push(need.windowFields.start, need.windowFields.end);
    const url = `${jira.url}/rest/api/3/issue/${encodeURIComponent(reference)}?fields=${fields.join(",")}`;
    const response = await request("jira", url, {
      headers: { authorization: basic(jira.email, jira.apiToken), accept: "application/json" },
    });
    const base = { system: "jira" as const, reference };
    if (response.status === 404) {
      return { ...base, found: false, number: reference, title: "", state: "", url: "" };
    }
    if (!response.ok) throw new LookupError(await jiraError(response));
    const body = (await response.json()) as { key?: unknown; fields?: Record<string, unknown> };
    const f = body.fields ?? {};
    const status = f.status as { name?: unknown } | undefined;
    const key = typeof body.key === "string" ? body.key : reference;
    const start = need.windowFields ? jiraInstant(f[need.windowFields.start]) : undefined;
    const end = need.windowFields ? jiraInstant(f[need.windowFields.end]) : undefined;
    return {
      ...base,
      found: true,
      number: key,
      title: typeof f.summary === "string" ? f.summary : "",
      state: typeof status?.name === "string" ? status.name : "",
      ...(start ? { plannedStart: start } : {}),
      ...(end ? { plannedEnd: end } : {}),
      url: `${jira.url}/browse/${encodeURIComponent(key)}`,
    };
  }

  return {
    async read(need, reference) {
      const key = `${need.system}\u0000${need.windowFields?.start ?? ""}\u0000${need.windowFields?.end ?? ""}\u0000${reference}`;
      const hit = cache.get(key);
      if (hit && now() - hit.at < cacheMs) return hit.fact;
      let fact: ChangeRecordFact;
      try {
        if (need.system === "servicenow") {
          if (!config.servicenow) return notConfigured(need.system, reference);
          fact = await readServiceNow(config.servicenow, reference);
        } else {
          if (!config.jira) return notConfigured(need.system, reference);
          fact = await readJira(config.jira, need, reference);
        }
      } catch (error) {
        // Errors are not cached: the next event asks again.
        return failed(need.system, reference, describe(error));
      }
      cache.set(key, { at: now(), fact });
      return fact;
    },
  };
}

/** Looks up every reference each need's pattern finds in the texts, once per reference. */
export async function gatherChangeRecords(
  reader: ChangeRecordReader,
  needs: readonly ChangeRecordNeed[],
  texts: ReferenceTexts,
): Promise<ChangeRecordFact[]> {
  const facts: ChangeRecordFact[] = [];
  for (const need of needs) {
    let references: string[];
    try {
      references = findReferences(need.pattern, need.in, texts).slice(0, MAX_REFERENCES);
    } catch {
      continue; // the kind reports the invalid pattern itself
    }
    for (const reference of references) {
      if (facts.some((f) => f.system === need.system && f.reference === reference)) continue;
      facts.push(await reader.read(need, reference));
    }
  }
  return facts;
}

class LookupError extends Error {}

function describe(error: unknown): string {
  if (error instanceof LookupError) return error.message;
  if (error instanceof DOMException && error.name === "TimeoutError")
    return "it did not answer in time";
  if (error instanceof Error && error.name === "TimeoutError") return "it did not answer in time";
  return "it could not be reached";
}

function failed(system: ChangeSystem, reference: string, error: string): ChangeRecordFact {
  return {
    system,
    reference,
    found: false,
    number: reference,
    title: "",
    state: "",
    url: "",
    error,
  };
}

function notConfigured(system: ChangeSystem, reference: string): ChangeRecordFact {
  const vars =
    system === "servicenow"
      ? "SERVICENOW_URL with SERVICENOW_USER and SERVICENOW_PASSWORD (or SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET)"
      : "JIRA_URL, JIRA_EMAIL and JIRA_API_TOKEN";
  return failed(system, reference, `${SYSTEM_NAMES[system]} is not configured (set ${vars})`);
}

function basic(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
}

/** A field as sysparm_display_value=all returns it: { display_value, value }. */
function field(raw: unknown): { display: string; value: string } {
  if (typeof raw === "string") return { display: raw, value: raw };
  const o = (raw ?? {}) as { display_value?: unknown; value?: unknown };
  return {
    display: typeof o.display_value === "string" ? o.display_value : "",
    value: typeof o.value === "string" ? o.value : "",
  };
}

/** ServiceNow's stored value is UTC "2026-03-10 11:00:00". */
function serviceNowInstant(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value);
  return m ? `${m[1]}T${m[2]}Z` : undefined;
}

function jiraInstant(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

async function serviceNowError(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as {
    error?: { message?: unknown };
  } | null;
  const message = typeof body?.error?.message === "string" ? `: ${body.error.message}` : "";
  return `ServiceNow answered ${response.status}${message}`;
}

async function jiraError(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { errorMessages?: unknown } | null;
  const messages = Array.isArray(body?.errorMessages)
    ? body.errorMessages.filter((m) => typeof m === "string")
    : [];
  return `Jira answered ${response.status}${messages.length ? `: ${messages.join("; ")}` : ""}`;
}
