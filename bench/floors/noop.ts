/**
 * The first floor: a Probot app whose handler does nothing. What it costs per webhook is
 * what Probot itself costs (signature check, parsing, routing), before any app logic.
 */
import type { ApplicationFunction } from "probot";

const noop: ApplicationFunction = (app) => {
  app.onAny(async () => {});
};

export default noop;
