/**
 * Who may call what: the app's JWT for `/app/...` and the installation lookups, an
 * installation token the stand-in issued for everything else. Like GitHub, the JWT is
 * only looked at for its shape and issuer, not its signature.
 */
import type { Caller } from "./handler.js";
import type { StandInState } from "./state.js";

export type AuthResult =
  { ok: true; caller: Caller; credential: string } | { ok: false; reason: string };

const JWT_ROUTES = new Set([
  "/repos/{owner}/{repo}/installation",
  "/orgs/{org}/installation",
  "/users/{username}/installation",
]);
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function needsAppJwt(template: string): boolean {
  return template === "/app" || template.startsWith("/app/") || JWT_ROUTES.has(template);
}

function jwtIssuer(token: string): string | undefined {
  if (!JWT_SHAPE.test(token)) return undefined;
  try {
    const payload: unknown = JSON.parse(
      Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"),
    );
    const iss =
      typeof payload === "object" && payload !== null
        ? (payload as { iss?: unknown }).iss
        : undefined;
    return typeof iss === "string" || typeof iss === "number" ? String(iss) : undefined;
  } catch {
    return undefined;
  }
}

export function authenticate(
  state: StandInState,
  header: string | undefined,
  template: string,
): AuthResult {
  if (!header) return { ok: false, reason: "Requires authentication: no Authorization header" };
  const [scheme = "", credential = ""] = header.trim().split(/\s+/, 2);
  const lowered = scheme.toLowerCase();
  if (needsAppJwt(template)) {
    if (lowered !== "bearer")
      return { ok: false, reason: `${template} needs "Bearer <app JWT>", got scheme "${scheme}"` };
    const iss = jwtIssuer(credential);
    if (iss === undefined)
      return {
        ok: false,
        reason:
          "A JSON web token could not be decoded (need three base64url parts with an iss claim)",
      };
    if (iss !== String(state.app.id) && iss !== state.app.slug) {
      return { ok: false, reason: `JWT issuer ${iss} is not the app (id ${state.app.id})` };
    }
    return { ok: true, caller: { kind: "app" }, credential: `app:${state.app.id}` };
  }
  if (lowered !== "token" && lowered !== "bearer")
    return { ok: false, reason: `Unknown authorization scheme "${scheme}"` };
  if (JWT_SHAPE.test(credential)) {
    return {
      ok: false,
      reason: `A JSON web token cannot be used for ${template}: use an installation token`,
    };
  }
  const installationId = state.tokenInstallation(credential);
  if (installationId === undefined)
    return {
      ok: false,
      reason: "Bad credentials: the token was not issued by the stand-in or has expired",
    };
  return { ok: true, caller: { kind: "installation", installationId }, credential };
}

/** A JWT of the right shape for the stand-in's app, for tests that call `/app/...` directly. */
export function fakeAppJwt(state: StandInState): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(new Date(state.now()).getTime() / 1000);
  return `${part({ alg: "RS256", typ: "JWT" })}.${part({ iat: now - 30, exp: now + 540, iss: String(state.app.id) })}.${part({ sig: "stand-in" })}`;
}
