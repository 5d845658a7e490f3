// What the release desk remembers per installation owner, in the store: held deployments,
// releases in flight, deployments of the last days and each environment's window. The store
// cannot list keys, so each kind has an index set (atomic in every backend: writers in several
// instances each add their member and none is lost) and one entry per member, which expires
// on its own; an index member whose entry has expired is dropped when read. Each repository's
// visibility is kept beside its rows: a desk shows only the rows its own readers may read.
import type {
  DeskDeployment,
  DeskEnvironment,
  DeskHold,
  DeskRelease,
  DeskSnapshot,
} from "../facts/desk.js";
import type { Visibility } from "../facts/types.js";
import { moreClosed, readableBy, visibilityOf } from "../facts/visibility.js";
import type { Store } from "../store/store.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** GitHub keeps a deployment waiting for a protection rule at most 30 days. */
const HOLD_TTL_MS = 30 * DAY_MS;
/** A release record nothing touched for this long has left the desk. */
const RELEASE_TTL_MS = 30 * DAY_MS;
/** Deployments are shown for 7 days (shipped) and today (calendar): kept a day longer. */
const DEPLOYMENT_TTL_MS = 8 * DAY_MS;
/** An environment's window, as the last decision in its repository read the policy. */
const ENVIRONMENT_TTL_MS = 30 * DAY_MS;
/**
 * A repository's visibility outlives every row it may have: once expired it is unknown, so its
 * rows are hidden until an event of the repository says it again.
 */
const VISIBILITY_TTL_MS = 60 * DAY_MS;
/** Most entries of one kind read for one desk: the issue shows 25 rows of each. */
export const LEDGER_READ_LIMIT = 300;

/** A held deployment's review link is kept as a path; the desk resolves it on its own host. */
export type LedgerHold = Omit<DeskHold, "reviewUrl"> & { reviewPath: string };

/** A repository's visibility as the desk knows it; `changed` when from a visibility change. */
interface KnownVisibility {
  visibility: Visibility;
  changed?: true;
}

type Kind = "hold" | "release" | "deployment" | "environment";

const TTL: Record<Kind, number> = {
  hold: HOLD_TTL_MS,
  release: RELEASE_TTL_MS,
  deployment: DEPLOYMENT_TTL_MS,
  environment: ENVIRONMENT_TTL_MS,
};

export interface LedgerOptions {
  /**
   * Whether the app still holds the deployment (its hold registry, by hold key): a hold
   * released without a decision the desk heard of (GitHub had the answer already, the hold
   * expired) leaves the desk at its next edit.
   */
  held?: (id: string) => Promise<boolean>;
}

export class DeskLedger {
  constructor(
    private readonly store: Store,
    private readonly options: LedgerOptions = {},
  ) {}

  putHold(owner: string, id: string, hold: LedgerHold): Promise<void> {
    return this.#put(owner, "hold", id, { ...hold, id });
  }

  removeHold(owner: string, id: string): Promise<void> {
    return this.#remove(owner, "hold", id);
  }

  putRelease(owner: string, release: DeskRelease): Promise<void> {
    return this.#put(owner, "release", releaseId(release), release);
  }

  removeRelease(owner: string, release: Pick<DeskRelease, "repo" | "tag">): Promise<void> {
    return this.#remove(owner, "release", releaseId(release));
  }

  /** A deployment by GitHub's id: a later status of the same deployment replaces it. */
  putDeployment(owner: string, id: number, deployment: DeskDeployment): Promise<void> {
    return this.#put(owner, "deployment", String(id), deployment);
  }

  async deployment(owner: string, id: number): Promise<DeskDeployment | null> {
    const raw = await this.store.get(entryKey(owner, "deployment", String(id)));
    return raw === null ? null : (JSON.parse(raw) as DeskDeployment);
  }

  putEnvironment(owner: string, environment: DeskEnvironment & { repo: string }): Promise<void> {
    const id = `${environment.repo}@${environment.environment}`.toLowerCase();
    return this.#put(owner, "environment", id, environment);
  }

  /**
   * What an event of `repo` ("owner/name") said of its visibility. An event may be handled
   * late, after the repository changed, so it can only close the repository further, never
   * open it; and once GitHub told of a change (`setVisibility`), only another change moves it.
   */
  async noteVisibility(owner: string, repo: string, visibility: Visibility): Promise<void> {
    const known = await this.#visibility(owner, repo);
    if (known?.changed || !moreClosed(visibility, known?.visibility)) return;
    await this.#setVisibility(owner, repo, { visibility });
  }

  /** The repository was made public or private (the `repository` webhook): it is this now. */
  setVisibility(owner: string, repo: string, visibility: Visibility): Promise<void> {
    return this.#setVisibility(owner, repo, { visibility, changed: true });
  }

  async visibility(owner: string, repo: string): Promise<Visibility | undefined> {
    return (await this.#visibility(owner, repo))?.visibility;
  }

  async #visibility(owner: string, repo: string): Promise<KnownVisibility | undefined> {
    const raw = await this.store.get(visibilityKey(owner, repo));
    if (raw === null) return undefined;
    const known = JSON.parse(raw) as Partial<KnownVisibility>;
    const visibility = visibilityOf({ visibility: known.visibility ?? null });
    return visibility ? { visibility, ...(known.changed ? { changed: true } : {}) } : undefined;
  }

