// Open pull requests whose check waits on a change system (a change_record gate pending):
// ServiceNow and Jira send GitHub no webhook when a change is approved, so without a watch
// such a check would stay in progress until the pull request's next event or a person's
// `/recheck`. Like holds, watches live in the store (an index set names them), so another
// instance or the next process sweeps them; a lease per (pull request, due time) lets one
// instance make each look.
import type { RepoRef } from "../facts/types.js";
import type { Store } from "../store/store.js";
import { HOLD_TTL_MS } from "./registry.js";

const INDEX_KEY = "pull-watch:index";
/** A look takes seconds; one left unfinished is taken over by the next sweep after this. */
const LOOK_LEASE_MS = 20_000;

export interface WatchedPull {
  repo: RepoRef;
  number: number;
  installationId: number;
  /** ISO 8601: when the pull request is next looked at. */
  dueAt: string;
}

const keyOf = (repo: RepoRef, number: number): string =>
  `${repo.owner}/${repo.repo}#${number}`.toLowerCase();

export class PullWatch {
  constructor(
    private readonly store: Store,
    private readonly intervalMs: number,
  ) {}

  /**
   * Looks at the pull request again an interval from `now` (each evaluation still waiting says
   * so), and not before `notBefore` (ISO 8601), the time a change system asked to wait until.
   */
  async watch(
    repo: RepoRef,
    number: number,
    installationId: number,
    now: Date,
    notBefore?: string,
  ): Promise<void> {
    const key = keyOf(repo, number);
    const later = notBefore === undefined ? 0 : Date.parse(notBefore) || 0;
    const dueAt = new Date(Math.max(now.getTime() + this.intervalMs, later)).toISOString();
    const entry: WatchedPull = { repo, number, installationId, dueAt };
    await this.store.set(`pull-watch:${key}`, JSON.stringify(entry), HOLD_TTL_MS);
    await this.store.addToSet(INDEX_KEY, key, HOLD_TTL_MS);
  }

  /** Every evaluation that does not wait says so: one read when nothing was watched. */
  async unwatch(repo: RepoRef, number: number): Promise<void> {
    const key = keyOf(repo, number);
    if ((await this.store.get(`pull-watch:${key}`)) === null) return;
    await this.store.delete(`pull-watch:${key}`);
    await this.store.removeFromSet(INDEX_KEY, key);
  }

  /**
   * The watched pull requests due at `now` whose look this caller claimed. Each claimed one
   * is due again an interval later before it is handed out: a look that fails or is cut
   * short by a crash is made again then, and one that finds nothing waiting unwatches it.
   */
  async claimDue(now: Date): Promise<WatchedPull[]> {
    const claimed: WatchedPull[] = [];
    for (const key of await this.store.members(INDEX_KEY)) {
      const raw = await this.store.get(`pull-watch:${key}`);
      if (raw === null) {
        await this.store.removeFromSet(INDEX_KEY, key); // expired with its pull request
        continue;
      }
      const entry = JSON.parse(raw) as WatchedPull;
      if (Date.parse(entry.dueAt) > now.getTime()) continue;
      if (!(await this.store.claim(`pull-watch:look:${key}:${entry.dueAt}`, LOOK_LEASE_MS))) {
        continue;
      }
      await this.watch(entry.repo, entry.number, entry.installationId, now);
      claimed.push(entry);
    }
    return claimed;
  }
}
