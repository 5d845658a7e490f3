import type { ApplicationFunction, Probot } from "probot";
import { buildDeps } from "./app-deps.js";
import type { AppOptions } from "./handlers/deps.js";
import { routeEvents } from "./handlers/router.js";

/** Builds the Probot app from explicit dependencies (tests inject a clock and a store). */
export function createApp(options: AppOptions): ApplicationFunction {
  return (app: Probot) => {
    const { deps, start } = buildDeps(options, app);
    routeEvents(app, deps);
    start();
  };
}
