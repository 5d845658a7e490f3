/**
 * GitHub's published OpenAPI description as a request gate: which routes exist, which
 * parameters and bodies they accept, and (optionally) whether our answers have the
 * documented shape. The document is parsed once per process; body and response
 * validators are compiled on first use, so start-up stays under a second.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface ParameterSpec {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  schema: JsonObject;
}

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  parameters: ParameterSpec[];
  body?: { required: boolean; schema?: JsonObject };
  responses: JsonObject;
}

export type RouteMatch =
  | { kind: "operation"; operation: Operation; params: Record<string, string> }
  | { kind: "wrong-method"; template: string; allowed: string[] }
  | { kind: "no-route"; reason: string };

/** One segment of a path template: literal text, a whole-segment parameter, or a pattern. */
type Segment =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string }
  | { kind: "pattern"; regex: RegExp; names: string[] };

interface Route {
  template: string;
  segments: Segment[];
  operations: Map<string, Operation>;
}

const HTTP_METHODS = ["get", "put", "post", "patch", "delete", "head", "options"];
/** Trailing parameters that may carry slashes a client left unencoded (file paths, refs). */
const SLASHED_PARAMS = new Set(["path", "ref", "basehead", "branch", "tag"]);
const SEGMENT_RANK = { literal: 0, pattern: 1, param: 2 } as const;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function parseSegment(text: string): Segment {
  const whole = /^\{([^}]+)\}$/.exec(text);
  if (whole?.[1]) return { kind: "param", name: whole[1] };
  if (!text.includes("{")) return { kind: "literal", text };
  const names: string[] = [];
  const source = text
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(name);
      return "(.+?)";
    })
    .join("");
  return { kind: "pattern", regex: new RegExp(`^${source}$`), names };
}

/** Literal segments beat patterns beat parameters, position by position. */
function compareRoutes(a: Route, b: Route): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const ra = SEGMENT_RANK[a.segments[i]?.kind ?? "param"];
    const rb = SEGMENT_RANK[b.segments[i]?.kind ?? "param"];
    if (ra !== rb) return ra - rb;
  }
  return 0;
}

function decodeSegment(raw: string): string {
  return decodeURIComponent(raw);
}

function matchSegments(route: Route, raw: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  const last = route.segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const segment = route.segments[i];
    // A trailing parameter may hold slashes that the client left unencoded.
    const text = i === last && raw.length > route.segments.length ? raw.slice(i).join("/") : raw[i];
    if (segment === undefined || text === undefined) return undefined;
    if (segment.kind === "literal") {
      if (decodeSegment(text) !== segment.text) return undefined;
    } else if (segment.kind === "param") {
      if (text === "") return undefined;
      params[segment.name] = decodeSegment(text);
    } else {
      const found = segment.regex.exec(text);
      if (!found) return undefined;
      segment.names.forEach((name, n) => (params[name] = decodeSegment(found[n + 1] ?? "")));
    }
  }
  return params;
}

function formatAjvError(error: ErrorObject): string {
  const where =
    error.instancePath === "" ? "body" : `body${error.instancePath.replace(/\//g, ".")}`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "enum")
    return `${where} ${error.message}: ${JSON.stringify(params.allowedValues)}`;
  if (error.keyword === "additionalProperties") {
    return `${where} has unknown property "${String(params.additionalProperty)}"`;
  }
  return `${where} ${error.message ?? "is invalid"}`;
}

/** Collapse ajv's per-branch noise for oneOf/anyOf into a short, readable list. */
function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  const messages = (errors ?? []).map(formatAjvError);
  return [...new Set(messages)].slice(0, 12);
}

export class OpenApi {
  private readonly routesByLength = new Map<number, Route[]>();
  private readonly trailingParamRoutes: Route[] = [];
  private readonly ajv: Ajv;
  private readonly bodyValidators = new Map<string, ValidateFunction>();
  private readonly responseValidators = new Map<string, ValidateFunction | null>();
  private readonly schemas: JsonObject;
  private readonly registered = new Set<string>();

