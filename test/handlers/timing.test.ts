import { jest } from "@jest/globals";
import type { Logger } from "pino";
import { AWAITED_TIMING, handle, type EvaluationTiming } from "../../src/handlers/timing.js";
import { StoreUnavailable } from "../../src/store/store.js";
import { manualDelay, yieldToOthers } from "../support/manual-delay.js";

function logger() {
  const error = jest.fn();
  const warn = jest.fn();
  return { log: { error, warn } as unknown as Logger, error, warn };
}

describe("handle", () => {
  test("awaited: the webhook's answer waits for the work, and its failure fails the delivery", async () => {
    const { log } = logger();
    await expect(
      handle(AWAITED_TIMING, { log }, () => Promise.reject(new Error("GitHub answered 500"))),
    ).rejects.toThrow("GitHub answered 500");
  });

  test("answering first: the work is tracked, and its failure logged with the event's logger", async () => {
    const { log, error } = logger();
    const tracked: Promise<void>[] = [];
    const timing: EvaluationTiming = {
      ...AWAITED_TIMING,
      answerFirst: true,
      track: (work) => {
        const running = work();
        tracked.push(running);
        return running;
      },
    };
    let finish!: () => void;
    const work = () =>
      new Promise<void>((_, reject) => {
        finish = () => reject(new Error("GitHub answered 500"));
      });

    await handle(timing, { log }, work); // answered: the work has not finished
    expect(tracked).toHaveLength(1);
    expect(error).not.toHaveBeenCalled();
    finish();
    await tracked[0];
    expect(error).toHaveBeenCalledWith(
      { err: new Error("GitHub answered 500") },
      "handling the event failed after it was answered",
    );
  });

  test("answering first: work that lost the store is tried again until the store is back", async () => {
    const { log, error, warn } = logger();
    const timers = manualDelay();
    const tracked: Promise<void>[] = [];
    const timing: EvaluationTiming = {
      ...AWAITED_TIMING,
      answerFirst: true,
      delay: timers.delay,
      track: (work) => {
        const running = work();
        tracked.push(running);
        return running;
      },
    };
    const lost = new StoreUnavailable("read", new Error("Connection is closed."));
    const work = jest
      .fn<() => Promise<void>>()
      .mockRejectedValueOnce(new Error("wrapped", { cause: lost }))
      .mockRejectedValueOnce(lost)
      .mockResolvedValueOnce(undefined);

    await handle(timing, { log }, work);
    await yieldToOthers();
    expect(timers.pending).toEqual([1_000]);
    timers.elapse();
    await yieldToOthers();
    expect(timers.pending).toEqual([2_000]);
    timers.elapse();
    await tracked[0];
    expect(work).toHaveBeenCalledTimes(3);
    // One line per event while it waits; the outage itself is the store's to report.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(error).not.toHaveBeenCalled();
  });
});
