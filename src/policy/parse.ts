// Reads one policy file: YAML with positions, then the schema, then the meaning. It refuses
// early and says why: a file that is too large, not YAML, an alias bomb, a duplicate key.
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Alias,
  type Document,
  type YAMLError,
} from "yaml";
import type { PolicyProblem } from "../model/result.js";
import { fileProblem, IssueTranslator, sortProblems, YamlLocator } from "./problems.js";
import type { PathSegment } from "./problems.js";
import { policySchema, type Policy } from "./schema.js";
import { checkSemantics } from "./semantics.js";
import { MAX_POLICY_BYTES, type PolicyFile } from "./types.js";

/**
 * Most alias expansions a file may cause. Aliases can share a list of teams between gates;
 * a "billion laughs" file nests them to expand exponentially, and is refused.
 */
export const MAX_ALIAS_COUNT = 20;
/** Deepest nesting of mappings and lists: a policy needs about eight levels. */
export const MAX_DEPTH = 32;

export interface ParsedPolicy {
  policy?: Policy;
  problems: PolicyProblem[];
  /** Locates key paths in the file; absent when the file was refused before parsing. */
  locator?: YamlLocator;
}

/** Parses and validates one policy file on its own. */
export function parsePolicy(file: PolicyFile): { policy?: Policy; problems: PolicyProblem[] } {
  const { policy, problems } = readPolicy(file);
  return policy ? { policy, problems } : { problems };
}

/**
 * parsePolicy, keeping the locator so inheritance can place its problems. A file that
 * extends another is checked as far as it can be alone: names its base may define are not
 * reported as unknown here.
 */
export function readPolicy(file: PolicyFile, options: { baseAbove?: boolean } = {}): ParsedPolicy {
  const bytes = Buffer.byteLength(file.text, "utf8");
  if (bytes > MAX_POLICY_BYTES) return { problems: [oversizeProblem(file.location, bytes)] };
  const lineCounter = new LineCounter();
  const doc = parseDocument(file.text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: true,
    // Tags beyond plain YAML (!!binary, !!set, ...) have no meaning in a policy.
    resolveKnownTags: false,
  });
  const locator = new YamlLocator(file.location, doc, lineCounter);
  const problems = checkDocument(doc, locator);
  if (problems.length > 0) return { problems: sortProblems(problems), locator };
  const data = toData(doc, locator);
  if ("problem" in data) return { problems: [data.problem], locator };
  const result = policySchema.safeParse(data.value);
  if (!result.success) {
    const translated = new IssueTranslator(data.value, locator).translate(result.error.issues);
    return { problems: sortProblems(translated), locator };
  }
  const policy = result.data;
  // A base above it (named by `_extends`, or its organization's required base) may define
  // the names it refers to.
  const partial = policy._extends !== undefined || options.baseAbove === true;
  const semantic = checkSemantics(policy, locator, { partial });
  if (semantic.length > 0) return { problems: sortProblems(semantic), locator };
  return { policy, problems: [], locator };
}

/** The problem for a file larger than MAX_POLICY_BYTES (checked before reading it all). */
export function oversizeProblem(location: string, bytes: number): PolicyProblem {
  return fileProblem(
    location,
    `the file is ${bytes} bytes; a policy may be at most ${MAX_POLICY_BYTES} bytes (${MAX_POLICY_BYTES / 1024} KiB)`,
  );
}

// ---------------------------------------------------------------------------------------
// YAML

function checkDocument(doc: Document.Parsed, at: YamlLocator): PolicyProblem[] {
  const shape = checkShape(doc, at);
  // Duplicate keys are in `shape` with better words; running out of stack is the nesting
  // problem `shape` already reports when it does.
  const skip = new Set(["DUPLICATE_KEY", ...(shape.tooDeep ? ["RESOURCE_EXHAUSTION"] : [])]);
  const problems = [
    ...doc.errors.filter((e) => !skip.has(e.code)).map((e) => yamlProblem(e, at)),
    ...doc.warnings.map((e) => yamlProblem(e, at)),
    ...shape.problems,
  ];
  if (problems.length > 0) return problems;
  return checkTopLevel(doc, at);
}

/** YAML's own message, without the position and source excerpt it appends. */
function yamlMessage(error: YAMLError): string {
  const first = error.message.split("\n")[0] ?? "";
  return first.replace(/ at line \d+, column \d+:?$/, "");
}

