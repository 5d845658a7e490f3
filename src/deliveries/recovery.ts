// One recovery pass: list the app's recent webhook deliveries, pick the failed ones
// (select.ts), and ask GitHub to redeliver each once. The store remembers what was asked,
// with a claim, so two instances sharing it never both ask for the same delivery.
import type { Logger } from "pino";
import type { Clock, Store } from "../store/store.js";
import {
  DEFAULT_BOUNDS,
  failedGuids,
  lookbackStart,
  readNextPage,
  selectRedeliveries,
  type Bounds,
  type HookDelivery,
} from "./select.js";

/** GitHub's two endpoints for an app's webhook deliveries (JWT auth). */
export interface DeliveriesApi {
  /** `GET /app/hook/deliveries`, page after page, newest first. */
  pages(): AsyncIterable<readonly HookDelivery[]>;
  /** `POST /app/hook/deliveries/{delivery_id}/attempts`. */
  redeliver(deliveryId: number): Promise<void>;
}

export interface RedeliveryMetrics {
  /** A redelivery was asked for (`requested`), or asking failed (`failed`). */
  redelivery(result: "requested" | "failed"): void;
}

export const NO_REDELIVERY_METRICS: RedeliveryMetrics = { redelivery: () => undefined };

export interface RecoveryLimits {
  maxPages: number;
  maxRequests: number;
  lookbackMs: number;
  marginMs: number;
  /** Failed requests for one delivery before the app stops asking (and says so). */
  maxFailures: number;
}

export const DEFAULT_LIMITS: RecoveryLimits = { ...DEFAULT_BOUNDS, maxFailures: 3 };

export interface RecoveryDeps {
  /** An app-authenticated client, made per pass. */
  api: () => Promise<DeliveriesApi>;
  store: Store;
  clock: Clock;
  log: Pick<Logger, "info" | "warn" | "error">;
  metrics?: RedeliveryMetrics;
  limits?: Partial<RecoveryLimits>;
  /** True once the service is shutting down: the pass stops before its next request. */
  stopping?: () => boolean;
}

export interface PassReport {
  /** Failed deliveries (by guid) in the window, asked for already or not. */
  found: number;
  requested: number;
  failed: number;
  /** Left for a later pass by the per-pass bound. */
  deferred: number;
  pages: number;
  /** Listed everything in the window and every request went through. */
  complete: boolean;
}

// GitHub keeps deliveries for 3 days: what was asked for need not be remembered longer.
const REMEMBER_MS = 4 * 24 * 60 * 60 * 1000;
const LAST_PASS_KEY = "redelivery:last-complete-pass";
export const askedKey = (guid: string): string => `redelivery:asked:${guid}`;
const failuresKey = (guid: string): string => `redelivery:failures:${guid}`;

export async function recoverDeliveries(deps: RecoveryDeps): Promise<PassReport> {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const metrics = deps.metrics ?? NO_REDELIVERY_METRICS;
  const stopping = deps.stopping ?? (() => false);
  const started = deps.clock();
  const report: PassReport = {
    found: 0,
    requested: 0,
    failed: 0,
    deferred: 0,
    pages: 0,
    complete: false,
  };
  try {
    const lastPass = await deps.store.get(LAST_PASS_KEY);
    const bounds: Bounds = {
      since: lookbackStart(
        started,
        lastPass ? new Date(lastPass) : undefined,
        limits.lookbackMs,
        limits.marginMs,
      ),
      maxPages: limits.maxPages,
      maxRequests: limits.maxRequests,
    };
    const api = await deps.api();
    const deliveries: HookDelivery[] = [];
    let truncated = false;
    for await (const page of api.pages()) {
      report.pages += 1;
      deliveries.push(...page);
      if (!readNextPage(page, report.pages, bounds)) {
        truncated = report.pages >= bounds.maxPages && page.length > 0;
        break;
      }
      if (stopping()) return report;
    }
    const asked = await askedAlready(deps.store, failedGuids(deliveries, bounds.since));
    const selection = selectRedeliveries(deliveries, asked, bounds);
    report.found = selection.failed;
    report.deferred = selection.deferred;
    for (const delivery of selection.redeliver) {
      if (stopping()) return report;
      // Another instance may have asked since the store was read: the claim decides.
      if (!(await deps.store.claim(askedKey(delivery.guid), REMEMBER_MS))) continue;
      if (await ask(deps, api, delivery, limits.maxFailures)) {
        report.requested += 1;
        metrics.redelivery("requested");
      } else {
        report.failed += 1;
        metrics.redelivery("failed");
      }
    }
    report.complete = !truncated && report.failed === 0 && selection.deferred === 0;
    // A pass that left work behind does not move the window: the next one looks as far back.
    if (report.complete) await deps.store.set(LAST_PASS_KEY, started.toISOString(), REMEMBER_MS);
    if (truncated)
      deps.log.warn(
        { pages: report.pages },
        "webhook deliveries: more deliveries in the window than one pass reads; older ones were not looked at",
      );
    deps.log.info({ ...report, since: bounds.since.toISOString() }, "webhook deliveries checked");
  } catch (error) {
    deps.log.error({ err: error, ...report }, "webhook deliveries could not be checked");
  }
  return report;
}

/** The guids this app (any instance) asked GitHub to redeliver already. */
async function askedAlready(store: Store, guids: readonly string[]): Promise<Set<string>> {
  const values = await Promise.all(guids.map((guid) => store.get(askedKey(guid))));
  return new Set(guids.filter((_, i) => values[i] !== null));
}

/**
 * Asks once; on failure releases the claim so a later pass asks again, until the delivery
 * has failed `maxFailures` times: then the claim stays and the app stops asking.
 */
async function ask(
  deps: RecoveryDeps,
  api: DeliveriesApi,
  delivery: HookDelivery,
  maxFailures: number,
): Promise<boolean> {
  const about = {
    delivery: delivery.guid,
    deliveryId: delivery.id,
    event: delivery.action ? `${delivery.event}.${delivery.action}` : delivery.event,
    status: delivery.status,
    statusCode: delivery.status_code,
  };
  try {
    await api.redeliver(delivery.id);
    deps.log.info(about, "asked GitHub to redeliver a failed webhook");
    return true;
  } catch (error) {
    const failures = Number((await deps.store.get(failuresKey(delivery.guid))) ?? 0) + 1;
    await deps.store.set(failuresKey(delivery.guid), String(failures), REMEMBER_MS);
    if (failures < maxFailures) {
      await deps.store.delete(askedKey(delivery.guid));
      deps.log.warn(
        { ...about, err: error, failures },
        "redelivery request failed; will ask again",
      );
    } else {
      deps.log.error(
        { ...about, err: error, failures },
        "redelivery request failed too often; redeliver it by hand",
      );
    }
    return false;
  }
}
