// Notifications as the composition root builds them: only notification variables reach the
// sender, and at start the app says which are set (names, never values) and which hold no URL.
import { pino } from "pino";
import { Writable } from "node:stream";
import { buildNotifications, notifyEnvOf } from "../src/notify-deps.js";
import { PolicyCache } from "../src/policy/cache.js";
import { MemoryStore } from "../src/store/memory.js";
import { ManualScheduler } from "./support/manual-scheduler.js";

const NOW = new Date("2026-03-10T12:00:00Z");

describe("notifications, composed", () => {
  it("passes on only the variables a policy may name, and the scope of each", () => {
    expect(
      notifyEnvOf({
        SLACK_PRODUCTION_WEBHOOK: "https://hooks.slack.com/services/x",
        TEAMS_RELEASES: "https://example.logic.azure.com/workflows/y",
        RELEASE_POLICY_NOTIFY_OPS: "https://ops.example/hook",
        NOTIFY_SCOPE_SLACK_PRODUCTION_WEBHOOK: "acme",
        PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----",
        REDIS_URL: "redis://secret@redis:6379",
        slack_lower: "https://x.example",
      }),
    ).toEqual({
      SLACK_PRODUCTION_WEBHOOK: "https://hooks.slack.com/services/x",
      TEAMS_RELEASES: "https://example.logic.azure.com/workflows/y",
      RELEASE_POLICY_NOTIFY_OPS: "https://ops.example/hook",
      NOTIFY_SCOPE_SLACK_PRODUCTION_WEBHOOK: "acme",
    });
  });

  it("at start, names the variables set and warns of one that holds no URL, never a value", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString("utf8"));
        done();
      },
    });
    const store = new MemoryStore(() => NOW);
    const scheduler = new ManualScheduler();
    const built = buildNotifications({
      options: {
        appId: 1,
        secret: "s",
        notifications: {
          env: {
            SLACK_OK: "https://hooks.slack.com/services/secret",
            NOTIFY_SCOPE_SLACK_OK: "acme",
            TEAMS_BAD: "secret-token",
          },
        },
      },
      store,
      clock: () => NOW,
      scheduler,
      policies: new PolicyCache(store),
      log: pino({ level: "info" }, sink),
      auth: () => Promise.reject(new Error("no GitHub here")),
    });
    built.start(60_000);
    await scheduler.runDue(NOW);
    const text = lines.join("");
    expect(text).toContain("notifications: TEAMS_BAD does not hold a URL");
    expect(text).toContain("notifications: TEAMS_BAD has no NOTIFY_SCOPE_TEAMS_BAD");
    expect(text).not.toContain("SLACK_OK has no");
    expect(text).toContain('"variables":["SLACK_OK","TEAMS_BAD"]');
    expect(text).not.toContain("secret");
    // The next look is one interval away.
    expect(scheduler.next).toEqual(new Date(NOW.getTime() + 60_000));
  });
});
