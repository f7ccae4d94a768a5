/**
 * The OpenAPI 3.1 document, generated from the route table with zod 4's
 * JSON Schema output.
 */
import { z } from 'zod';
import { problemSchema } from './problem';
import type { OpenApiDocument, Route } from './routes';

type Json = Record<string, unknown>;

const REF_PREFIX = '#/components/schemas/';

const PROBLEM_RESPONSES: Record<number, [name: string, description: string]> = {
  400: ['BadRequest', 'A parameter, the query or the body is invalid; `field` names it'],
  403: ['Forbidden', 'The dashboard is read-only'],
  404: ['NotFound', 'The queue, job or schedule does not exist'],
  409: ['Conflict', 'The action does not apply to the job or queue as it is now'],
  413: ['PayloadTooLarge', 'The body is larger than the limit'],
  415: ['UnsupportedMediaType', 'The body is not application/json'],
  500: ['InternalError', 'Unexpected failure; the details are in the server log'],
  501: ['Unsupported', 'The backend does not support this'],
  503: ['Unavailable', 'The backend cannot be reached or did not answer in time'],
};

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Applies `fn` to every `$ref` string inside `value`. */
function mapRefs(value: unknown, fn: (ref: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapRefs(item, fn));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof item === 'string' ? fn(item) : mapRefs(item, fn);
  }
  return out;
}

function refsOf(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsOf(item, found);
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/')) {
        found.add(item.slice('#/$defs/'.length));
      } else refsOf(item, found);
    }
  }
  return found;
}

/**
 * Collects JSON Schemas for one direction (`input` for what clients send,
 * `output` for what they receive), hoisting every schema with a zod `id` into
 * shared definitions.
 */
class SchemaCollector {
  readonly defs = new Map<string, unknown>();
  constructor(readonly io: 'input' | 'output') {}

  /** The schema of `schema`, with references as `#/$defs/<id>`. */
  add(schema: z.ZodType): Json {
    const json = z.toJSONSchema(schema, {
      io: this.io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
    }) as Json;
    const { $schema: _dialect, $defs, ...rest } = json;
    if (isObject($defs)) {
      for (const [id, def] of Object.entries($defs)) if (!this.defs.has(id)) this.defs.set(id, def);
    }
    return rest;
  }
}

/**
 * Merges the two directions' definitions into `components.schemas`. A
 * definition whose input and output forms differ (defaults make input fields
 * optional) keeps its id for the output form; the input form is `<id>Input`.
 */
function mergeDefinitions(input: SchemaCollector, output: SchemaCollector) {
  const differs = new Set<string>();
  for (const [id, def] of input.defs) {
    const other = output.defs.get(id);
    if (other !== undefined && JSON.stringify(other) !== JSON.stringify(def)) differs.add(id);
  }
  // An input definition that references a renamed one must be renamed too.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, def] of input.defs) {
      if (differs.has(id) || !output.defs.has(id)) continue;
      if ([...refsOf(def)].some((ref) => differs.has(ref))) {
        differs.add(id);
        changed = true;
      }
    }
  }
  const inputRef = (ref: string) => {
    const id = ref.slice('#/$defs/'.length);
    return REF_PREFIX + (differs.has(id) ? `${id}Input` : id);
  };
  const outputRef = (ref: string) => REF_PREFIX + ref.slice('#/$defs/'.length);
  const schemas: Json = {};
  for (const [id, def] of output.defs) schemas[id] = mapRefs(def, outputRef);
  for (const [id, def] of input.defs) {
    const name = differs.has(id) ? `${id}Input` : id;
    if (!(name in schemas)) schemas[name] = mapRefs(def, inputRef);
  }
  return { schemas, inputRef, outputRef };
}

