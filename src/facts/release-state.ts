// What the release record remembers that GitHub cannot give back later: who pushed the tag
// (segregation of duties for sign-offs), each deployment of the release's commit with its
// approvers and the protection rule's decision, and the tag's deletion. It lives in the
// record's body as a hidden block with an HMAC, so it survives restarts, and an edit of the
// issue by a person cannot forge it: a block the app did not sign reads as empty.
import { signPayload, verifyPayload } from "../model/signature.js";

export type ReleaseDeploymentState =
  "success" | "inactive" | "failure" | "error" | "pending" | "queued" | "in_progress";

/** One deployment of the release's commit, as its latest status reported it. */
export interface ReleaseDeployment {
  /** GitHub's deployment id. */
  id: number;
  environment: string;
  state: ReleaseDeploymentState;
  /** ISO 8601: when the latest status was reported. */
  at: string;
  /** Who started it (the deployment's creator). */
  creator?: string;
  /** Approvals given for it through GitHub's deployment review. */
  approvedBy: string[];
  /** The protection rule's decision, as its commit status said: "success: …". */
  decision?: string;
  url?: string;
}

export interface ReleaseState {
  v: 1;
  /** Who pushed the tag, when the app saw the push. */
  pusher?: string;
  deployments: ReleaseDeployment[];
  /** The tag was deleted: by whom and when. */
  deleted?: { by: string; at: string };
}

const BLOCK = /<!-- release-policy:record-state ([A-Za-z0-9_-]*) ([0-9a-f]{64}) -->/g;
const SIGNING_CONTEXT = "release-policy:record-state:v1\n";
const MAX_PAYLOAD_CHARS = 60_000;

export function emptyReleaseState(): ReleaseState {
  return { v: 1, deployments: [] };
}

export function encodeReleaseState(state: ReleaseState, key: string): string {
  if (key === "") throw new Error("A release state needs a non-empty signing key");
  const payload = Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
  return `<!-- release-policy:record-state ${payload} ${sign(payload, key)} -->`;
}

/** The state in a record's body; an empty one when it is missing, doubled or not ours. */
export function decodeReleaseState(body: string, key: string): ReleaseState {
  const blocks = [...body.matchAll(BLOCK)];
  const payload = blocks.length === 1 ? blocks[0]?.[1] : undefined;
  const signature = blocks.length === 1 ? blocks[0]?.[2] : undefined;
  if (payload === undefined || signature === undefined || key === "") return emptyReleaseState();
  if (payload.length > MAX_PAYLOAD_CHARS || !verify(payload, signature, key)) {
    return emptyReleaseState();
  }
  try {
    return parse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
  } catch {
    return emptyReleaseState();
  }
}

/** The state with one deployment added or replaced (by id), in the order first seen. */
export function withDeployment(state: ReleaseState, deployment: ReleaseDeployment): ReleaseState {
  const known = state.deployments.some((d) => d.id === deployment.id);
  const deployments = known
    ? state.deployments.map((d) => (d.id === deployment.id ? deployment : d))
    : [...state.deployments, deployment];
  return { ...state, deployments };
}

function sign(payload: string, key: string): string {
  return signPayload(SIGNING_CONTEXT, payload, key);
}

function verify(payload: string, signature: string, key: string): boolean {
  return verifyPayload(SIGNING_CONTEXT, payload, signature, key);
}

/** Only the app writes this block and it is signed, so a shape check is enough here. */
function parse(value: unknown): ReleaseState {
  if (!isObject(value) || value.v !== 1 || !Array.isArray(value.deployments)) {
    return emptyReleaseState();
  }
  return value as unknown as ReleaseState;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
