// The outbox shared by several instances over one store: a message is enqueued once, each
// attempt is made by one instance, and a message a stopped process left is sent by a sweep.
import { pino } from "pino";
import {
  NotificationOutbox,
  type OutboundMessage,
  type OutboxDeps,
} from "../../src/holds/notification-outbox.js";
import { MemoryStore } from "../../src/store/memory.js";
import { ManualScheduler } from "../support/manual-scheduler.js";

const NOW = new Date("2026-03-10T12:00:00Z");
const MESSAGE: OutboundMessage = {
  id: "deployment:acme/shop:55:held:slack:SLACK_X",
  channel: "slack",
  variable: "SLACK_X",
  owner: "acme",
  body: { text: "held" },
  about: { event: "held" },
};

function setUp() {
  const store = new MemoryStore(() => NOW);
  const posts: string[] = [];
  let answer = 200;
  const fetch: typeof globalThis.fetch = (input, init) => {
    posts.push(`${String(input)} ${String(init?.body)}`);
    return Promise.resolve(new Response("ok", { status: answer }));
  };
  const instance = (scheduler = new ManualScheduler()) => {
    const deps: OutboxDeps = {
      store,
      now: () => NOW,
      scheduler,
      env: { SLACK_X: "https://hooks.example/services/x", NOTIFY_SCOPE_SLACK_X: "acme" },
      log: pino({ level: "silent" }),
      baseMs: 1000,
      fetch,
    };
    return { outbox: new NotificationOutbox(deps), scheduler };
  };
  return { store, posts, instance, fail: (status: number) => (answer = status) };
}

describe("NotificationOutbox", () => {
  it("enqueues a message once across instances, and sends it once", async () => {
    const { posts, instance } = setUp();
    const a = instance();
    const b = instance();
    expect(await a.outbox.enqueue(MESSAGE)).toBe(true);
    expect(await b.outbox.enqueue(MESSAGE)).toBe(false);
    await Promise.all([a.scheduler.runDue(NOW), b.scheduler.runDue(NOW), b.outbox.deliverDue()]);
    expect(posts).toEqual(['https://hooks.example/services/x {"text":"held"}']);
    expect(await a.outbox.pending()).toBe(0);
  });

  it("a message left by a process that stopped is sent by another instance's sweep", async () => {
    const { posts, instance } = setUp();
    const gone = instance();
    await gone.outbox.enqueue(MESSAGE); // its timer dies with it: never run
    const survivor = instance();
    expect(await survivor.outbox.deliverDue()).toBe(1);
    expect(posts).toHaveLength(1);
  });

  it("a refusal is given up at once; the message is not tried again", async () => {
    const { posts, instance, fail } = setUp();
    fail(410);
    const { outbox, scheduler } = instance();
    await outbox.enqueue(MESSAGE);
    await scheduler.runDue(NOW);
    expect(posts).toHaveLength(1);
    expect(scheduler.next).toBeUndefined();
    expect(await outbox.pending()).toBe(0);
  });
});