/**
 * Builds the OpenAPI 3.1 document of `routes`: every route with its path
 * parameters, query parameters, JSON body, success response and the
 * problem+json responses it can answer, and every named schema as a
 * component.
 *
 * @example
 * ```ts
 * const doc = buildOpenApiDocument(apiRoutes, { title: 'Queues', basePath: '/admin/queues' });
 * console.log(doc.paths['/api/overview']);
 * ```
 */
export function buildOpenApiDocument(
  routes: readonly Route[],
  options: { title?: string; basePath?: string; version?: string } = {},
): OpenApiDocument {
  const input = new SchemaCollector('input');
  const output = new SchemaCollector('output');
  // Registers the Problem component (it has a zod id).
  output.add(problemSchema);
  const pending: { route: Route; operation: Json; body?: Json; success?: Json }[] = [];

  for (const route of routes) {
    const parameters: Json[] = [];
    for (const [name, schema] of Object.entries(route.params?.shape ?? {})) {
      const { description, ...json } = input.add(schema as z.ZodType);
      parameters.push({ name, in: 'path', required: true, description, schema: json });
    }
    if (route.query) {
      let json = input.add(route.query);
      const ref = typeof json.$ref === 'string' ? json.$ref.slice('#/$defs/'.length) : undefined;
      if (ref !== undefined) json = (input.defs.get(ref) as Json | undefined) ?? {};
      const required = new Set(Array.isArray(json.required) ? (json.required as string[]) : []);
      for (const [name, property] of Object.entries((json.properties as Json | undefined) ?? {})) {
        const { description, ...schema } = property as Json;
        parameters.push({
          name,
          in: 'query',
          required: required.has(name),
          ...(description === undefined ? {} : { description }),
          schema,
        });
      }
    }
    const operation: Json = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      tags: [...route.tags],
    };
    if (parameters.length > 0) operation.parameters = parameters;
    pending.push({
      route,
      operation,
      ...(route.body ? { body: input.add(route.body) } : {}),
      ...(route.response.schema ? { success: output.add(route.response.schema) } : {}),
    });
  }

  const { schemas, inputRef, outputRef } = mergeDefinitions(input, output);
  const paths: Record<string, Record<string, unknown>> = {};
  const usedProblems = new Set<number>();
  for (const { route, operation, body, success } of pending) {
    if (Array.isArray(operation.parameters)) {
      operation.parameters = mapRefs(operation.parameters, inputRef);
    }
    if (body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: mapRefs(body, inputRef) } },
      };
    }
    const { status, description, contentType } = route.response;
    const responses: Json = {};
    if (status === 204 || !success) {
      responses[status] = { description };
    } else if (contentType === 'text/event-stream') {
      responses[status] = {
        description,
        content: {
          'text/event-stream': {
            schema: { type: 'string' },
            'x-event-schema': mapRefs(success, outputRef),
          },
        },
      };
    } else {
      responses[status] = {
        description,
        content: { [contentType ?? 'application/json']: { schema: mapRefs(success, outputRef) } },
      };
    }
    for (const code of new Set([...route.problems, 500])) {
      const known = PROBLEM_RESPONSES[code];
      if (!known) continue;
      usedProblems.add(code);
      responses[code] = { $ref: `#/components/responses/${known[0]}` };
    }
    operation.responses = responses;
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }

  const problemResponses: Json = {};
  for (const code of [...usedProblems].sort()) {
    const [name, description] = PROBLEM_RESPONSES[code]!;
    problemResponses[name] = {
      description,
      content: { 'application/problem+json': { schema: { $ref: `${REF_PREFIX}Problem` } } },
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'qadmin',
      version: options.version ?? '1.0.0',
      description:
        'JSON API of the qadmin queue dashboard. Errors are application/problem+json (RFC 9457); ' +
        'mutations are POST, PUT and DELETE only.',
    },
    servers: [{ url: options.basePath || '/' }],
    tags: ['dashboard', 'queues', 'jobs', 'workers', 'schedules'].map((name) => ({ name })),
    paths,
    components: { schemas, responses: problemResponses },
  };
}
