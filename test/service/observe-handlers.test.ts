// Every handler registered through app.on is counted, timed and kept in flight until it
// settles; its event's GitHub client logs with the event's logger.
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot } from "probot";
import { InFlight } from "../../src/service/in-flight.js";
import type { WebhookMetrics } from "../../src/service/metrics.js";
import { eventName, observeHandlers } from "../../src/service/observe-handlers.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

function setup() {
  const calls: string[] = [];
  const metrics: WebhookMetrics = {
    finished: (event, outcome, seconds) => void calls.push(`${event} ${outcome} ${seconds}`),
  };
  const probot = new Probot({ appId: 1, privateKey, secret: "s", log: pino({ level: "silent" }) });
  const inFlight = new InFlight();
  let ms = 0;
  observeHandlers(probot, inFlight, metrics, () => (ms += 500));
  const receive = (name: string, payload: object) =>
    probot.receive({ id: "delivery-9", name, payload } as EmitterWebhookEvent);
  return { probot, inFlight, calls, receive };
}

test("a handled event: handled, with its duration", async () => {
  const { probot, calls, receive } = setup();
  probot.on("issues.opened", async () => undefined);
  await receive("issues", { action: "opened" });
  expect(calls).toEqual(["issues.opened handled 0.5"]);
});

test("a handler that throws counts as failed, and the error still reaches Probot", async () => {
  const { probot, calls, receive } = setup();
  probot.on("push", async () => {
    throw new Error("boom");
  });
  await expect(receive("push", { ref: "refs/heads/main" })).rejects.toThrow("boom");
  expect(calls).toEqual(["push failed 0.5"]);
});

test("a handler is in flight until it settles", async () => {
  const { probot, inFlight, receive } = setup();
  let release!: () => void;
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  probot.on("issues.opened", async () => {
    entered();
    await new Promise<void>((resolve) => (release = resolve));
  });
  const received = receive("issues", { action: "opened" });
  await inside;
  expect(inFlight.size).toBe(1);
  release();
  await received;
  expect(inFlight.size).toBe(0);
});

test("the event's GitHub client logs with the event's logger (its delivery id)", async () => {
  const { probot, receive } = setup();
  let bindings: unknown;
  probot.on("issues.opened", async (context) => {
    bindings = (context.octokit.log as unknown as pino.Logger).bindings();
  });
  await receive("issues", { action: "opened" });
  expect(bindings).toMatchObject({ id: "delivery-9", name: "github" });
});

test.each([
  [{ name: "pull_request", payload: { action: "opened" } }, "pull_request.opened"],
  [{ name: "push", payload: { ref: "refs/heads/main" } }, "push"],
  [{ name: "status", payload: { action: 3 } }, "status"],
])("eventName(%j) is %s", (event, expected) => {
  expect(eventName(event)).toBe(expected);
});
