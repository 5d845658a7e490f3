import type { Probot } from "probot";

/** The Probot app: wires each GitHub event family to its handler. */
export default function releasePolicy(app: Probot): void {
  app.log.info("release-policy loaded");
}
