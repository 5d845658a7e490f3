import type { ApplicationFunction } from "probot";
import { createApp } from "./app.js";

/**
 * The entry `probot run` loads. Configuration comes from the environment Probot reads
 * (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET); see docs/deploy.md.
 */
const releasePolicy: ApplicationFunction = (app, options) =>
  createApp({
    appId: Number(process.env.APP_ID ?? 0),
    secret: process.env.WEBHOOK_SECRET ?? "",
  })(app, options);

export default releasePolicy;
