// One router: every event the app subscribes to is routed, and no event name is registered
// twice (an event that concerns two flows fans out inside its one handler).
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { jest } from "@jest/globals";
import { Probot } from "probot";
import { parse } from "yaml";
import { buildDeps } from "../../src/app-deps.js";
import { routeEvents } from "../../src/handlers/router.js";

const KEY = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

function routed(): string[] {
  const app = new Probot({ appId: 1, privateKey: KEY, secret: "router-test" });
  const on = jest.spyOn(app, "on");
  routeEvents(app, buildDeps({ appId: 1, secret: "router-test" }, app).deps);
  return on.mock.calls.flatMap(([events]) => (Array.isArray(events) ? events : [events]));
}

describe("the router", () => {
  it("registers each event name once", () => {
    const names = routed();
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  // Subscribed without a handler, as docs/permissions.md says: a check suite's runs and a
  // deployment's statuses carry what the gates read.
  const UNROUTED = ["check_suite", "deployment"];

  it("routes every event app.yml subscribes to, and only those", () => {
    const manifest = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as {
      default_events: string[];
    };
    const events = new Set(routed().map((name) => name.split(".")[0]));
    expect([...events, ...UNROUTED].sort()).toEqual([...manifest.default_events].sort());
  });
});
