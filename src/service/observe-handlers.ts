// Counts and times every webhook handler the app registers, and keeps each one in the
// in-flight set that graceful shutdown waits on. The app registers its handlers through
// `app.on` as usual; this wraps that one method of the Probot instance it is given.
// Handlers log through `context.log`, whose lines carry the delivery id as `id`.
import type { Probot } from "probot";
import type { InFlight } from "./in-flight.js";
import type { WebhookMetrics } from "./metrics.js";
import type { Stopwatch } from "./octokit-metrics.js";

type On = Probot["on"];
type Handler = Parameters<On>[1];
type HandlerEvent = Parameters<Handler>[0];

export function observeHandlers(
  app: Probot,
  inFlight: InFlight,
  metrics: WebhookMetrics,
  now: Stopwatch = () => performance.now(),
): void {
  const on: On = app.on;
  const observed = (events: Parameters<On>[0], handler: Handler): void =>
    on(events, (event: HandlerEvent) =>
      inFlight.run(async () => {
        const started = now();
        const finish = (outcome: "handled" | "failed") =>
          metrics.finished(eventName(event), outcome, (now() - started) / 1000);
        try {
          withEventLog(event);
          await handler(event);
          finish("handled");
        } catch (error) {
          finish("failed");
          throw error;
        }
      }),
    );
  app.on = observed as On;
}

/**
 * The event's GitHub client logs its requests (Probot's request logging, throttle warnings)
 * with the app's logger; the event's own logger makes those lines carry the delivery id too.
 * Each event has a client of its own, so this changes no other event's lines.
 */
function withEventLog(event: HandlerEvent): void {
  event.octokit.log = event.log.child({ name: "github" });
}

/** `name.action`, as GitHub's documentation names events, or `name` for events without one. */
export function eventName(event: { name: string; payload: unknown }): string {
  const { payload } = event;
  const action =
    typeof payload === "object" && payload !== null && "action" in payload
      ? (payload as { action: unknown }).action
      : undefined;
  return typeof action === "string" ? `${event.name}.${action}` : event.name;
}