  private constructor(private readonly doc: JsonObject) {
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateSchema: false,
      logger: false,
      inlineRefs: false,
    });
    addFormatsModule.default(this.ajv);
    const components = isObject(doc.components) ? doc.components : {};
    this.schemas = isObject(components.schemas) ? components.schemas : {};
    this.indexRoutes(isObject(doc.paths) ? doc.paths : {});
  }

  /** The description GitHub publishes for api.github.com; parsed once per process. */
  static load(): OpenApi {
    if (!cached) {
      const require = createRequire(import.meta.url);
      const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
      cached = new OpenApi(JSON.parse(readFileSync(file, "utf8")) as JsonObject);
    }
    return cached;
  }

  match(method: string, path: string): RouteMatch {
    const raw = path.replace(/^\//, "").split("/");
    const candidates = [
      ...(this.routesByLength.get(raw.length) ?? []),
      ...this.trailingParamRoutes,
    ];
    let pathOnly: Route | undefined;
    for (const route of candidates) {
      let params: Record<string, string> | undefined;
      try {
        params = matchSegments(route, raw);
      } catch {
        return { kind: "no-route", reason: `malformed percent-encoding in ${path}` };
      }
      if (!params) continue;
      const operation = route.operations.get(method.toLowerCase());
      if (operation) return { kind: "operation", operation, params };
      pathOnly ??= route;
    }
    if (pathOnly) {
      const allowed = [...pathOnly.operations.keys()].map((m) => m.toUpperCase());
      return { kind: "wrong-method", template: pathOnly.template, allowed };
    }
    return { kind: "no-route", reason: `no route in GitHub's REST API matches ${path}` };
  }

  /** Path and query parameters: types, enums, required ones, and unknown query names. */
  checkParameters(
    operation: Operation,
    params: Record<string, string>,
    query: URLSearchParams,
  ): string[] {
    const problems: string[] = [];
    for (const spec of operation.parameters) {
      if (spec.in === "path") problems.push(...this.checkValue(spec, params[spec.name]));
      if (spec.in === "query") {
        const value = query.get(spec.name) ?? undefined;
        if (value === undefined && spec.required)
          problems.push(`query parameter "${spec.name}" is required`);
        if (value !== undefined) problems.push(...this.checkValue(spec, value));
      }
    }
    const known = new Set(operation.parameters.filter((p) => p.in === "query").map((p) => p.name));
    for (const name of new Set(query.keys())) {
      if (!known.has(name))
        problems.push(`unknown query parameter "${name}" for ${operation.operationId}`);
    }
    return problems;
  }

  checkBody(operation: Operation, body: unknown): string[] {
    if (!operation.body)
      return body === undefined ? [] : [`${operation.operationId} takes no request body`];
    if (body === undefined)
      return operation.body.required ? ["a JSON request body is required"] : [];
    const schema = operation.body.schema;
    if (!schema) return [];
    let validate = this.bodyValidators.get(operation.operationId);
    if (!validate) {
      validate = this.compile(schema);
      this.bodyValidators.set(operation.operationId, validate);
    }
    const problems = validate(body) ? [] : describeErrors(validate.errors);
    return [...problems, ...this.unknownTopLevelProperties(schema, body)];
  }

  /** Whether a JSON answer has the documented shape (used to keep the stand-in honest). */
  checkResponse(operation: Operation, status: number, body: unknown): string[] {
    const key = `${operation.operationId} ${status}`;
    if (!this.responseValidators.has(key)) {
      const schema = this.responseSchema(operation, status);
      this.responseValidators.set(key, schema ? this.compile(schema) : null);
    }
    const validate = this.responseValidators.get(key);
    if (!validate || validate(body)) return [];
    return describeErrors(validate.errors).map((m) => m.replace(/^body/, "response"));
  }

  /**
   * Registers only the component schemas this one reaches (each once, under its own id),
   * so start-up never pays for the thousand components no test touches.
   */
  private compile(schema: JsonObject): ValidateFunction {
    const pending = [...referencedSchemas(schema)];
    while (pending.length > 0) {
      const name = pending.pop();
      if (name === undefined || this.registered.has(name)) continue;
      this.registered.add(name);
      const component = this.schemas[name];
      if (!isObject(component)) continue;
      this.ajv.addSchema(toJsonSchema(component) as object, `${SCHEMA_ID}${name}`);
      pending.push(...referencedSchemas(component));
    }
    return this.ajv.compile(toJsonSchema(schema) as object);
  }

  private responseSchema(operation: Operation, status: number): JsonObject | undefined {
    let response = operation.responses[String(status)];
    if (isObject(response) && typeof response.$ref === "string")
      response = this.resolve(response.$ref);
    if (!isObject(response) || !isObject(response.content)) return undefined;
    const json = response.content["application/json"];
    return isObject(json) && isObject(json.schema) ? json.schema : undefined;
  }

  /**
   * GitHub ignores body properties it does not know; a misspelt one is a silent bug in the
   * caller, so report it. Only for bodies whose documented properties we can list.
   */
  private unknownTopLevelProperties(schema: JsonObject, body: unknown): string[] {
    if (!isObject(body as Json)) return [];
    const alternatives = (["anyOf", "oneOf"] as const).flatMap((k) =>
      Array.isArray(schema[k]) ? schema[k] : [],
    );
    const names = new Set<string>();
    for (const option of [schema, ...alternatives]) {
      const branch =
        isObject(option) && typeof option.$ref === "string" ? this.resolve(option.$ref) : option;
      if (isObject(branch) && isObject(branch.properties))
        Object.keys(branch.properties).forEach((n) => names.add(n));
    }
    if (names.size === 0) return [];
    return Object.keys(body as JsonObject)
      .filter((key) => !names.has(key))
      .map((key) => `body has unknown property "${key}"`);
  }

  private checkValue(spec: ParameterSpec, value: string | undefined): string[] {
    if (value === undefined)
      return spec.required ? [`${spec.in} parameter "${spec.name}" is required`] : [];
    const schema =
      typeof spec.schema.$ref === "string" ? this.resolve(spec.schema.$ref) : spec.schema;
    if (!isObject(schema)) return [];
    const label = `${spec.in} parameter "${spec.name}"`;
    if (schema.type === "integer" && !/^-?\d+$/.test(value))
      return [`${label} must be an integer, got "${value}"`];
    if (schema.type === "number" && Number.isNaN(Number(value)))
      return [`${label} must be a number, got "${value}"`];
    if (schema.type === "boolean" && value !== "true" && value !== "false") {
      return [`${label} must be true or false, got "${value}"`];
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
      return [`${label} must be one of ${JSON.stringify(schema.enum)}, got "${value}"`];
    }
    return [];
  }

  private resolve(ref: string): Json | undefined {
    let node: Json | undefined = this.doc;
    for (const part of ref.replace(/^#\//, "").split("/")) {
      const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
      node = isObject(node) ? node[key] : undefined;
    }
    return node;
  }

  private indexRoutes(paths: JsonObject): void {
    for (const [template, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      const route: Route = {
        template,
        segments: template.replace(/^\//, "").split("/").map(parseSegment),
        operations: new Map(),
      };
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (isObject(op)) route.operations.set(method, this.toOperation(method, template, op));
      }
      const list = this.routesByLength.get(route.segments.length) ?? [];
      list.push(route);
      this.routesByLength.set(route.segments.length, list);
      const last = route.segments.at(-1);
      if (last?.kind === "param" && SLASHED_PARAMS.has(last.name))
        this.trailingParamRoutes.push(route);
    }
    for (const list of this.routesByLength.values()) list.sort(compareRoutes);
    this.trailingParamRoutes.sort(
      (a, b) => b.segments.length - a.segments.length || compareRoutes(a, b),
    );
  }

  private toOperation(method: string, template: string, op: JsonObject): Operation {
    const parameters = (Array.isArray(op.parameters) ? op.parameters : [])
      .map((p) => (isObject(p) && typeof p.$ref === "string" ? this.resolve(p.$ref) : p))
      .filter(isObject)
      .map((p): ParameterSpec => ({
        name: String(p.name),
        in: p.in as ParameterSpec["in"],
        required: p.required === true,
        schema: isObject(p.schema) ? p.schema : {},
      }));
    const requestBody = isObject(op.requestBody) ? op.requestBody : undefined;
    const content = requestBody && isObject(requestBody.content) ? requestBody.content : {};
    const json = content["application/json"];
    return {
      method,
      template,
      operationId: String(op.operationId),
      parameters,
      body: requestBody
        ? {
            required: requestBody.required === true,
            schema: isObject(json) && isObject(json.schema) ? json.schema : undefined,
          }
        : undefined,
      responses: isObject(op.responses) ? op.responses : {},
    };
  }
}

let cached: OpenApi | undefined;

const SCHEMA_ID = "stand-in:schemas/";
const COMPONENT_REF = "#/components/schemas/";

function referencedSchemas(node: Json, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => referencedSchemas(item, found));
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith(COMPONENT_REF))
        found.add(value.slice(COMPONENT_REF.length));
      else referencedSchemas(value, found);
    }
  }
  return found;
}

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `#/components/schemas/x` references point at
 * the id each component is registered under, and `nullable: true` becomes an explicit
 * null alternative (ajv refuses `nullable` beside `$ref`/`allOf`, which GitHub's spec uses).
 */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "nullable") continue;
    out[key] =
      key === "$ref" && typeof value === "string" && value.startsWith(COMPONENT_REF)
        ? `${SCHEMA_ID}${value.slice(COMPONENT_REF.length)}`
        : toJsonSchema(value);
  }
  if (node.nullable !== true) return out;
  if (typeof out.type === "string" && out.$ref === undefined) {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}
