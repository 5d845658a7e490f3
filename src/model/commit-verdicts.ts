// A check run belongs to a commit, and every pull request whose head is that commit shares
// it. So that no pull request can change another's verdict, the app's own check run keeps,
// in a hidden block of its summary, each pull request's own verdict on the commit (judged
// under its own base branch). The run passes only when every open pull request in it
// passes; deployments, releases and merge groups read the verdict of the pull request they
// judge. Only this app can write its check run, so the block needs no signature.
import { z } from "zod";

/** A verdict as the check run would show it for one pull request alone. */
export type Verdict = "success" | "neutral" | "pending" | "failure";

export interface PullVerdict {
  number: number;
  base: string;
  verdict: Verdict;
  /** The one line the check run would show for it alone (its title). */
  title: string;
  /** Merged: kept for what reads the verdict it was merged under, no longer blocking. */
  merged?: boolean;
}

/** Pull requests one commit's record keeps; more and the oldest merged ones go first. */
export const MAX_RECORDED_PULLS = 100;
const MAX_TITLE = 200;
const MAX_BASE = 255;

const entrySchema = z.strictObject({
  n: z.number().int().positive(),
  b: z.string().max(MAX_BASE),
  v: z.enum(["success", "neutral", "pending", "failure"]),
  t: z.string().max(MAX_TITLE),
  m: z.literal(true).optional(),
});

const BLOCK = /<!-- release-policy:pulls (\[[^\n]*?\]) -->/;

/**
 * The record in a summary the app wrote; undefined when it holds none (a run written before
 * the app kept one). A record that does not parse is no record of anyone's pass.
 */
export function readVerdicts(summary: string | null | undefined): PullVerdict[] | undefined {
  const match = BLOCK.exec(summary ?? "");
  if (!match?.[1]) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(match[1]);
  } catch {
    return [];
  }
  const parsed = z.array(entrySchema).max(MAX_RECORDED_PULLS).safeParse(raw);
  if (!parsed.success) return [];
  return parsed.data.map((e) => ({
    number: e.n,
    base: e.b,
    verdict: e.v,
    title: e.t,
    ...(e.m ? { merged: true } : {}),
  }));
}

/**
 * The hidden block. `<`, `>` and `&` are escaped inside the JSON, so no branch name or
 * title can end the comment early.
 */
export function verdictsBlock(pulls: readonly PullVerdict[]): string {
  const entries = pulls.map((p) => ({
    n: p.number,
    b: p.base.slice(0, MAX_BASE),
    v: p.verdict,
    t: p.title.slice(0, MAX_TITLE),
    ...(p.merged ? { m: true } : {}),
  }));
  const json = JSON.stringify(entries).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `<!-- release-policy:pulls ${json} -->`;
}

/** The record with `pull`'s entry in place of its old one; sorted by number, bounded. */
export function withVerdict(pulls: readonly PullVerdict[], pull: PullVerdict): PullVerdict[] {
  return bounded([...pulls.filter((p) => p.number !== pull.number), pull]);
}

/**
 * A pull request closed, or no longer on this commit: an open one leaves the record, a
 * merged one stays as merged (what it shipped under), no longer holding the others back.
 */
export function withoutPull(
  pulls: readonly PullVerdict[],
  number: number,
  merged: boolean,
): PullVerdict[] {
  return pulls.flatMap((p) => {
    if (p.number !== number) return [p];
    return merged ? [{ ...p, merged: true }] : [];
  });
}

function bounded(pulls: PullVerdict[]): PullVerdict[] {
  const sorted = pulls.sort((a, b) => a.number - b.number);
  const excess = sorted.length - MAX_RECORDED_PULLS;
  if (excess <= 0) return sorted;
  // Merged entries go first, oldest first; open ones are never dropped silently.
  const merged = sorted.filter((p) => p.merged).slice(0, excess);
  return sorted.filter((p) => !merged.includes(p)).slice(-MAX_RECORDED_PULLS);
}

const RANK: Record<Verdict, number> = { success: 0, neutral: 1, pending: 2, failure: 3 };

/**
 * The entry the commit's check shows: the worst open one (a merged one only when none is
 * open). Ties go to the lowest number, so the choice does not depend on who wrote last.
 */
export function deciding(pulls: readonly PullVerdict[]): PullVerdict | undefined {
  const open = pulls.filter((p) => !p.merged);
  const pool = open.length > 0 ? open : pulls;
  return pool.reduce<PullVerdict | undefined>(
    (worst, p) => (worst === undefined || RANK[p.verdict] > RANK[worst.verdict] ? p : worst),
    undefined,
  );
}

/** The verdict a check run's status and conclusion say. */
export function verdictOf(status: string, conclusion: string | null | undefined): Verdict {
  if (status !== "completed") return "pending";
  if (conclusion === "success" || conclusion === "neutral") return conclusion;
  return "failure";
}
