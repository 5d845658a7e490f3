// The service entry (`npm start`, the container's command): Release Policy behind Probot's
// server, with health, readiness and metrics routes and graceful shutdown. See docs/deploy.md.
import { startService, StartFailed } from "./service/start.js";

startService().catch((error: unknown) => {
  // Before the logger exists (a bad .env) there is only the console.
  if (!(error instanceof StartFailed)) console.error(error);
  process.exitCode = 1;
});
