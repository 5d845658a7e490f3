import { jest } from "@jest/globals";
import type { Logger } from "pino";
import { AWAITED_TIMING, handle, type EvaluationTiming } from "../../src/handlers/timing.js";

function logger() {
  const error = jest.fn();
  return { log: { error } as unknown as Logger, error };
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
});
