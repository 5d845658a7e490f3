// Reads change records from ServiceNow's Table API and Jira's REST API through the shared
// client (src/change-systems/client.ts: configuration, auth, timeout, error messages); an
// answer other than a record or "no such record" becomes the fact's `error`, which the
// change_record kind never passes.
import {
  answerError,
  createChangeSystemClient,
  describeFailure,
  isPassingFailure,
  variablesOf,
  ChangeSystemError,
  type ChangeSystemClient,
  type ChangeSystemObserver,
  type ChangeSystemsConfig,
  type JiraConfig,
  type ServiceNowConfig,
} from "../change-systems/client.js";
import {
  distinctReferences,
  MAX_REFERENCES,
  referencesBySubject,
  SYSTEM_NAMES,
  type ChangeRecordFact,
  type ChangeRecordNeed,
  type ChangeSystem,
  type ReferenceSubject,
} from "./change-records.js";

// Kept importable from here: the facts' callers configure the reader with them.
export {
  changeSystemsFromEnv,
  type ChangeSystemObserver,
  type ChangeSystemsConfig,
  type JiraConfig,
  type ServiceNowAuth,
  type ServiceNowConfig,
} from "../change-systems/client.js";

/** What a change record number looks like: CHG0012345, OPS-42. */
export const RECORD_NUMBER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface ReaderOptions {
  /** Per request; a slower answer is an error fact. */
  timeoutMs?: number;
  /** How long a looked-up record is reused (a burst of events asks once). */
  cacheMs?: number;
  /** Injected clock for the cache and the OAuth token. */
  now?: () => number;
  fetch?: typeof fetch;
  /** Told of every request a change system answered (or did not): /metrics counts them. */
  observe?: ChangeSystemObserver;
  /** The client to read through (shared with the work note's writes); one of its own if not. */
  client?: ChangeSystemClient;
}

/**
 * Whose look a read is: answers are kept per installation (one installation never sees
 * another's), and noted per subject so a fresh look drops only that subject's.
 */
export interface ChangeRecordScope {
  installation: number | undefined;
  /** The pull request (pullOf) or held deployment (deploymentOf) being judged. */
  subject?: string;
}

/** Looks change records up for one scope: what the facts gatherers are given. */
export interface ChangeRecordLookup {
  read(need: ChangeRecordNeed, reference: string): Promise<ChangeRecordFact>;
}

export interface ChangeRecordReader {
  read(
    need: ChangeRecordNeed,
    reference: string,
    scope?: ChangeRecordScope,
  ): Promise<ChangeRecordFact>;
  /**
   * Drops the kept answers the subject's judgements read, in its installation: a person
   * asked for a fresh look (`/recheck`, Re-evaluate). Nothing else is dropped.
   */
  forget(scope: ChangeRecordScope & { subject: string }): void;
}

/** A pull request as a scope's subject: its installation's, by repository and number. */
export function pullOf(repo: { owner: string; repo: string }, number: number): string {
  return `${repo.owner}/${repo.repo}#${number}`.toLowerCase();
}

/** A held deployment as a scope's subject, by its hold's key (holds/registry.ts). */
export function deploymentOf(holdKey: string): string {
  return `deployment:${holdKey}`;
}

/** The reader as one scope sees it. */
export function lookupIn(reader: ChangeRecordReader, scope: ChangeRecordScope): ChangeRecordLookup {
  return { read: (need, reference) => reader.read(need, reference, scope) };
}

/** A looked-up record is reused this long by default: a burst of events asks once. */
export const DEFAULT_CACHE_MS = 60_000;
/** Past this many subjects noted, notes older than the cache are dropped. */
const MAX_NOTED_SUBJECTS = 1_000;

