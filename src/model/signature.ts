// HMAC signatures of the state blocks the app hides in its own comments and issues (a
// checklist's ticks, a release record's state). The context string names what is signed,
// so a signature made for one kind of block never verifies as another.
import { createHmac, timingSafeEqual } from "node:crypto";

export function signPayload(context: string, payload: string, key: string): string {
  return createHmac("sha256", key)
    .update(context + payload)
    .digest("hex");
}

/** Constant-time comparison: the signature is checked without leaking how much matched. */
export function verifyPayload(
  context: string,
  payload: string,
  signature: string,
  key: string,
): boolean {
  const expected = Buffer.from(signPayload(context, payload, key), "hex");
  const given = Buffer.from(signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
