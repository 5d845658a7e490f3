// Which of the app's failed webhook deliveries to ask GitHub for again: pure, so every rule
// (what counts as delivered, how far back to look, how many per pass) is tested without
// GitHub. The effects that list and redeliver live in recovery.ts.

/** The fields of GitHub's `hook-delivery-item` that the selection reads. */
export interface HookDelivery {
  /** This attempt; what `POST /app/hook/deliveries/{delivery_id}/attempts` takes. */
  id: number;
  /** The X-GitHub-Delivery: shared by the original attempt and its redeliveries. */
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  /** "OK", or what went wrong ("failed to connect", "Invalid HTTP Response: 503"). */
  status: string;
  /** The app's HTTP answer; 0 when GitHub never got one. */
  status_code: number;
  event: string;
  action: string | null;
}

export interface Bounds {
  /** Deliveries before this are not looked at (nor listed further back). */
  since: Date;
  /** Pages read per pass at most. */
  maxPages: number;
  /** Redeliveries asked per pass at most. */
  maxRequests: number;
}

export const DEFAULT_BOUNDS = {
  maxPages: 10,
  maxRequests: 20,
  /** How far back a pass looks when no pass completed recently (GitHub keeps 3 days). */
  lookbackMs: 6 * 60 * 60 * 1000,
  /**
   * Overlap with the last complete pass: a delivery GitHub lists a little late (a slow
   * attempt is recorded when it ends) is still seen.
   */
  marginMs: 15 * 60 * 1000,
} as const;

/** One attempt succeeded: GitHub says "OK", or the app answered with a 2xx. */
export function succeeded(delivery: HookDelivery): boolean {
  return delivery.status === "OK" || (delivery.status_code >= 200 && delivery.status_code < 300);
}

/**
 * Where a pass starts looking: the last complete pass minus a margin, but never further
 * back than the lookback window (after a long outage, the window bounds the work).
 */
export function lookbackStart(
  now: Date,
  lastCompletePass: Date | undefined,
  lookbackMs: number = DEFAULT_BOUNDS.lookbackMs,
  marginMs: number = DEFAULT_BOUNDS.marginMs,
): Date {
  const window = now.getTime() - lookbackMs;
  if (!lastCompletePass) return new Date(window);
  return new Date(Math.max(window, lastCompletePass.getTime() - marginMs));
}

/**
 * Whether to read the page after `page` (GitHub lists newest first): not when this one was
 * empty, reached back before `since`, or was the last page a pass may read.
 */
export function readNextPage(
  page: readonly HookDelivery[],
  pagesRead: number,
  bounds: Bounds,
): boolean {
  if (page.length === 0 || pagesRead >= bounds.maxPages) return false;
  const oldest = Math.min(...page.map((d) => Date.parse(d.delivered_at)));
  return oldest >= bounds.since.getTime();
}

export interface Selection {
  /** The attempt to redeliver per failed guid, oldest first, at most `maxRequests`. */
  redeliver: HookDelivery[];
  /** Guids in the window that failed and were never delivered since, asked for or not. */
  failed: number;
  /** Failed guids left for a later pass by the per-pass bound. */
  deferred: number;
}

/**
 * The guids whose every attempt failed, none of them a redelivery (someone, the app or a
 * person, asked once already: GitHub's record says so), not in `asked` (the app's own
 * record, which also covers a request GitHub has not acted on yet), with a failure since
 * `bounds.since`. Grouping is by guid over every page read, because an original and its
 * redelivery may sit on different pages.
 */
export function selectRedeliveries(
  deliveries: readonly HookDelivery[],
  asked: ReadonlySet<string>,
  bounds: Bounds,
): Selection {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const delivery of deliveries) {
    const attempts = byGuid.get(delivery.guid) ?? [];
    attempts.push(delivery);
    byGuid.set(delivery.guid, attempts);
  }
  let failed = 0;
  const candidates: HookDelivery[] = [];
  for (const [guid, attempts] of byGuid) {
    if (attempts.some(succeeded) || attempts.some((d) => d.redelivery)) continue;
    const latest = attempts.reduce((a, b) => (time(b) > time(a) ? b : a));
    if (time(latest) < bounds.since.getTime()) continue;
    failed += 1;
    if (!asked.has(guid)) candidates.push(latest);
  }
  // Oldest first: events replay in the order they happened.
  candidates.sort((a, b) => time(a) - time(b) || a.id - b.id);
  const redeliver = candidates.slice(0, bounds.maxRequests);
  return { redeliver, failed, deferred: candidates.length - redeliver.length };
}

/**
 * Guids with a failure since `since` and no success or redelivery: the only ones worth
 * asking the store about (a pass reads up to a thousand deliveries, mostly fine).
 */
export function failedGuids(deliveries: readonly HookDelivery[], since: Date): string[] {
  const fine = new Set<string>();
  for (const d of deliveries) if (succeeded(d) || d.redelivery) fine.add(d.guid);
  const recent = deliveries.filter((d) => time(d) >= since.getTime()).map((d) => d.guid);
  return [...new Set(recent)].filter((guid) => !fine.has(guid));
}

const time = (delivery: HookDelivery): number => Date.parse(delivery.delivered_at);
