/**
 * `createAdmin`: the service, the route table, SSE, metrics and the UI files
 * behind one `handle(request)` that every adapter calls.
 */
import { Access, type AccessOptions } from '../auth/access';
import type { LoginResult, Permission, Principal } from '../auth/model';
import { eventFilter, hideQueues } from '../auth/visibility';
import { notFound, QadminError } from '../errors';
import type { IngestEndpoint } from '../ingest';
import { AdminService, type AdminServiceOptions, parseInput } from '../service';
import { type AuditNotes, buildAuditEntry } from './audit-entry';
import { DEFAULT_BODY_LIMIT_BYTES, readJsonBody } from './body';
import { buildOpenApiDocument } from './openapi';
import { jsonResponse, methodNotAllowed, noRoute, problemResponse } from './problem';
import { PrometheusExporter } from './prometheus';
import {
  apiRoutes,
  compileRoutes,
  type HttpMethod,
  matchRoutes,
  type OpenApiDocument,
  parseParams,
  type Route,
  type RouteAppContext,
  type RouteContext,
} from './routes';
import { SseStream } from './sse';
import {
  brandingSchema,
  createStaticHandler,
  findInstalledUi,
  Representation,
  type UiBranding,
} from './static';
import { isStreamBody, type QadminRequest, type QadminResponse } from './types';

/**
 * Options of the HTTP side of {@link createAdmin}.
 *
 * @example
 * ```ts
 * const options: QadminAppOptions = { title: 'Queues', uiDir: '/srv/qadmin-ui', bodyLimitBytes: 256 * 1024 };
 * ```
 */
export interface QadminAppOptions {
  /**
   * Directory of the UI's prebuilt files. By default the installed
   * `@qadmin/ui` (every adapter brings it); `false`, or no `@qadmin/ui`
   * installed, serves a small page listing the API instead.
   */
  uiDir?: string | false;
  /** Name of the dashboard (page title, OpenAPI title, UI config). Default `qadmin`. */
  title?: string;
  /** Logo, favicon, accent colour and default theme of the served UI (see {@link brandingSchema}). */
  branding?: UiBranding;
  /** Largest accepted request body. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Milliseconds between SSE heartbeat comments. Default 15 000. */
  sseHeartbeatMs?: number;
  /** Events an SSE client may fall behind by before its oldest job/progress events are dropped. Default 500. */
  sseMaxBufferedEvents?: number;
}

/**
 * Options of {@link createAdmin}: either the {@link AdminServiceOptions} to
 * build a service from, or an existing `service`, plus the HTTP options and
 * who may do what ({@link AccessOptions}: without `auth`, read-only).
 *
 * @example
 * ```ts
 * const a: CreateAdminOptions = { backends: [memory], readOnly: true };
 * const b: CreateAdminOptions = { service, uiDir: './ui' };
 * ```
 */
export type CreateAdminOptions = (AdminServiceOptions | { service: AdminService }) &
  QadminAppOptions &
  AccessOptions;

/**
 * A dashboard ready to be mounted by an adapter: `handle` answers every
 * request below the mount point and never throws.
 *
 * @example
 * ```ts
 * const response = await admin.handle({
 *   method: 'GET', path: '/api/overview', basePath: '', query: new URLSearchParams(), headers: {},
 * });
 * ```
 */
export interface QadminApp {
  /** The service behind the API. */
  readonly service: AdminService;
  /** Who may do what: the auth providers and the permission of each role. */
  readonly access: Access;
  /** The dashboard's name. */
  readonly title: string;
  /**
   * Answers one request. Expected failures are problem+json with their
   * status; anything unexpected is a 500 whose details go to `console.error`.
   */
  handle(request: QadminRequest): Promise<QadminResponse>;
  /**
   * Ends every open event stream, answers later requests with 503 and closes
   * the service when `createAdmin` created it.
   */
  close(): Promise<void>;
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];
const encoder = new TextEncoder();

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`${name} must be a positive number`);
  return value;
}

/** The branding option, checked: a TypeError names the first bad field. */
function checkBranding(branding: unknown): UiBranding | undefined {
  if (branding === undefined) return undefined;
  const result = brandingSchema.safeParse(branding);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = ['branding', ...issue.path.map(String)].join('.');
  throw new TypeError(`${field}: ${issue.message}`);
}

/** The first value of each query parameter; empty values count as absent. */
function queryObject(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of query) {
    if (value !== '' && !Object.hasOwn(out, name)) out[name] = value;
  }
  return out;
}

/** The HEAD form of a GET response: same headers, no body (a stream is ended unread). */
function headResponse(response: QadminResponse): QadminResponse {
  const { body } = response;
  if (body === null) return response;
  if (isStreamBody(body)) {
    void body[Symbol.asyncIterator]().return?.();
    return { ...response, body: null };
  }
  const headers = { ...response.headers };
  headers['content-length'] ??= String(
    typeof body === 'string' ? encoder.encode(body).byteLength : body.byteLength,
  );
  return { ...response, headers, body: null };
}

