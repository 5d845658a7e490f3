// A loopback port for a test's own server or stand-in: shared by unit, integration and e2e
// tests, so none of them reaches into another's folder for it.
import { createServer } from "node:net";

/** A port nobody listens on right now (Probot treats PORT=0 as "use 3000"). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
