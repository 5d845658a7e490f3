// Keeps the one release desk issue of an owner current. Any change to the desk's ledger asks
// for an edit; edits are coalesced to at most one per interval (a minute) per owner across
// instances (a store claim), and the change that falls inside the interval is written when it
// ends (a timer through the injected scheduler). The deferred edit is also marked in the
// store, so one a stopped process was waiting for is made by the next sweep on any instance
// (`editDue`): the last change is never lost to a restart. An edit is made only when the body
// changed, ignoring its "Updated" line, so redelivered events and re-checks of the same held
// deployment edit nothing. The desk shows only the repositories everyone who can read its own
// repository may read: that repository's visibility is read with its address, kept for an
// hour, and replaced at once when the `repository` webhook says it changed.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { createOnce, SEND_ONCE } from "../github/create.js";
import { isTransient, statusOf } from "../github/errors.js";
import type { Visibility } from "../facts/types.js";
import { visibilityOf } from "../facts/visibility.js";
import type { Octokit } from "../github/types.js";
import { parseDuration } from "../model/time/duration.js";
import { DESK_MARKER, renderDesk } from "../report/desk.js";
import { RECORD_LABEL } from "../report/release-record.js";
import type { Store } from "../store/store.js";
import type { DeskLedger } from "./desk-ledger.js";

/** The label the desk issue carries: the app finds its issue again by it. */
export const DESK_LABEL = "release-desk";
/** At most one edit of a desk issue per this interval by default. */
export const DEFAULT_DESK_INTERVAL_MS = 60 * 1000;
/** The issue's number is looked up again (one listing) after this long. */
const ISSUE_TTL_MS = 60 * 60 * 1000;
/** The desk repository's visibility is read again (one request) after this long. */
const VISIBILITY_TTL_MS = 60 * 60 * 1000;
const CREATE_CLAIM_MS = 5 * 60 * 1000;
/** The soonest a coalesced edit is tried again while another edit is still being written. */
const MIN_RETRY_MS = 100;
/** How long one edit may take (reading the ledger, GitHub's answer) beyond the interval. */
const WRITE_LEASE_MS = 2 * 60 * 1000;

/** Where an owner's desk lives and which environments count as production. */
export interface DeskPlace {
  owner: string;
  repository: string;
  production: readonly string[];
}

/** Deferred edits, across instances: each member a DueEdit in JSON. */
const DUE = "desk:due";
/** A deferred edit's mark lasts as long as a ledger entry may matter, and a bit. */
const DUE_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/** A deferred edit as marked in the store: where, and whose installation may write it. */
interface DueEdit {
  place: DeskPlace;
  installationId: number;
}

/** Runs a task at a time (holds/scheduler.ts's Scheduler fits). */
export interface DeskTimer {
  at(when: Date, task: () => Promise<void>): () => void;
}

interface IssueRef {
  number: number;
  url: string;
  /** The body last written, without its "Updated" line, hashed. */
  fingerprint: string;
}

export type DeskWrite = "created" | "updated" | "unchanged" | "busy";

/** What changed hands: the latest call's place and client, read when the edit runs. */
interface Latest {
  place: DeskPlace;
  octokit: Octokit;
  log: Logger;
  /** The installation the client is for: the deferred edit's mark names it, when known. */
  installationId?: number;
}

const dueMember = (latest: Latest): string | undefined =>
  latest.installationId === undefined
    ? undefined
    : JSON.stringify({
        place: {
          owner: latest.place.owner.toLowerCase(),
          repository: latest.place.repository.toLowerCase(),
          production: [...latest.place.production],
        },
        installationId: latest.installationId,
      } satisfies DueEdit);

export class DeskIssues {
  /** Edits waiting for the interval to end, by owner: each reads the ledger when it runs. */
  readonly #pending = new Map<string, () => void>();
  readonly #latest = new Map<string, Latest>();

  constructor(
    private readonly store: Store,
    private readonly appId: number,
    private readonly ledger: DeskLedger,
    private readonly timer: DeskTimer,
    private readonly now: () => Date,
    private readonly intervalMs = DEFAULT_DESK_INTERVAL_MS,
  ) {}

