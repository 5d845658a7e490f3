// Draining: the server stops taking requests first, in-flight handlers finish, and the
// bound turns a handler that never ends into an unclean exit. Time is a promise the test
// resolves, never the wall clock.
import { pino } from "pino";
import { InFlight } from "../../src/service/in-flight.js";
import { drain, shutdownTimeoutOf } from "../../src/service/shutdown.js";

const log = pino({ level: "silent" });

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A drain whose timeout fires only when the test says so. */
function drainWith(inFlight: InFlight, stop: () => Promise<void> = async () => undefined) {
  const timeout = deferred();
  const steps: string[] = [];
  const server = {
    stop: () => {
      steps.push("stop");
      return stop();
    },
  };
  const connections = { closeConnections: () => void steps.push("close connections") };
  const result = drain({
    server,
    connections,
    inFlight,
    log,
    timeoutMs: 25_000,
    after: () => timeout.promise,
  });
  return { result, timeout, steps };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test("nothing in flight: stops at once, cleanly", async () => {
  const { result, steps } = drainWith(new InFlight());
  expect(await result).toBe(true);
  expect(steps).toEqual(["close connections", "stop"]);
});

test("waits for every handler in flight, also one that fails", async () => {
  const inFlight = new InFlight();
  const first = deferred();
  const second = deferred();
  const running = [inFlight.run(() => first.promise), inFlight.run(() => second.promise)];
  const { result } = drainWith(inFlight);
  let done = false;
  void result.then(() => (done = true));

  first.resolve();
  await settle();
  expect(done).toBe(false);
  expect(inFlight.size).toBe(1);

  second.reject(new Error("handler failed"));
  await expect(running[1]).rejects.toThrow("handler failed");
  expect(await result).toBe(true);
  expect(inFlight.size).toBe(0);
});

test("waits for the HTTP server to close", async () => {
  const closed = deferred();
  const { result } = drainWith(new InFlight(), () => closed.promise);
  let done = false;
  void result.then(() => (done = true));
  await settle();
  expect(done).toBe(false);
  closed.resolve();
  expect(await result).toBe(true);
});

test("a server that fails to close still lets the drain finish", async () => {
  const { result } = drainWith(new InFlight(), async () => {
    throw new Error("Server is not running.");
  });
  expect(await result).toBe(true);
});

test("a handler still running when the bound passes: unclean", async () => {
  const inFlight = new InFlight();
  void inFlight.run(() => new Promise<void>(() => undefined));
  const { result, timeout } = drainWith(inFlight);
  timeout.resolve();
  expect(await result).toBe(false);
});

test.each([
  [undefined, 25_000],
  ["10000", 10_000],
  ["0", 25_000],
  ["soon", 25_000],
])("SHUTDOWN_TIMEOUT_MS=%s gives %d ms", (value, expected) => {
  expect(shutdownTimeoutOf(value === undefined ? {} : { SHUTDOWN_TIMEOUT_MS: value })).toBe(
    expected,
  );
});
