// What the environment must hold before the server starts. Probot refuses a production start
// without APP_ID or a private key; these checks close the gaps it leaves open: a server with
// the app's credentials that would accept webhooks signed with Probot's public default secret
// (in any mode: a development server acts on real repositories too), and a private key that
// cannot be read, which Probot reports as a stack trace and then opens the registration flow
// (setup mode) instead of starting the app.
import { createPrivateKey } from "node:crypto";
import { getPrivateKey } from "@probot/get-private-key";

/** The webhook secret Probot uses when WEBHOOK_SECRET is unset: public, so it proves nothing. */
export const PROBOT_DEFAULT_SECRET = "development";

type Env = Record<string, string | undefined>;

/** A setting that stops start-up; its message is the one line the operator reads. */
export class StartCheckFailed extends Error {}

export function isProduction(env: Env): boolean {
  return env.NODE_ENV === "production";
}

/**
 * Throws StartCheckFailed, with the variable and the fix, when the environment cannot run
 * safely; returns the warnings worth a log line otherwise.
 */
export function checkStartEnv(env: Env, cwd: string): string[] {
  const warnings: string[] = [];
  checkPrivateKey(env, cwd);
  // Without credentials (outside production) Probot runs only its registration flow, which
  // acts on no repository and writes the secret GitHub generates.
  if (isProduction(env) || hasCredentials(env, cwd)) checkSecret(env);
  if (isProduction(env) && env.WEBHOOK_PROXY_URL)
    warnings.push(
      "WEBHOOK_PROXY_URL is set with NODE_ENV=production: webhooks arrive through a " +
        "development proxy; point the GitHub App's webhook URL at this server instead.",
    );
  return warnings;
}

/**
 * The app acts on webhooks only when they are signed with a secret nobody else knows. Also
 * checked when the app is loaded (src/index.ts), for `probot run`, which skips these checks.
 */
export function checkSecret(env: Env): void {
  const secret = env.WEBHOOK_SECRET ?? "";
  if (secret === "")
    throw new StartCheckFailed(
      "WEBHOOK_SECRET is missing, and is required once the app has credentials (APP_ID and a " +
        "private key): without it webhooks are checked against Probot's public default " +
        "secret, which anyone can sign with. Set it to the GitHub App's webhook secret (the " +
        "app's settings, Webhook secret; make one with openssl rand -hex 32).",
    );
  if (secret === PROBOT_DEFAULT_SECRET)
    throw new StartCheckFailed(
      `WEBHOOK_SECRET is "${PROBOT_DEFAULT_SECRET}", Probot's public default, which anyone can ` +
        "sign webhooks with: set a random secret (openssl rand -hex 32) in the GitHub App's " +
        "settings and in WEBHOOK_SECRET.",
    );
}

/**
 * Credentials that start the app rather than the registration flow: an APP_ID and a private
 * key Probot can find (PRIVATE_KEY, PRIVATE_KEY_PATH, or one *.pem file in the working
 * directory).
 */
export function hasCredentials(env: Env, cwd: string): boolean {
  return Boolean(Number(env.APP_ID)) && readPrivateKey(env, cwd) !== null;
}

/** A private key that is configured must be one: a typo is an error, not setup mode. */
export function checkPrivateKey(env: Env, cwd: string): void {
  const key = readPrivateKey(env, cwd);
  if (key === null) return;
  try {
    createPrivateKey(key);
  } catch (error) {
    throw new StartCheckFailed(
      `${keySource(env)} does not hold a valid private key (${reason(error)}): set it to the ` +
        "contents of the .pem file GitHub generated for the app, or PRIVATE_KEY_PATH to the file.",
    );
  }
}

/** The key as Probot reads it (the same library, the same order of places). */
function readPrivateKey(env: Env, cwd: string): string | null {
  try {
    return getPrivateKey({ env, cwd });
  } catch (error) {
    throw new StartCheckFailed(`${keySource(env)}: ${reason(error)}`);
  }
}

function keySource(env: Env): string {
  if (env.PRIVATE_KEY) return "PRIVATE_KEY";
  if (env.PRIVATE_KEY_PATH) return `PRIVATE_KEY_PATH (${env.PRIVATE_KEY_PATH})`;
  return "the *.pem file in the working directory";
}

/** An error's message on one line, without the library's prefix. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/^\[@probot\/get-private-key\]\s*/, "")
    .replace(/\s+/g, " ")
    .trim();
}
