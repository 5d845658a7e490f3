// From "something is wrong at this key path" to a problem a person can act on: the file, the
// 1-based line and column of the offending YAML node, the key path, and plain words.
import type { z } from "zod";
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from "yaml";
import type { PolicyProblem } from "../model/result.js";
import {
  allowedKeys,
  expectedWords,
  policyJsonSchema,
  schemaAt,
  type JsonSchema,
} from "./reference.js";

export type PathSegment = string | number;
/** Point at the key itself ("key"), or at the value it holds ("value", the default). */
export type Target = "key" | "value";

export interface Position {
  line: number;
  column: number;
}

/** Where problems about a policy's keys are located; one per file, or one per merged policy. */
export interface PolicyLocator {
  /** The file a key path is defined in. */
  fileOf(path: readonly PathSegment[]): string;
  position(path: readonly PathSegment[], target?: Target): Position;
  problem(path: readonly PathSegment[], message: string, target?: Target): PolicyProblem;
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** "gates.cab.require.checklist[1]"; keys with other characters are quoted: gates["v1.2"]. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (!PLAIN_KEY.test(segment)) out += `[${JSON.stringify(segment)}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

/** One line, as editors and CI logs understand it: "file:line:col: path: message". */
export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

/** Problems in reading order: by file, then line, then column. */
export function sortProblems(problems: readonly PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return [...problems]
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column)
    .filter((p) => {
      const key = formatProblem(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** A problem with the whole file (too large, empty): line 1, column 1. */
export function fileProblem(file: string, message: string): PolicyProblem {
  return { file, line: 1, column: 1, path: "", message };
}

// ---------------------------------------------------------------------------------------
// Locating key paths in a parsed YAML document

type YamlNode = NonNullable<Document.Parsed["contents"]>;
type Range = [number, number, number];

interface Found {
  /** The node at the path; when the path ends at a missing key, the mapping that lacks it. */
  node: YamlNode | null;
  /** The key of the pair holding `node`, when it is held by a mapping. */
  key: YamlNode | null;
  complete: boolean;
}

function rangeOf(node: unknown): Range | null {
  if (node && typeof node === "object" && "range" in node) {
    const range = (node as { range?: Range | null }).range;
    if (range) return range;
  }
  return null;
}

/** An empty value (`count:` with nothing after it) has no text of its own to point at. */
function isEmptyValue(node: YamlNode): boolean {
  return isScalar(node) && node.value === null && node.source === "";
}

/** Locates key paths in one parsed YAML file. */
export class YamlLocator implements PolicyLocator {
  constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  fileOf(): string {
    return this.file;
  }

  position(path: readonly PathSegment[], target: Target = "value"): Position {
    const found = this.find(path);
    const node = found.complete && target === "key" && found.key ? found.key : found.node;
    const pick = node && !isEmptyValue(node) ? node : (found.key ?? node);
    const range = rangeOf(pick);
    return range ? this.at(range[0]) : { line: 1, column: 1 };
  }

  problem(path: readonly PathSegment[], message: string, target?: Target): PolicyProblem {
    return { file: this.file, ...this.position(path, target), path: formatPath(path), message };
  }

  /** The problem at a source offset (YAML errors carry offsets, not key paths). */
  problemAtOffset(offset: number, message: string): PolicyProblem {
    return { file: this.file, ...this.at(offset), path: formatPath(this.pathAt(offset)), message };
  }

  at(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** The key path of the innermost pair or item whose text spans the offset. */
  pathAt(offset: number): PathSegment[] {
    const path: PathSegment[] = [];
    let node: unknown = this.doc.contents;
    for (;;) {
      const next = this.childAt(node, offset);
      if (!next) return path;
      path.push(next.segment);
      node = next.node;
    }
  }

  private childAt(node: unknown, offset: number): { segment: PathSegment; node: unknown } | null {
    if (isMap(node)) {
      for (const pair of node.items) {
        const start = rangeOf(pair.key)?.[0];
        const end = rangeOf(pair.value)?.[2] ?? rangeOf(pair.key)?.[2];
        if (start === undefined || end === undefined || offset < start || offset >= end) continue;
        if (!isScalar(pair.key)) return null;
        return { segment: String(pair.key.value), node: pair.value };
      }
    }
    if (isSeq(node)) {
      const index = node.items.findIndex((item) => {
        const range = rangeOf(item);
        return range !== null && offset >= range[0] && offset < range[2];
      });
      if (index >= 0) return { segment: index, node: node.items[index] };
    }
    return null;
  }

  private find(path: readonly PathSegment[]): Found {
    let node: YamlNode | null = this.doc.contents;
    let key: YamlNode | null = null;
    for (const segment of path) {
      const holder = this.deref(node);
      const step = this.step(holder, segment);
      if (!step) return { node: holder ?? node, key, complete: false };
      ({ node, key } = step);
    }
    return { node, key, complete: true };
  }

  private step(holder: YamlNode | null, segment: PathSegment): Omit<Found, "complete"> | null {
    if (isMap(holder)) {
      const pair = holder.items.find(
        (p) => isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return null;
      return { node: (pair.value as YamlNode | null) ?? null, key: pair.key as YamlNode };
    }
    if (isSeq(holder) && typeof segment === "number") {
      const item = holder.items[segment] as YamlNode | undefined;
      return item ? { node: item, key: null } : null;
    }
    return null;
  }

  /** Follows an alias to its anchored node, so paths reach into aliased content. */
  private deref(node: YamlNode | null): YamlNode | null {
    if (!isAlias(node)) return node;
    return (node.resolve(this.doc) as YamlNode | undefined) ?? null;
  }
}

// ---------------------------------------------------------------------------------------
// zod issues → problems

type Issue = z.core.$ZodIssue;

function lookup(data: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, segment)) {
      return { found: false, value: undefined };
    }
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return { found: true, value };
}

/** The value as a person would describe it after "got". */
export function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) {
    return value.length === 0 ? "an empty list" : `a list of ${value.length} items`;
  }
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    const text = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(text);
  }
  return String(value);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (key === "<<") {
    return `YAML merge keys (<<) are not supported: write the keys out, or share settings with _extends`;
  }
  const close = allowed.find((k) => editDistance(k, key.toLowerCase()) <= 2);
  const suggestion = close ? ` (did you mean "${close}"?)` : "";
  const list = allowed.length > 0 ? `; allowed keys: ${allowed.join(", ")}` : "";
  return `unknown key "${key}"${suggestion}${list}`;
}

/** The union branch whose shape the value has: its issues describe the real mistake. */
function matchingBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  // A branch refused at its root (wrong type, or not the literal it wants) is another shape.
  const atRoot = (i: Issue) =>
    (i.code === "invalid_type" || i.code === "invalid_value") && i.path.length === 0;
  const shaped = branches.filter((issues) => !issues.some(atRoot));
  return shaped.sort((a, b) => a.length - b.length)[0];
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (Number.isInteger(value)) return "integer";
  return typeof value;
}

/**
 * Of a union, the one option of the value's own type: "a list of 1 to 100 items" says more
 * about `checks: []` than every form `checks` may take.
 */
function narrow(node: JsonSchema | undefined, value: unknown): JsonSchema | undefined {
  if (!node?.anyOf || value === undefined) return node;
  const type = jsonType(value);
  const same = node.anyOf.filter(
    (o) => o.type === type || (type === "integer" && o.type === "number"),
  );
  return same.length === 1 ? same[0] : node;
}

function asPath(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((s) => (typeof s === "number" ? s : String(s)));
}

/** Translates zod issues into problems located in the YAML source. */
export class IssueTranslator {
  private readonly root: JsonSchema = policyJsonSchema();

  constructor(
    private readonly data: unknown,
    private readonly at: PolicyLocator,
  ) {}

  translate(issues: readonly Issue[], prefix: readonly PathSegment[] = []): PolicyProblem[] {
    return issues.flatMap((issue) => this.one(issue, [...prefix, ...asPath(issue.path)]));
  }

  private one(issue: Issue, path: PathSegment[]): PolicyProblem[] {
    switch (issue.code) {
      case "unrecognized_keys": {
        const allowed = allowedKeys(schemaAt(this.root, path));
        return issue.keys.map((key) =>
          this.at.problem([...path, key], unknownKeyMessage(key, allowed), "key"),
        );
      }
      case "invalid_union": {
        const branch = matchingBranch(issue.errors);
        if (branch) return this.translate(branch, path);
        return [this.expected(path)];
      }
      case "invalid_key": {
        const key = path.at(-1);
        const inner = issue.issues[0];
        const words = inner?.code === "invalid_format" ? inner.message : this.keyWords(path);
        return [this.at.problem(path, `invalid name ${shown(key)}: expected ${words}`, "key")];
      }
      case "custom":
        // Written by the schema's author for this very check: already plain words.
        return [this.at.problem(path, issue.message)];
      case "invalid_format":
        // Formats the schema names itself ("a duration such as ...") read best as they are.
        if (!issue.message.startsWith("Invalid")) return [this.expected(path, issue.message)];
        return [this.expected(path)];
      default:
        return [this.expected(path)];
    }
  }

  private keyWords(path: readonly PathSegment[]): string {
    const names = schemaAt(this.root, path.slice(0, -1))?.propertyNames;
    return names ? expectedWords(names) : "a valid name";
  }

  private expected(path: readonly PathSegment[], words?: string): PolicyProblem {
    const { found, value } = lookup(this.data, path);
    const node = narrow(schemaAt(this.root, path), value);
    const want = words ?? (node ? expectedWords(node) : "a valid value");
    if (!found && path.length > 0) {
      const key = String(path.at(-1));
      // Point at the key naming the mapping that lacks it: the missing key has no position.
      return this.at.problem(
        path.slice(0, -1),
        `missing required key "${key}": expected ${want}`,
        "key",
      );
    }
    return this.at.problem(path, `expected ${want}, got ${shown(value)}`);
  }
}
