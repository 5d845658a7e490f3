// The JSON Schema derived from the zod schema, and what is generated from it: the committed
// schema file editors use, the key reference in docs/policy.md, and the plain words that
// validation messages use to say what was expected. Pure: strings in, strings out.
import { z } from "zod";
import { KIND_KEYS, KINDS } from "../requirements/registry.js";
import { durationPattern, policySchema } from "./schema.js";

/** The subset of JSON Schema that z.toJSONSchema emits for the policy schema. */
export interface JsonSchema {
  $schema?: string;
  title?: string;
  $comment?: string;
  description?: string;
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
}

export const REFERENCE_START = "<!-- reference:start -->";
export const REFERENCE_END = "<!-- reference:end -->";

let cached: JsonSchema | undefined;

/** The policy's JSON Schema (draft 2020-12), as committed under schema/. */
export function policyJsonSchema(): JsonSchema {
  if (!cached) {
    const generated = z.toJSONSchema(policySchema) as JsonSchema;
    cached = {
      $schema: generated.$schema,
      title: "Release Policy",
      $comment: "Generated from src/policy/schema.ts by `npm run generate`; do not edit.",
      ...generated,
    };
  }
  return cached;
}

/** The committed schema file's text (before formatting). */
export function renderJsonSchema(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------
// Walking the schema

/** The mapping a key lives in: an object with properties, or a record of named entries. */
function objectBranch(node: JsonSchema): JsonSchema | undefined {
  if (node.type === "object") return node;
  return node.anyOf?.find((option) => option.type === "object");
}

function entrySchema(node: JsonSchema): JsonSchema | undefined {
  const extra = node.additionalProperties;
  return typeof extra === "object" ? extra : undefined;
}

/** The schema of the value at a key path, or undefined when the path leaves the schema. */
export function schemaAt(
  root: JsonSchema,
  path: readonly (string | number)[],
): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const segment of path) {
    if (!node) return undefined;
    if (typeof segment === "number") {
      node = node.items ?? node.anyOf?.find((option) => option.items)?.items;
      continue;
    }
    const object = objectBranch(node);
    if (!object) return undefined;
    node = object.properties?.[segment] ?? entrySchema(object);
  }
  return node;
}

/** The keys a mapping allows, when it has a fixed set of keys. */
export function allowedKeys(node: JsonSchema | undefined): string[] {
  const object = node && objectBranch(node);
  return object?.properties ? Object.keys(object.properties) : [];
}

// ---------------------------------------------------------------------------------------
// Plain words

function range(min: number | undefined, max: number | undefined, unit: string): string {
  if (min !== undefined && max !== undefined) return `${min} to ${max} ${unit}`;
  if (min !== undefined) return `at least ${min} ${unit}`;
  if (max !== undefined) return `at most ${max} ${unit}`;
  return "";
}

function quotedList(values: readonly unknown[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  if (shown.length <= 1) return shown.join("");
  return `one of ${shown.slice(0, -1).join(", ")} or ${shown.at(-1)}`;
}

function numberWords(node: JsonSchema, noun: string): string {
  const { minimum: min, maximum: max } = node;
  if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
  if (min !== undefined) return `${noun} ≥ ${min}`;
  if (max !== undefined) return `${noun} ≤ ${max}`;
  return noun;
}

function textWords(node: JsonSchema): string {
  if (node.pattern === durationPattern.source) return 'a duration such as "30m", "24h" or "2d"';
  if (node.pattern) return `text matching ${node.pattern}`;
  const length = range(node.minLength, node.maxLength, "characters");
  return length ? `text (${length})` : "text";
}

function listWords(node: JsonSchema): string {
  const count = range(node.minItems, node.maxItems, "items");
  const head = count ? `a list of ${count}` : "a list";
  return node.items ? `${head} (each: ${expectedWords(node.items)})` : head;
}

function mappingWords(node: JsonSchema): string {
  const keys = allowedKeys(node);
  if (keys.length > 0) return `a mapping with keys ${keys.join(", ")}`;
  return "a mapping of names to settings";
}

/** What a value of this schema is, as a phrase that completes "expected …". */
export function expectedWords(node: JsonSchema): string {
  if (node.anyOf) return node.anyOf.map(expectedWords).join(", or ");
  if (node.enum) return quotedList(node.enum);
  if (node.const !== undefined) return JSON.stringify(node.const);
  switch (node.type) {
    case "string":
      return textWords(node);
    case "integer":
      return numberWords(node, "a whole number");
    case "number":
      return numberWords(node, "a number");
    case "boolean":
      return "true or false";
    case "array":
      return listWords(node);
    case "object":
      return mappingWords(node);
    default:
      return "a value";
  }
}

/** The short type shown in the reference table. */
function typeWords(node: JsonSchema): string {
  if (node.anyOf) return node.anyOf.map(typeWords).join(", or ");
  if (node.enum) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" or ");
  switch (node.type) {
    case "string":
      if (node.pattern === durationPattern.source) return "duration";
      return node.pattern ? "text (pattern)" : "text";
    case "integer": {
      const bounds = range(node.minimum, node.maximum, "").trim();
      return bounds ? `whole number (${bounds})` : "whole number";
    }
    case "boolean":
      return "true/false";
    case "array": {
      if (!node.items) return "list";
      const item = typeWords(node.items);
      return node.items.anyOf || node.items.enum ? `list of (${item})` : `list of ${item}`;
    }
    case "object":
      return "mapping";
    default:
      return node.type ?? "value";
  }
}

