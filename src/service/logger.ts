// The process's logger: Probot's (pino, formatted by @probot/pino from the same variables:
// LOG_LEVEL, LOG_FORMAT, LOG_LEVEL_IN_STRING, LOG_MESSAGE_KEY, SENTRY_DSN), plus redaction
// of every place a credential can appear in a log line. Webhook handlers log through
// `context.log`, whose lines carry the delivery id as `id`.
import { getTransformStream } from "@probot/pino";
import { pino, stdSerializers, type Logger } from "pino";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export const REDACTED = "[redacted]";

/**
 * Paths whose values never reach a log line. pino matches them on the logged object (and on
 * errors logged as `err`): request headers (pino-http logs `req`), Octokit request errors
 * (their `request.headers`, `response.data` of a token answer), and option objects.
 */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "*.headers.authorization",
  "err.request.headers.authorization",
  "err.response.data.token",
  "err.response.headers.authorization",
  "request.headers.authorization",
  "response.data.token",
  "privateKey",
  "*.privateKey",
  "secret",
  "*.secret",
  "webhookSecret",
  "*.webhookSecret",
  "token",
  "*.token",
  "password",
  "*.password",
];

/** The logger for the environment `env`; lines go to stdout unless `destination` is given. */
export async function createLogger(
  env: NodeJS.ProcessEnv,
  destination: NodeJS.WritableStream = process.stdout,
): Promise<Logger> {
  const transform = await getTransformStream({
    logFormat: logFormatOf(env),
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    sentryDsn: env.SENTRY_DSN || undefined,
  });
  transform.pipe(destination);
  return pino(
    {
      level: levelOf(env.LOG_LEVEL),
      name: "probot",
      messageKey: env.LOG_MESSAGE_KEY || "msg",
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: serializeError },
    },
    transform,
  );
}

/**
 * An error as pino writes it, with every webhook delivery it carries cut to its id and event
 * name. Errors from webhook verification and handlers carry the delivery (`event`, with its
 * payload and signature): a forged delivery must not get its text into the log.
 */
export function serializeError(error: Error): unknown {
  return withoutPayloads(stdSerializers.err(error), 0);
}

function withoutPayloads(value: unknown, depth: number): unknown {
  // Serialized errors nest a few levels (aggregate errors, causes); deeper is not an error.
  if (depth > 8 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => withoutPayloads(item, depth + 1));
  const record = value as Record<string, unknown>;
  if ("payload" in record) return { id: record.id, name: record.name };
  return Object.fromEntries(
    Object.entries(record).map(([key, item]) => [key, withoutPayloads(item, depth + 1)]),
  );
}

/** As Probot decides it: `pretty` unless asked for JSON, and JSON in production. */
function logFormatOf(env: NodeJS.ProcessEnv): "json" | "pretty" {
  if (env.LOG_FORMAT) return env.LOG_FORMAT === "pretty" ? "pretty" : "json";
  return env.NODE_ENV === "production" ? "json" : "pretty";
}

function levelOf(value: string | undefined): (typeof LEVELS)[number] {
  return LEVELS.find((level) => level === value) ?? "info";
}