function yamlProblem(error: YAMLError, at: YamlLocator): PolicyProblem {
  const message = yamlMessage(error);
  const offset = error.pos[0];
  switch (error.code) {
    case "MULTIPLE_DOCS":
      return at.problemAtOffset(
        offset,
        "the file holds more than one YAML document (a second ---); a policy is one document",
      );
    case "TAG_RESOLVE_FAILED":
      return at.problemAtOffset(offset, `${message}: a policy uses plain YAML values, no tags`);
    default:
      return at.problemAtOffset(offset, `invalid YAML: ${message}`);
  }
}

class TooDeep extends Error {
  constructor(readonly problem: PolicyProblem) {
    super(problem.message);
  }
}

function checkShape(
  doc: Document.Parsed,
  at: YamlLocator,
): { problems: PolicyProblem[]; tooDeep: boolean } {
  try {
    return { problems: checkKeys(doc.contents, [], at, 0), tooDeep: false };
  } catch (error) {
    if (error instanceof TooDeep) return { problems: [error.problem], tooDeep: true };
    throw error;
  }
}

const SECTION_ENTRY: Record<string, string> = {
  gates: "gate id",
  change_types: "change type",
  environments: "environment",
};

/**
 * Keys must be plain text and unique, and nesting bounded. Duplicate keys are reported
 * here rather than by the YAML parser, to name the key and where it first appeared.
 */
function checkKeys(
  node: unknown,
  path: PathSegment[],
  at: YamlLocator,
  depth: number,
): PolicyProblem[] {
  if (depth > MAX_DEPTH) {
    // Thrown, not returned: one report of the deepest point is enough, and it ends the walk.
    throw new TooDeep(at.problem(path, `nested more than ${MAX_DEPTH} levels deep`));
  }
  if (isSeq(node)) {
    return node.items.flatMap((item, i) => checkKeys(item, [...path, i], at, depth + 1));
  }
  if (!isMap(node)) return [];
  const problems: PolicyProblem[] = [];
  const first = new Map<string, number>();
  for (const pair of node.items) {
    if (!isScalar(pair.key)) {
      const offset = (pair.key as { range?: [number] } | null)?.range?.[0] ?? 0;
      problems.push(at.problemAtOffset(offset, "a key must be plain text, not a list or mapping"));
      continue;
    }
    const key = String(pair.key.value);
    const keyPath = [...path, key];
    const offset = pair.key.range?.[0] ?? 0;
    const seenAt = first.get(key);
    if (key === "__proto__") {
      problems.push(at.problemAtOffset(offset, `"__proto__" cannot be used as a key`));
    } else if (seenAt !== undefined) {
      const what = path.length === 1 ? (SECTION_ENTRY[String(path[0])] ?? "key") : "key";
      const line = at.at(seenAt).line;
      problems.push(
        at.problemAtOffset(
          offset,
          `duplicate ${what} "${key}" (first at line ${line}); each key may appear once`,
        ),
      );
    } else first.set(key, offset);
    problems.push(...checkKeys(pair.value, keyPath, at, depth + 1));
  }
  return problems;
}

function checkTopLevel(doc: Document.Parsed, at: YamlLocator): PolicyProblem[] {
  const expected =
    "a mapping with top-level keys such as gates, change_types, environments, defaults and _extends";
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return [fileProblem(at.file, `the file is empty: expected ${expected} (see docs/policy.md)`)];
  }
  if (isMap(doc.contents)) return [];
  const got = isSeq(doc.contents)
    ? "a list"
    : isAlias(doc.contents)
      ? "an alias"
      : "a single value";
  return [at.problem([], `expected ${expected}, got ${got}`)];
}

/** The plain data, with alias expansion bounded. */
function toData(
  doc: Document.Parsed,
  at: YamlLocator,
): { value: unknown } | { problem: PolicyProblem } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const alias = firstAlias(doc, error.message);
    const offset = alias?.range?.[0] ?? 0;
    if (error.message.startsWith("Unresolved alias")) {
      const name = alias?.source ?? "";
      return {
        problem: at.problemAtOffset(offset, `alias *${name} has no anchor &${name} before it`),
      };
    }
    return {
      problem: at.problemAtOffset(
        offset,
        `YAML aliases expand beyond the limit of ${MAX_ALIAS_COUNT}; a file whose aliases multiply is refused, so write repeated values out`,
      ),
    };
  }
}

/** The alias the error is about: the unresolved one it names, else the first in the file. */
function firstAlias(doc: Document.Parsed, message: string): Alias | undefined {
  const missing = /Unresolved alias.*: (.+)$/.exec(message)?.[1];
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      if (missing !== undefined && node.source !== missing) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}
