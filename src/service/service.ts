// The app as a service: its webhook handlers counted and tracked for shutdown, its GitHub
// clients measured, and /healthz, /readyz and /metrics beside the webhook path.
import { ProbotOctokit, type ApplicationFunction, type Probot } from "probot";
import type { InFlight } from "./in-flight.js";
import type { GitHubMetrics, ServiceMetrics } from "./metrics.js";
import { githubMetricsPlugin } from "./octokit-metrics.js";
import { observeHandlers } from "./observe-handlers.js";
import { AppReadiness, type ReadinessOptions } from "./readiness.js";
import { serviceRoutes } from "./routes.js";

export interface Service {
  metrics: ServiceMetrics;
  inFlight: InFlight;
  /** Readiness caching and clock; the defaults suit production. */
  readiness?: Omit<ReadinessOptions, "authenticate">;
  /** METRICS_TOKEN: when set, /metrics asks for it as a bearer token. */
  metricsToken?: string;
}

/** `appFn` with the service's routes and handler tracking. Load it into a Probot Server. */
export function serviceApp(appFn: ApplicationFunction, service: Service): ApplicationFunction {
  return async (app, options) => {
    const readiness = new AppReadiness({
      ...service.readiness,
      authenticate: () => authenticateAsApp(app),
      log: app.log.child({ name: "readiness" }),
    });
    options.addHandler(
      serviceRoutes({
        readiness: () => readiness.check(),
        registry: service.metrics.registry,
        ...(service.metricsToken ? { metricsToken: service.metricsToken } : {}),
      }),
    );
    // Probot's registration flow without a webhook proxy registers `<address>/` as the
    // webhook URL: deliveries posted there are verified and received as on the webhook path.
    const atRoot = await app.getNodeMiddleware({ path: "/" });
    options.addHandler((req, res) => (req.method === "POST" ? atRoot(req, res) : false));
    observeHandlers(app, service.inFlight, service.metrics.webhooks);
    await appFn(app, options);
  };
}

/** ProbotOctokit whose every request is measured. */
export function instrumentedOctokit(metrics: GitHubMetrics): typeof ProbotOctokit {
  return ProbotOctokit.plugin(githubMetricsPlugin(metrics));
}

const READINESS_TIMEOUT_MS = 5_000;

/** `GET /app` with the app's JWT: succeeds only with the right APP_ID and private key. */
async function authenticateAsApp(app: Probot): Promise<void> {
  const octokit = await app.auth();
  // One quick try: a probe that waits on retries would time out instead of saying why.
  await octokit.rest.apps.getAuthenticated({
    request: { retries: 0, signal: AbortSignal.timeout(READINESS_TIMEOUT_MS) },
  });
}