  #setVisibility(owner: string, repo: string, known: KnownVisibility): Promise<void> {
    return this.store.set(visibilityKey(owner, repo), JSON.stringify(known), VISIBILITY_TTL_MS);
  }

  /**
   * Everything the desk shows for `owner` to readers of a repository of `audience` visibility:
   * rows of a repository only where everyone who reads the desk may read that repository
   * (docs/desk.md). Review links are resolved against `web` (the GitHub host's address,
   * "https://github.com"). Deployments are split into today's (the last 24 hours, drawn on
   * the calendar) and those to the production environments.
   */
  async snapshot(
    owner: string,
    web: string,
    now: Date,
    isProduction: (environment: string) => boolean,
    audience: Visibility,
  ): Promise<DeskSnapshot> {
    const all = {
      holds: await this.#liveHolds(owner),
      releases: await this.#read<DeskRelease>(owner, "release"),
      deployments: await this.#read<DeskDeployment>(owner, "deployment"),
      environments: await this.#read<DeskEnvironment & { repo: string }>(owner, "environment"),
    };
    const shown = await this.#readable(owner, audience, Object.values(all).flat());
    const holds = all.holds.filter(shown);
    const releases = all.releases.filter(shown);
    const deployments = all.deployments.filter(shown);
    const environments = all.environments.filter(shown);
    const dayAgo = now.getTime() - DAY_MS;
    return {
      holds: holds.map(({ reviewPath, ...hold }) => ({
        ...hold,
        reviewUrl: `${web}${reviewPath}`,
      })),
      releases,
      environments: calendarEnvironments(environments),
      today: deployments.filter((d) => Date.parse(d.at) >= dayAgo),
      shipped: deployments.filter((d) => isProduction(d.environment) && d.outcome !== "rejected"),
    };
  }

  /** Which rows' repositories `audience` may read: each repository's visibility read once. */
  async #readable(
    owner: string,
    audience: Visibility,
    rows: readonly { repo: string }[],
  ): Promise<(row: { repo: string }) => boolean> {
    const readable = new Set<string>();
    for (const repo of new Set(rows.map((row) => row.repo.toLowerCase()))) {
      if (readableBy(await this.visibility(owner, repo), audience)) readable.add(repo);
    }
    return (row) => readable.has(row.repo.toLowerCase());
  }

  async #liveHolds(owner: string): Promise<LedgerHold[]> {
    const held = this.options.held;
    const live: LedgerHold[] = [];
    for (const { id, ...hold } of await this.#read<LedgerHold & { id?: string }>(owner, "hold")) {
      if (id === undefined || !held || (await held(id))) live.push(hold);
      else await this.#remove(owner, "hold", id);
    }
    return live;
  }

  async #put(owner: string, kind: Kind, id: string, value: object): Promise<void> {
    // The entry first: a reader that finds the member finds its entry.
    await this.store.set(entryKey(owner, kind, id), JSON.stringify(value), TTL[kind]);
    await this.store.addToSet(indexKey(owner, kind), id, TTL[kind]);
  }

  async #remove(owner: string, kind: Kind, id: string): Promise<void> {
    await this.store.removeFromSet(indexKey(owner, kind), id);
    await this.store.delete(entryKey(owner, kind, id));
  }

  /** The newest LEDGER_READ_LIMIT entries of a kind; members whose entry expired are dropped. */
  async #read<T>(owner: string, kind: Kind): Promise<T[]> {
    const ids = (await this.store.members(indexKey(owner, kind))).slice(-LEDGER_READ_LIMIT);
    const values: T[] = [];
    for (const id of ids) {
      const raw = await this.store.get(entryKey(owner, kind, id));
      if (raw === null) await this.store.removeFromSet(indexKey(owner, kind), id);
      else values.push(JSON.parse(raw) as T);
    }
    return values;
  }
}

const releaseId = (release: Pick<DeskRelease, "repo" | "tag">): string =>
  `${release.repo.toLowerCase()}@${release.tag}`;

const visibilityKey = (owner: string, repo: string): string =>
  `desk:visibility:${owner.toLowerCase()}:${repo.toLowerCase()}`;

const indexKey = (owner: string, kind: Kind): string => `desk:${kind}s:${owner.toLowerCase()}`;

const entryKey = (owner: string, kind: Kind, id: string): string =>
  `desk:${kind}:${owner.toLowerCase()}:${id}`;

/**
 * One calendar row per environment name when every repository that has it shares its window;
 * a row per repository only where they differ, so twenty services with the same production
 * window draw one row.
 */
export function calendarEnvironments(
  environments: readonly (DeskEnvironment & { repo: string })[],
): DeskEnvironment[] {
  const byName = new Map<string, (DeskEnvironment & { repo: string })[]>();
  for (const env of environments) {
    const key = env.environment.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), env]);
  }
  return [...byName.values()].flatMap((group) => {
    const windows = new Set(group.map((env) => JSON.stringify(env.window ?? null)));
    const [first] = group;
    if (windows.size === 1 && first) {
      return [
        { environment: first.environment, ...(first.window ? { window: first.window } : {}) },
      ];
    }
    return group;
  });
}
