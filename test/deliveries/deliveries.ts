// Deliveries as GitHub lists them, for the recovery tests.
import type { HookDelivery } from "../../src/deliveries/select.js";

let ids = 100;

export const NOW = new Date("2026-12-02T12:00:00Z");

/** One attempt, `minutesAgo` before NOW; failed to connect unless `statusCode` says otherwise. */
export function attempt(
  guid: string,
  minutesAgo: number,
  statusCode = 0,
  extra: Partial<HookDelivery> = {},
): HookDelivery {
  return {
    id: ++ids,
    guid,
    delivered_at: new Date(NOW.getTime() - minutesAgo * 60_000)
      .toISOString()
      .replace(/\.\d+Z$/, "Z"),
    redelivery: false,
    status:
      statusCode >= 200 && statusCode < 300
        ? "OK"
        : statusCode === 0
          ? "failed to connect"
          : `Invalid HTTP Response: ${statusCode}`,
    status_code: statusCode,
    event: "pull_request",
    action: "opened",
    ...extra,
  };
}
