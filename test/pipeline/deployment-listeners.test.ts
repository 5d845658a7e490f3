import { describe, expect, it, jest } from "@jest/globals";
import pino from "pino";
import {
  tellListeners,
  type DeploymentDecided,
  type DeploymentListener,
} from "../../src/pipeline/deployment-listeners.js";

const decided: DeploymentDecided = {
  request: {
    repo: { owner: "acme", repo: "web", defaultBranch: "main" },
    installationId: 1,
    runId: 9,
    environment: "production",
    deploymentId: 5,
    sha: "abc",
    ref: "main",
  },
  decision: "approved",
  gates: [],
  at: "2026-03-10T12:00:00.000Z",
};

describe("tellListeners", () => {
  it("tells every listener in order, and a failing one neither throws nor stops the rest", async () => {
    const heard: string[] = [];
    const log = pino({ level: "silent" });
    const warn = jest.spyOn(log, "warn");
    const listeners: DeploymentListener[] = [
      async () => {
        heard.push("first");
        throw new Error("receiver down");
      },
      async (event) => {
        heard.push(`second:${event.decision}`);
      },
    ];
    await tellListeners(listeners, decided, log);
    expect(heard).toEqual(["first", "second:approved"]);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