export function createChangeRecordReader(
  config: ChangeSystemsConfig,
  options: ReaderOptions = {},
): ChangeRecordReader {
  const cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
  const now = options.now ?? Date.now;
  const client =
    options.client ??
    createChangeSystemClient(config, {
      now,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.observe ? { observe: options.observe } : {}),
    });
  const cache = new Map<string, { at: number; fact: ChangeRecordFact }>();
  // The cache keys each subject's judgements read, by installation and subject.
  const readBy = new Map<string, { at: number; keys: Set<string> }>();

  function note(scope: ChangeRecordScope | undefined, key: string): void {
    if (scope?.subject === undefined) return;
    const subject = subjectKey(scope);
    const noted = readBy.get(subject) ?? { at: 0, keys: new Set<string>() };
    noted.at = now();
    noted.keys.add(key);
    readBy.set(subject, noted);
    // Notes outlive their answers only briefly: those of subjects nobody looks at go.
    if (readBy.size > MAX_NOTED_SUBJECTS) {
      for (const [k, v] of readBy) if (now() - v.at >= cacheMs) readBy.delete(k);
    }
  }

  async function readServiceNow(
    sn: ServiceNowConfig,
    reference: string,
  ): Promise<ChangeRecordFact> {
    // The reference comes from text people write (a title, a branch): in an encoded query a
    // "^" would add conditions ("CHG1^ORnumberISNOTEMPTY" finds any change), so only a plain
    // record number is ever sent, and the record must answer to exactly that number.
    if (!RECORD_NUMBER.test(reference)) {
      throw new ChangeSystemError(
        `"${reference}" is not a record number (letters, digits, "-", "_")`,
      );
    }
    const query = new URLSearchParams({
      sysparm_query: `number=${reference}`,
      sysparm_fields: "number,short_description,state,approval,start_date,end_date,sys_id",
      sysparm_display_value: "all",
      sysparm_limit: "1",
    });
    const response = await client.request(
      "servicenow",
      `/api/now/table/change_request?${query.toString()}`,
    );
    if (!response.ok) throw await answerError("servicenow", response);
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
      ...(sysId ? { sysId } : {}),
    };
  }

  async function readJira(
    jira: JiraConfig,
    need: ChangeRecordNeed,
    reference: string,
  ): Promise<ChangeRecordFact> {
    const fields = ["summary", "status"];
    if (need.windowFields) fields.push(need.windowFields.start, need.windowFields.end);
    const path = `/rest/api/3/issue/${encodeURIComponent(reference)}?fields=${fields.join(",")}`;
    const response = await client.request("jira", path);
    const base = { system: "jira" as const, reference };
    if (response.status === 404) {
      return { ...base, found: false, number: reference, title: "", state: "", url: "" };
    }
    if (!response.ok) throw await answerError("jira", response);
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
    async read(need, reference, scope) {
      const key = `${scope?.installation ?? "-"}\u0000${need.system}\u0000${need.windowFields?.start ?? ""}\u0000${need.windowFields?.end ?? ""}\u0000${reference}`;
      note(scope, key);
      const hit = cache.get(key);
      if (hit && now() - hit.at < cacheMs) return hit.fact;
      let fact: ChangeRecordFact;
      try {
        if (need.system === "servicenow") {
          if (!client.config.servicenow) return notConfigured(need.system, reference);
          fact = await readServiceNow(client.config.servicenow, reference);
        } else {
          if (!client.config.jira) return notConfigured(need.system, reference);
          fact = await readJira(client.config.jira, need, reference);
        }
      } catch (error) {
        // Errors are not cached: the next event asks again.
        const waitUntil = error instanceof ChangeSystemError ? error.waitUntil : undefined;
        return {
          ...failed(need.system, reference, describeFailure(error)),
          ...(isPassingFailure(error) ? { passing: true } : {}),
          ...(waitUntil !== undefined ? { askAgainAt: new Date(waitUntil).toISOString() } : {}),
        };
      }
      cache.set(key, { at: now(), fact });
      return fact;
    },
    forget(scope) {
      const subject = subjectKey(scope);
      for (const key of readBy.get(subject)?.keys ?? []) cache.delete(key);
      readBy.delete(subject);
    },
  };
}

function subjectKey(scope: ChangeRecordScope): string {
  return `${scope.installation ?? "-"}\u0000${scope.subject ?? ""}`;
}

/**
 * Looks up every reference each need's pattern finds in the subjects' texts, once per
 * reference. Beyond MAX_REFERENCES a need looks up nothing: its gate fails closed.
 */
export async function gatherChangeRecords(
  reader: ChangeRecordLookup,
  needs: readonly ChangeRecordNeed[],
  subjects: readonly ReferenceSubject[],
): Promise<ChangeRecordFact[]> {
  const facts: ChangeRecordFact[] = [];
  for (const need of needs) {
    let references: string[];
    try {
      references = distinctReferences(referencesBySubject(need.pattern, need.in, subjects));
    } catch {
      continue; // the kind reports the invalid pattern itself
    }
    if (references.length > MAX_REFERENCES) continue;
    for (const reference of references) {
      if (facts.some((f) => f.system === need.system && f.reference === reference)) continue;
      facts.push(await reader.read(need, reference));
    }
  }
  return facts;
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
  return failed(
    system,
    reference,
    `${SYSTEM_NAMES[system]} is not configured (set ${variablesOf(system)})`,
  );
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