// ---------------------------------------------------------------------------------------
// The key reference

interface Row {
  path: string;
  type: string;
  required: string;
  description: string;
  default: string;
}

// The sentence ends at a full stop followed by a space or the end: "CHANGELOG.md" and "1.5"
// keep their dots.
const DEFAULT_SENTENCE = /\s*Default: ((?:[^.]|\.(?=\S))*)\.(?:\s+|$)/;

function describeRow(path: string, node: JsonSchema, required: string): Row {
  const text = node.description ?? "";
  const stated = DEFAULT_SENTENCE.exec(text);
  const fromSchema = node.default === undefined ? "" : JSON.stringify(node.default);
  return {
    path,
    type: typeWords(node),
    required,
    description: stated ? text.replace(DEFAULT_SENTENCE, " ").trim() : text,
    default: fromSchema || (stated?.[1] ?? ""),
  };
}

/** "gates" → "<gate>", "change_types" → "<change_type>": the placeholder for a record key. */
function placeholder(recordKey: string): string {
  return `<${recordKey.replace(/s$/, "")}>`;
}

function collectRows(node: JsonSchema, prefix: string, rows: Row[]): void {
  for (const option of node.anyOf ?? []) collectRows(option, prefix, rows);
  if (node.items) collectRows(node.items, `${prefix}[]`, rows);
  if (node.type !== "object") return;
  const required = new Set(node.required ?? []);
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    rows.push(describeRow(path, child, required.has(key) ? "required" : "optional"));
    collectRows(child, path, rows);
  }
  const entry = entrySchema(node);
  if (entry) {
    const key = prefix.split(".").at(-1) ?? "entry";
    const path = `${prefix}.${placeholder(key)}`;
    rows.push(describeRow(path, entry, "—"));
    collectRows(entry, path, rows);
  }
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The requirement kinds, from the registry: where each may be used and what re-judges it. */
export function renderKinds(): string {
  const events = (list: readonly string[]): string =>
    list.length > 0 ? list.map((e) => `\`${e}\``).join(", ") : "the clock only";
  return [
    "| Requirement kind | Stages | Judged again on |",
    "| --- | --- | --- |",
    ...KIND_KEYS.map((key) => {
      const kind = KINDS[key];
      return `| \`${key}\` | ${kind.stages.join(", ")} | ${events(kind.events)} |`;
    }),
  ].join("\n");
}

/** The markdown tables of the requirement kinds and of every key, derived from the schema. */
export function renderReference(root: JsonSchema = policyJsonSchema()): string {
  const rows: Row[] = [];
  collectRows(root, "", rows);
  const lines = [
    renderKinds(),
    "",
    "| Key | Type | Required | Default | Description |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| \`${r.path}\` | ${cell(r.type)} | ${r.required} | ${cell(r.default)} | ${cell(r.description)} |`,
    ),
  ];
  return lines.join("\n");
}

/** The document with the text between the reference markers replaced by the reference. */
export function replaceReference(document: string, reference: string = renderReference()): string {
  const start = document.indexOf(REFERENCE_START);
  const end = document.indexOf(REFERENCE_END);
  if (start < 0 || end < start) {
    throw new Error(`the document has no ${REFERENCE_START} … ${REFERENCE_END} section`);
  }
  const note = "<!-- Generated from src/policy/schema.ts by `npm run generate`; do not edit. -->";
  return `${document.slice(0, start)}${REFERENCE_START}\n\n${note}\n\n${reference}\n\n${document.slice(end)}`;
}
