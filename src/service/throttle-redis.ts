// With REDIS_URL set, Probot's write throttle (Bottleneck, clustered) keeps its limits in
// Redis over a connection of its own. Two things about that connection are put right here,
// where the app builds its GitHub client class:
// - its errors are reported with the store's, once per outage (redis-outage.ts): Probot
//   logs every one, a line per reconnect attempt of each of its two clients;
// - a limiter whose settings Redis lost (an empty restart, a flush) is set up again, as
//   Bottleneck means to. Redis 7 prefixes the scripts' errors with "ERR ", so Bottleneck
//   no longer recognises SETTINGS_KEY_NOT_FOUND and failed every write that limiter throttled.
import type { ProbotOctokit } from "probot";
import type { RedisOutage } from "../redis-outage.js";

type OctokitClass = typeof ProbotOctokit;
type ScriptCallback = (error: unknown, replies: unknown) => void;

/** The parts of Bottleneck's IORedisConnection used here (it has no types for them). */
interface ThrottleConnection {
  on(event: "error", listener: (error: unknown) => void): void;
  removeAllListeners(event: "error"): void;
  client?: { on(event: "ready", listener: () => void): unknown };
  __scriptArgs__(name: string, id: string, args: unknown[], cb: ScriptCallback): unknown[];
}

/** The errors Bottleneck's scripts raise on purpose, and recovers from by name. */
const RECOVERABLE = /^ERR (SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)$/;

/** `Base` whose throttle connection, if Probot gives it one, is adopted as above. */
export function throttleOverRedis(Base: OctokitClass, outage: RedisOutage): OctokitClass {
  const adopted = new WeakSet<object>();
  return Base.defaults((options: Record<string, unknown>) => {
    const connection = (options.throttle as { connection?: unknown } | undefined)?.connection;
    if (isThrottleConnection(connection) && !adopted.has(connection)) {
      adopted.add(connection);
      adopt(connection, outage);
    }
    return options;
  });
}

export function adopt(connection: ThrottleConnection, outage: RedisOutage): void {
  connection.removeAllListeners("error");
  connection.on("error", (error) => outage.failed("throttle", error));
  connection.client?.on("ready", () => outage.ready("throttle"));
  const scriptArgs = connection.__scriptArgs__.bind(connection);
  connection.__scriptArgs__ = (name, id, args, cb) =>
    scriptArgs(name, id, args, (error, replies) => cb(bareScriptError(error), replies));
}

/** "ERR SETTINGS_KEY_NOT_FOUND" as Bottleneck expects it: "SETTINGS_KEY_NOT_FOUND". */
export function bareScriptError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const match = RECOVERABLE.exec(error.message);
  return match ? new Error(match[1], { cause: error }) : error;
}

function isThrottleConnection(value: unknown): value is ThrottleConnection {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<ThrottleConnection>).__scriptArgs__ === "function" &&
    typeof (value as Partial<ThrottleConnection>).removeAllListeners === "function"
  );
}
