/** Every modelled operation, keyed by GitHub's operationId. */
import type { HandlerTable } from "../handler.js";
import { actionRoutes } from "./actions.js";
import { appRoutes } from "./apps.js";
import { checkRoutes } from "./checks.js";
import { deploymentRoutes } from "./deployments.js";
import { gitRoutes } from "./git.js";
import { issueRoutes } from "./issues.js";
import { pullRoutes } from "./pulls.js";
import { releaseRoutes } from "./releases.js";
import { repoRoutes } from "./repos.js";
import { statusRoutes } from "./statuses.js";
import { teamRoutes } from "./teams.js";

export const handlers: HandlerTable = {
  ...appRoutes,
  ...repoRoutes,
  ...pullRoutes,
  ...issueRoutes,
  ...checkRoutes,
  ...statusRoutes,
  ...teamRoutes,
  ...deploymentRoutes,
  ...actionRoutes,
  ...releaseRoutes,
  ...gitRoutes,
};