  /**
   * Something on the owner's desk changed: edit now if the interval allows, else when it ends.
   * With the installation's id, a deferred edit survives this process (editDue).
   */
  async changed(
    place: DeskPlace,
    octokit: Octokit,
    log: Logger,
    installationId?: number,
  ): Promise<void> {
    const key = place.owner.toLowerCase();
    this.#latest.set(key, {
      place,
      octokit,
      log,
      ...(installationId !== undefined ? { installationId } : {}),
    });
    // An edit is already due when the interval ends: it will read this change too.
    if (this.#pending.has(key)) return;
    await this.#attempt(key);
  }

  /**
   * Makes the deferred edits no timer of this process waits for: what a stopped process left
   * (the sweep runs it on every instance; the claim keeps it to one edit per interval).
   */
  async editDue(auth: (installationId: number) => Promise<Octokit>, log: Logger): Promise<void> {
    for (const member of await this.store.members(DUE)) {
      const due = JSON.parse(member) as DueEdit;
      const key = due.place.owner.toLowerCase();
      if (this.#pending.has(key)) continue;
      const octokit = await auth(due.installationId);
      this.#latest.set(key, { place: due.place, octokit, log, installationId: due.installationId });
      await this.#attempt(key);
    }
  }

  /** Edits waiting in this process for their interval to end (their timers never keep it alive). */
  get pending(): number {
    return this.#pending.size;
  }

  async #attempt(key: string): Promise<void> {
    const latest = this.#latest.get(key);
    if (!latest) return;
    const claim = `desk:edit:${key}`;
    const claimedAt = `desk:edit-claimed:${key}`;
    const now = this.now().getTime();
    // Held for the whole write, then cut back to the interval: a write that outlasts the
    // interval must not let another start from an older ledger and land after it.
    const lease = this.intervalMs + WRITE_LEASE_MS;
    if (!(await this.store.claim(claim, lease))) {
      // Edited (or being edited) within the interval: try again when it ends.
      const since = Number(await this.store.get(claimedAt));
      const due =
        Number.isFinite(since) && since > 0 ? since + this.intervalMs : now + this.intervalMs;
      const later = now + Math.max(MIN_RETRY_MS, this.intervalMs / 4);
      await this.#schedule(key, due > now ? due : later);
      return;
    }
    await this.store.set(claimedAt, String(now), lease);
    // Unmarked before the ledger is read: a change marked from here on is edited after this.
    const member = dueMember(latest);
    if (member) await this.store.removeFromSet(DUE, member);
    let result: DeskWrite;
    try {
      result = await this.write(latest.place, latest.octokit);
    } catch (error) {
      await this.store.delete(claim);
      // GitHub failing for now: the ledger keeps the change, written when the interval ends.
      if (isTransient(error)) await this.#schedule(key, this.now().getTime() + this.intervalMs);
      throw error;
    }
    const left = now + this.intervalMs - this.now().getTime();
    if ((result === "created" || result === "updated") && left > 0) {
      await this.store.set(claim, "1", left);
    } else {
      // Nothing was written, or the interval has passed: the next change may edit at once.
      await this.store.delete(claim);
      // Another instance is opening the issue from what it read: look again after it.
      if (result === "busy") await this.#schedule(key, this.now().getTime() + this.intervalMs);
    }
    latest.log.info(
      {
        event: "release-desk",
        owner: latest.place.owner,
        repository: latest.place.repository,
        result,
      },
      "release desk",
    );
  }

  async #schedule(key: string, at: number): Promise<void> {
    if (this.#pending.has(key)) return;
    const latest = this.#latest.get(key);
    const member = latest && dueMember(latest);
    // Marked for any instance's sweep, should this process stop before its timer.
    if (member) await this.store.addToSet(DUE, member, DUE_KEEP_MS);
    if (this.#pending.has(key)) return;
    const when = new Date(Math.max(at, this.now().getTime()));
    const cancel = this.timer.at(when, async () => {
      this.#pending.delete(key);
      try {
        await this.#attempt(key);
      } catch (error) {
        this.#latest
          .get(key)
          ?.log.warn({ err: error, owner: key }, "could not update the release desk");
      }
    });
    this.#pending.set(key, cancel);
  }

  /** Renders the desk from the ledger and writes it if it changed; no coalescing. */
  async write(place: DeskPlace, octokit: Octokit, retried = false): Promise<DeskWrite> {
    const issue = await this.#find(place, octokit);
    const { web, visibility } = await this.#repository(place, octokit, issue);
    const now = this.now();
    const production = new Set(place.production.map((p) => p.toLowerCase()));
    const snapshot = await this.ledger.snapshot(
      place.owner,
      web,
      now,
      (env) => production.has(env.toLowerCase()),
      visibility,
    );
    const query = encodeURIComponent(`user:${place.owner} label:${RECORD_LABEL} is:open`);
    const { title, body } = renderDesk(
      { ...snapshot, links: { releases: `${web}/search?q=${query}&type=issues` } },
      now,
    );
    const fingerprint = fingerprintOf(body);
    if (issue?.fingerprint === fingerprint) return "unchanged";
    const at = { owner: place.owner, repo: place.repository };
    if (!issue) {
      const claim = `${this.#key(place)}:create`;
      // Another instance is opening it: its edit, or the next change, shows this one.
      if (!(await this.store.claim(claim, CREATE_CLAIM_MS))) return "busy";
      try {
        const created = await createOnce(
          async () =>
            (
              await octokit.rest.issues.create({
                ...at,
                title,
                body,
                labels: [DESK_LABEL],
                ...SEND_ONCE,
              })
            ).data,
          async () => (await this.#list(place, octokit))[0],
        );
        await this.#remember(place, { number: created.number, url: created.html_url, fingerprint });
      } catch (error) {
        await this.store.delete(claim);
        throw error;
      }
      return "created";
    }
    try {
      await octokit.rest.issues.update({ ...at, issue_number: issue.number, title, body });
    } catch (error) {
      const status = statusOf(error);
      if ((status !== 404 && status !== 410) || retried) throw error;
      // Deleted or moved: look for the desk again (or open a new one).
      await this.store.delete(this.#key(place));
      return this.write(place, octokit, true);
    }
    await this.#remember(place, { ...issue, fingerprint });
    return "updated";
  }

  /** The desk issue: remembered, else the oldest open one the app opened with the label. */
  async #find(place: DeskPlace, octokit: Octokit): Promise<IssueRef | null> {
    const cached = await this.store.get(this.#key(place));
    if (cached) return JSON.parse(cached) as IssueRef;
    const [found] = await this.#list(place, octokit);
    if (!found) return null;
    const ref = {
      number: found.number,
      url: found.html_url,
      fingerprint: fingerprintOf(found.body ?? ""),
    };
    await this.#remember(place, ref);
    return ref;
  }

  async #list(
    place: DeskPlace,
    octokit: Octokit,
  ): Promise<{ number: number; html_url: string; body?: string | null }[]> {
    const { data } = await octokit.rest.issues.listForRepo({
      owner: place.owner,
      repo: place.repository,
      labels: DESK_LABEL,
      state: "open",
      sort: "created",
      direction: "asc",
      per_page: 100,
    });
    return data.filter(
      (issue) =>
        issue.pull_request === undefined &&
        issue.performed_via_github_app?.id === this.appId &&
        (issue.body ?? "").startsWith(DESK_MARKER),
    );
  }

  /**
   * The desk repository's visibility as GitHub said it last (the `repository` webhook, or its
   * read): the rows it may show follow it from the next edit.
   */
  async setVisibility(
    place: Pick<DeskPlace, "owner" | "repository">,
    visibility: Visibility,
  ): Promise<void> {
    await this.store.set(this.#visibilityKey(place), visibility, VISIBILITY_TTL_MS);
  }

  /**
   * The GitHub host's web address and who can read the desk's repository: from the issue and
   * the kept visibility, else from the repository itself (one request, kept for an hour).
   */
  async #repository(
    place: DeskPlace,
    octokit: Octokit,
    issue: IssueRef | null,
  ): Promise<{ web: string; visibility: Visibility }> {
    const kept = visibilityOf({ visibility: await this.store.get(this.#visibilityKey(place)) });
    if (issue && kept) return { web: webOf(issue.url), visibility: kept };
    const read = await this.#read(place, octokit);
    await this.setVisibility(place, read.visibility);
    return { web: issue ? webOf(issue.url) : read.web, visibility: read.visibility };
  }

  /** The desk repository's page: the host's address, and its visibility (public if unsaid). */
  async #read(
    place: DeskPlace,
    octokit: Octokit,
  ): Promise<{ web: string; visibility: Visibility }> {
    try {
      const { data } = await octokit.rest.repos.get({ owner: place.owner, repo: place.repository });
      return {
        web: data.html_url.slice(0, data.html_url.length - `/${data.full_name}`.length),
        // Unsaid is read as the most open: the desk then shows public repositories only.
        visibility: visibilityOf(data) ?? "public",
      };
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      throw new Error(
        `the release desk's repository ${place.owner}/${place.repository} cannot be read: create it and install the app on it, or name another repository in desk.repository of ${place.owner}/.github's policy`,
        { cause: error },
      );
    }
  }

  async #remember(place: DeskPlace, ref: IssueRef): Promise<void> {
    await this.store.set(this.#key(place), JSON.stringify(ref), ISSUE_TTL_MS);
  }

  #key(place: DeskPlace): string {
    return `desk:issue:${place.owner}/${place.repository}`.toLowerCase();
  }

  #visibilityKey(place: Pick<DeskPlace, "owner" | "repository">): string {
    return `desk:repository-visibility:${place.owner}/${place.repository}`.toLowerCase();
  }
}

/** "https://github.com" from an issue's page ("https://github.com/acme/.github/issues/3"). */
export function webOf(issueUrl: string): string {
  return issueUrl.replace(/\/[^/]+\/[^/]+\/issues\/\d+$/, "");
}

/** The body without its "Updated" line: the desk is unchanged when only the time moved. */
export function fingerprintOf(body: string): string {
  const steady = body.replace(/^_Updated [^\n]*_$/m, "");
  return createHash("sha256").update(steady).digest("hex");
}

/** DESK_EDIT_INTERVAL from the environment (default 1m, at least 1s); throws on a typo. */
export function deskIntervalOf(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.DESK_EDIT_INTERVAL?.trim();
  if (!text) return DEFAULT_DESK_INTERVAL_MS;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new Error(`DESK_EDIT_INTERVAL: ${(error as Error).message}`, { cause: error });
  }
  if (ms < 1000) throw new Error(`DESK_EDIT_INTERVAL: "${text}" is shorter than 1s`);
  return ms;
}
