import type { ApplicationFunction } from "probot";
import { createApp } from "./app.js";
import type { AppOptions } from "./handlers/deps.js";
import { storeFromEnv } from "./store-from-env.js";
import { changeSystemsFromEnv } from "./facts/change-record-clients.js";
import { SERVICE_TIMING } from "./handlers/timing.js";
import { RE_EVALUATION_ATTEMPTS, retryBaseMsOf } from "./github/back-off.js";
import { recheckIntervalOf } from "./holds/recheck-interval.js";
import { notifyEnvOf } from "./notify-deps.js";
import { deskIntervalOf } from "./effects/desk-issue.js";
import { checkSecret } from "./start-checks.js";

/**
 * The entry `probot run` loads. Configuration comes from the environment Probot reads
 * (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, REDIS_URL); see docs/deploy.md.
 */
export const releasePolicyWith =
  (
    extra: Pick<
      AppOptions,
      "metrics" | "changeSystemMetrics" | "timing" | "store" | "sweepIntervalMs" | "notifications"
    > = {},
  ): ApplicationFunction =>
  (app, options) => {
    // Probot loads the app only with credentials: from here on, webhooks act on repositories.
    checkSecret(process.env);
    return createApp({
      appId: Number(process.env.APP_ID ?? 0),
      secret: process.env.WEBHOOK_SECRET ?? "",
      // The service passes the store it also uses to recover failed deliveries.
      ...(extra.store ? {} : storeFromEnv(process.env, app.log)),
      // A failed evaluation is tried again after a back-off (docs/deploy.md, "When GitHub fails").
      reEvaluation: { baseMs: retryBaseMsOf(process.env), attempts: RE_EVALUATION_ATTEMPTS },
      holdRecheckIntervalMs: recheckIntervalOf(process.env),
      deskIntervalMs: deskIntervalOf(process.env),
      // ServiceNow and Jira for change_record gates (docs/deploy.md).
      changeSystems: changeSystemsFromEnv(process.env),
      ...extra,
      // A running service settles bursts of events per pull request and answers webhooks
      // before evaluating (src/handlers/timing.ts).
      timing: { ...SERVICE_TIMING, ...extra.timing },
      // The Slack and Teams webhook URLs policies name under `notify` (docs/notifications.md).
      notifications: { env: notifyEnvOf(process.env), ...extra.notifications },
    })(app, options);
  };

/** The server entry (src/server.ts) adds its metrics through `releasePolicyWith`. */
const releasePolicy: ApplicationFunction = releasePolicyWith();

export default releasePolicy;