/**
 * Creates the dashboard: an {@link AdminService} (or the one given), the
 * JSON API of {@link apiRoutes} under `api/`, Server-Sent Events at
 * `api/events`, the OpenAPI document at `api/openapi.json`, Prometheus text at
 * `metrics` and the UI's files everywhere else. Adapters only translate
 * requests and responses for `handle`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createAdmin, createNodeListener } from '@qadmin/core';
 * import { createMemoryBackend } from '@qadmin/backend-memory';
 *
 * const admin = createAdmin({ backends: [createMemoryBackend()], title: 'Queues' });
 * createServer(createNodeListener(admin, { basePath: '/admin/queues' })).listen(3000);
 * ```
 */
export function createAdmin(options: CreateAdminOptions): QadminApp {
  const ownsService = !('service' in options);
  const service = 'service' in options ? options.service : new AdminService(options);
  const title = options.title ?? 'qadmin';
  const bodyLimit = positive('bodyLimitBytes', options.bodyLimitBytes, DEFAULT_BODY_LIMIT_BYTES);
  const heartbeatMs = positive('sseHeartbeatMs', options.sseHeartbeatMs, 15_000);
  const maxBuffered = positive('sseMaxBufferedEvents', options.sseMaxBufferedEvents, 500);
  const access = new Access(options);
  const routes: readonly Route[] = apiRoutes;
  const compiled = compileRoutes(routes);
  const prometheus = new PrometheusExporter(service);
  const streams = new Set<SseStream>();
  const serveStatic = createStaticHandler({
    uiDir: options.uiDir === false ? undefined : (options.uiDir ?? findInstalledUi()),
    uiDisabled: options.uiDir === false,
    title,
    readOnly: service.readOnly,
    branding: checkBranding(options.branding),
    routes,
  });
  let openapi: OpenApiDocument | undefined;
  let closed = false;

  /** The answer of a login or a setup: who is logged in now, and the session cookie. */
  const sessionResponse = ({ principal, headers }: LoginResult): QadminResponse => ({
    ...jsonResponse(access.status(principal), 200),
    headers: { ...jsonResponse(null, 200).headers, 'cache-control': 'no-store', ...headers },
  });

  const app: RouteAppContext = {
    authStatus: (principal) => access.status(principal),
    login: async (request, body) => sessionResponse(await access.login(request, body)),
    setup: async (request, body) => sessionResponse(await access.setup(request, body)),
    async logout(request) {
      const headers = await access.logout(request);
      return { status: 204, headers: { 'cache-control': 'no-store', ...headers }, body: null };
    },
    openapi(basePath) {
      openapi ??= buildOpenApiDocument(routes, { title });
      return { ...openapi, servers: [{ url: basePath || '/' }] };
    },
    prometheus: (visible) => prometheus.response(visible ?? null),
    async events(request, visible) {
      const initial = await service.overview();
      const stream: SseStream = new SseStream(service, {
        initial,
        heartbeatMs,
        maxBuffered,
        ...(visible ? { filter: eventFilter(visible) } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        onEnd: () => streams.delete(stream),
      });
      if (!stream.done) streams.add(stream);
      return {
        status: 200,
        headers: {
          'content-type': 'text/event-stream',
          // no-transform keeps compression middleware from buffering the stream.
          'cache-control': 'no-cache, no-transform',
          'x-accel-buffering': 'no',
          'x-content-type-options': 'nosniff',
        },
        body: stream,
      };
    },
  };

  /** The backend whose ingest token the request carries; 401 without one. */
  function ingestEndpoint(request: QadminRequest): IngestEndpoint {
    const header = request.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    const token = value === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(value)?.[1];
    const refuse = (detail: string) =>
      new QadminError(401, 'invalid-ingest-token', 'Invalid ingest token', { detail });
    const endpoints = service.backends.flatMap((b) => (b.ingest ? [b.ingest] : []));
    if (endpoints.length === 0) {
      throw notFound('route', 'api/ingest: no backend of this dashboard takes events');
    }
    if (token === undefined) throw refuse('Send an ingest token as Authorization: Bearer <token>');
    const endpoint = endpoints.find((e) => e.accepts(token));
    if (!endpoint) throw refuse('The bearer token is none of the ingest tokens of this dashboard');
    return endpoint;
  }

  const sharedRepresentations = new WeakMap<object, Representation>();

  /**
   * Authenticates, checks the route's permission and runs its handler. A
   * mutation (POST/PUT/DELETE) of an authenticated caller is recorded in the
   * audit trail however it ends, refusals included; one without credentials
   * (401) or refused as cross-site is not: anyone could fill the log with those.
   */
  async function run(
    route: Route,
    rawParams: Record<string, string>,
    request: QadminRequest,
  ): Promise<QadminResponse> {
    const permission = route.permission ?? 'read';
    if (permission === 'ingest') {
      // A worker's token, not a login: no session, no CSRF (not ambient), no audit entry.
      return execute(route, rawParams, request, null, {}, ingestEndpoint(request));
    }
    const principal = await access.authenticate(request);
    // Before anything is read or parsed: who is not logged in learns nothing else.
    if (permission !== 'public' && principal === null) access.require(null, 'read');
    if (route.method !== 'GET') access.checkSameOrigin(request, principal);
    const audited =
      route.method !== 'GET' &&
      permission !== 'public' &&
      principal !== null &&
      // Nobody logs in and nobody may write: every refusal would be anyone's, unaccountable.
      (principal.via !== 'anonymous' || access.anonymousWrites);
    if (!audited) {
      return execute(route, rawParams, request, principal, {});
    }
    const notes: AuditNotes = {};
    let response: QadminResponse;
    try {
      response = await execute(route, rawParams, request, principal, notes);
    } catch (failure) {
      // Not awaited: a slow audit store must not slow the answer (the trail waits for it).
      void service.recordAudit(
        buildAuditEntry(route, rawParams, request, principal, notes, { failure }),
      );
      throw failure;
    }
    void service.recordAudit(
      buildAuditEntry(route, rawParams, request, principal, notes, { status: response.status }),
    );
    return response;
  }

  async function execute(
    route: Route,
    rawParams: Record<string, string>,
    request: QadminRequest,
    principal: Principal | null,
    notes: AuditNotes,
    ingest: IngestEndpoint | null = null,
  ): Promise<QadminResponse> {
    const permission = route.permission ?? 'read';
    const params = parseParams(route, rawParams);
    const rawQuery = queryObject(request.query);
    const query = route.query ? parseInput(route.query, rawQuery, 'query') : {};
    const body = route.body
      ? parseInput(route.body, await readJsonBody(request, bodyLimit), 'body')
      : undefined;
    notes.body = body;
    if (permission !== 'public' && permission !== 'ingest') {
      const needed =
        typeof permission === 'function' ? (permission(body) as Permission) : permission;
      notes.permission = needed;
      access.require(principal, needed);
    }
    const visible = access.queueFilter(principal);
    // A hidden queue is answered as one that does not exist.
    const queueId = (params as { queueId?: unknown } | undefined)?.queueId;
    if (visible && typeof queueId === 'string' && !visible(queueId)) {
      throw notFound('queue', queueId);
    }
    const ctx: RouteContext = {
      params,
      query,
      body,
      rawQuery,
      request,
      principal,
      visible,
      service,
      app,
      ingest,
    };
    if (route.kind === 'raw') return route.handler(ctx);
    const data = await route.handler(ctx);
    notes.result = data;
    if (route.response.status === 204) {
      return { status: 204, headers: { 'cache-control': 'no-store' }, body: null };
    }
    if (visible)
      return jsonResponse(hideQueues(route.operationId, data, visible), route.response.status);
    if (route.sharedResult && typeof data === 'object' && data !== null) {
      return sharedJsonResponse(data, request);
    }
    return jsonResponse(data, route.response.status);
  }

  /**
   * N viewers of one snapshot cost one serialization and one compression:
   * the bytes (and their ETag) are kept beside the snapshot object and
   * dropped with it.
   */
  function sharedJsonResponse(data: object, request: QadminRequest): Promise<QadminResponse> {
    let representation = sharedRepresentations.get(data);
    if (!representation) {
      representation = new Representation(
        encoder.encode(JSON.stringify(data)),
        'application/json; charset=utf-8',
        'no-store',
        '',
        4,
      );
      sharedRepresentations.set(data, representation);
    }
    return representation.respond(request);
  }

  async function dispatch(request: QadminRequest): Promise<QadminResponse> {
    if (closed) {
      throw new QadminError(503, 'shutting-down', 'Shutting down', {
        detail: 'The dashboard is closing',
      });
    }
    const { method, path } = request;
    const matches = matchRoutes(compiled, path);
    if (matches.length > 0) {
      const wanted = method === 'HEAD' ? 'GET' : (method as HttpMethod);
      const match = matches.find((m) => m.route.method === wanted);
      if (!match) {
        const allowed = new Set(matches.map((m) => m.route.method as string));
        if (allowed.has('GET')) allowed.add('HEAD');
        throw methodNotAllowed(
          method,
          METHOD_ORDER.filter((m) => allowed.has(m)),
        );
      }
      return run(match.route, match.rawParams, request);
    }
    if (path === '/api' || path.startsWith('/api/')) throw noRoute(method, path);
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, ['GET', 'HEAD']);
    return serveStatic(request);
  }

  return {
    service,
    access,
    title,
    async handle(incoming) {
      const method = incoming.method.toUpperCase();
      const path = incoming.path.startsWith('/') ? incoming.path : `/${incoming.path}`;
      const request =
        method === incoming.method && path === incoming.path
          ? incoming
          : { ...incoming, method, path };
      let response: QadminResponse;
      try {
        response = await dispatch(request);
        if (method === 'HEAD') response = headResponse(response);
      } catch (error) {
        response = problemResponse(error, request);
      }
      // Every answer carries them; a route's own (a stricter CSP) wins.
      return { ...response, headers: { ...access.securityHeaders, ...response.headers } };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const stream of [...streams]) await stream.return();
      if (ownsService) await service.close();
    },
  };
}
