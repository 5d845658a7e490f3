// The deliveries API on an app-authenticated Octokit (`await app.auth()` with no
// installation id: its requests carry the app's JWT, which these endpoints require).
import type { ProbotOctokit } from "probot";
import type { DeliveriesApi } from "./recovery.js";
import type { HookDelivery } from "./select.js";

type AppOctokit = InstanceType<typeof ProbotOctokit>;

/** GitHub's largest page: fewer requests per pass. */
const PER_PAGE = 100;

export function githubDeliveries(octokit: AppOctokit): DeliveriesApi {
  return {
    async *pages() {
      // Cursor-paginated: Octokit follows the `Link: rel="next"` URL, cursor included.
      const pages = octokit.paginate.iterator(octokit.rest.apps.listWebhookDeliveries, {
        per_page: PER_PAGE,
      });
      for await (const { data } of pages) yield data satisfies HookDelivery[];
    },
    async redeliver(deliveryId) {
      await octokit.rest.apps.redeliverWebhookDelivery({ delivery_id: deliveryId });
    },
  };
}
