import { redeliveryIntervalOf, scheduleRecovery } from "../../src/deliveries/schedule.js";
import { ManualScheduler } from "../support/manual-scheduler.js";

test("a pass at once, then one every interval, none after stop", async () => {
  let now = new Date("2026-12-02T12:00:00Z");
  const scheduler = new ManualScheduler();
  const passes: string[] = [];
  const recovery = scheduleRecovery(async () => void passes.push(now.toISOString()), {
    intervalMs: 5 * 60_000,
    scheduler,
    clock: () => now,
  });
  await scheduler.runDue(now);
  expect(passes).toHaveLength(1);
  now = new Date(now.getTime() + 4 * 60_000);
  await scheduler.runDue(now);
  expect(passes).toHaveLength(1);
  now = new Date(now.getTime() + 60_000);
  await scheduler.runDue(now);
  expect(passes).toEqual(["2026-12-02T12:00:00.000Z", "2026-12-02T12:05:00.000Z"]);
  await recovery.stop();
  expect(scheduler.next).toBeUndefined();
});

test("a pass that throws does not end the schedule", async () => {
  const now = new Date("2026-12-02T12:00:00Z");
  const scheduler = new ManualScheduler();
  let passes = 0;
  scheduleRecovery(
    async () => {
      passes += 1;
      throw new Error("boom");
    },
    { intervalMs: 60_000, scheduler, clock: () => now },
  );
  await scheduler.runDue(now);
  expect(passes).toBe(1);
  expect(scheduler.next).toEqual(new Date(now.getTime() + 60_000));
});

test("REDELIVERY_INTERVAL: a duration, off, or 5 minutes; anything else stops start-up", () => {
  expect(redeliveryIntervalOf({})).toBe(5 * 60_000);
  expect(redeliveryIntervalOf({ REDELIVERY_INTERVAL: "2m" })).toBe(2 * 60_000);
  expect(redeliveryIntervalOf({ REDELIVERY_INTERVAL: "off" })).toBe("off");
  expect(() => redeliveryIntervalOf({ REDELIVERY_INTERVAL: "5 minutes" })).toThrow(
    /^REDELIVERY_INTERVAL must be a duration such as "5m", or "off": "5 minutes" is not/,
  );
  expect(() => redeliveryIntervalOf({ REDELIVERY_INTERVAL: "1s" })).toThrow(/shorter than 10s/);
});
