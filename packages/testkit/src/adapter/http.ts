/**
 * Real HTTP from the client side: fetch for ordinary requests, raw
 * `node:http` where fetch would hide what the server sent (compression,
 * chunking of an event stream, paths fetch would normalise).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { expect } from 'vitest';

/**
 * What a raw request got back: status, headers and the body bytes exactly as sent.
 *
 * @example
 * ```ts
 * const { status, headers, body }: RawResponse = await rawRequest(origin, '/robots.txt');
 * ```
 */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Options of {@link rawRequest}.
 *
 * @example
 * ```ts
 * const options: RawRequestOptions = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
 * ```
 */
export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * A path segment, percent-encoded: `enc('memory:emails')` is `memory%3Aemails`.
 *
 * @example
 * ```ts
 * await getJson(url(`api/queues/${enc(QUEUES.emails)}/jobs/${enc(AWKWARD_JOB_ID)}`));
 * ```
 */
export const enc = encodeURIComponent;

/** Host and port of `origin` as `node:http` takes them (an IPv6 host without brackets). */
function hostOf(origin: string): { host: string; port: string } {
  const { hostname, port } = new URL(origin);
  return { host: hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * Sends one request with `node:http`, to `origin` and `path` exactly as
 * given (no normalisation, no automatic decompression). The response is
 * resolved even when the server stops reading the request body early, as a
 * server does when it refuses a body that is too large.
 *
 * @example
 * ```ts
 * const response = await rawRequest('http://127.0.0.1:4321', '/admin/queues/..%2fsecret.txt');
 * ```
 */
export function rawRequest(
  origin: string,
  path: string,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      {
        ...hostOf(origin),
        path,
        method: options.method ?? 'GET',
        headers: { connection: 'close', ...options.headers },
        agent: false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', (error) => {
      // Writing the rest of a refused body fails once the server closed; the answer counts.
      if (!answered) reject(error);
    });
    req.end(options.body);
  });
}

/**
 * One Server-Sent Event as parsed by the client.
 *
 * @example
 * ```ts
 * const event: SseEvent = { event: 'overview', data: '{"type":"overview"}', id: '1' };
 * ```
 */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * An open `text/event-stream` response, read event by event as bytes arrive.
 *
 * @example
 * ```ts
 * const action = await stream.waitFor((e) => e.event === 'action', 'an action event');
 * stream.close();
 * ```
 */
export interface EventStreamClient {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every event received so far, in order. */
  readonly events: readonly SseEvent[];
  /** Resolves with the first event (already received or yet to come) that matches. */
  waitFor(predicate: (event: SseEvent) => boolean, description: string): Promise<SseEvent>;
  /** Resolves when the server ends the response or the connection closes. */
  readonly ended: Promise<void>;
  /** Disconnects, as a browser tab that closes. */
  close(): void;
}

/**
 * Opens an event stream with `node:http`, so each chunk is seen as it arrives.
 *
 * @example
 * ```ts
 * const stream = await openEventStream('http://127.0.0.1:4321', '/admin/queues/api/events');
 * ```
 */
export function openEventStream(
  origin: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<EventStreamClient> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      ...hostOf(origin),
      path,
      headers: { accept: 'text/event-stream', ...headers },
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      let resolveEnded!: () => void;
      const ended = new Promise<void>((done) => {
        resolveEnded = done;
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk.replace(/\r\n?/g, '\n');
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parseEvent(block);
          if (event) events.push(event);
        }
        for (const wake of [...waiters]) wake();
      });
      const finish = () => {
        resolveEnded();
        for (const wake of [...waiters]) wake();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      req.on('close', finish);
      let closed = false;
      ended.then(() => {
        closed = true;
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        ended,
        waitFor(predicate, description) {
          return new Promise((found, fail) => {
            const check = () => {
              const match = events.find(predicate);
              if (match) {
                waiters.delete(check);
                found(match);
              } else if (closed) {
                waiters.delete(check);
                fail(
                  new Error(
                    `The event stream ended before ${description}; received: ${events
                      .map((e) => e.event)
                      .join(', ')}`,
                  ),
                );
              }
            };
            waiters.add(check);
            check();
          });
        },
        close() {
          req.destroy();
          res.destroy();
        },
      });
    });
    req.end();
  });
}

function parseEvent(block: string): SseEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  let fields = 0;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
    else if (name === 'id') id = value;
    else continue;
    fields++;
  }
  return fields > 0 && data.length > 0 ? { event, data: data.join('\n'), id } : undefined;
}

/**
 * Rejects with `message` when `promise` takes longer than `ms`: a guard, not
 * a timing assertion.
 *
 * @example
 * ```ts
 * await within(harness.close(), 5000, 'harness.close() hung');
 * ```
 */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** Text that gives away a stack trace or a source location. */
const STACK_PATTERNS = [
  /^\s*at\s/m,
  // A stack inside a JSON string: an escaped newline, then a frame.
  /\\n\s*at\s/,
  /\bat\s+\S+\s+\([^)]*:\d+:\d+\)/,
  /\.(ts|js|mjs|cjs):\d+/,
  /node_modules/,
  /node:internal/,
];

/** Fails when `text` looks like it carries a stack trace. */
function expectNoStackTrace(text: string): void {
  for (const pattern of STACK_PATTERNS) {
    expect(text, `a problem body must not leak a stack trace (matched ${pattern})`).not.toMatch(
      pattern,
    );
  }
}

/**
 * Checks that `response` is an RFC 9457 problem with `status`, a title and a
 * detail, without a stack trace, naming `field` when given; returns it.
 *
 * @example
 * ```ts
 * await expectProblem(await fetch(url('api/queues/x/jobs?state=waiting&limit=0')), 400, 'query.limit');
 * ```
 */
export async function expectProblem(
  response: Response,
  status: number,
  field?: string,
): Promise<Record<string, unknown>> {
  const text = await response.text();
  expectStatus(response.status, status, text);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  const problem = expectProblemBody(text, status, { type: expect.any(String) });
  if (field !== undefined) expect(problem.field).toBe(field);
  return problem;
}

/**
 * {@link expectProblem} for a response read with {@link rawRequest}: status,
 * problem+json, no stack trace, a title and a detail.
 *
 * @example
 * ```ts
 * expectRawProblem(await rawRequest(origin, path, { method: 'POST', body }), 413);
 * ```
 */
export function expectRawProblem(response: RawResponse, status: number): void {
  const text = response.body.toString('utf8');
  expectStatus(response.status, status, text);
  expect(mediaType(String(response.headers['content-type'] ?? ''))).toBe(
    'application/problem+json',
  );
  expectProblemBody(text, status);
}

function expectStatus(actual: number, status: number, text: string): void {
  expect(actual, `expected ${status}, body: ${text.slice(0, 300)}`).toBe(status);
}

/** The body every problem has: no stack trace, `status`, a title and a detail (and `members`). */
function expectProblemBody(
  text: string,
  status: number,
  members: Record<string, unknown> = {},
): Record<string, unknown> {
  expectNoStackTrace(text);
  const problem = JSON.parse(text) as Record<string, unknown>;
  expect(problem).toMatchObject({
    ...members,
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  return problem;
}

/**
 * The media type of a content-type header, lower case, without parameters.
 *
 * @example
 * ```ts
 * mediaType('Application/JSON; charset=utf-8'); // 'application/json'
 * ```
 */
export function mediaType(value: string | null | undefined): string {
  return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * GETs `url` as JSON, checks the status and media type, and returns the
 * parsed body.
 *
 * @example
 * ```ts
 * const overview = await getJson(url('api/overview'));
 * ```
 */
export async function getJson<T = any>(url: string, status = 200): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  return expectJson(response, status) as Promise<T>;
}

/**
 * The header the dashboard's own pages send with every change (core refuses
 * changes without it unless they carry a bearer token): the contract sends
 * it as the UI does.
 *
 * @example
 * ```ts
 * await fetch(url, { method: 'DELETE', headers: CSRF_HEADER });
 * ```
 */
export const CSRF_HEADER: Readonly<Record<string, string>> = { 'x-qadmin-csrf': '1' };

/**
 * Sends `body` as JSON with `method` (POST by default).
 *
 * @example
 * ```ts
 * const response = await sendJson(url('api/queues/memory%3Aemails/actions'), { type: 'pause' });
 * ```
 */
export function sendJson(
  url: string,
  body: unknown,
  method = 'POST',
  contentType = 'application/json',
): Promise<Response> {
  return fetch(url, {
    method,
    headers: { 'content-type': contentType, accept: 'application/json', ...CSRF_HEADER },
    body: JSON.stringify(body),
  });
}

/**
 * Checks that `response` has `status` and a JSON body, and returns it parsed.
 *
 * @example
 * ```ts
 * const job = await expectJson(await sendJson(url('api/queues/memory%3Ascratch/jobs'), { name: 'x' }), 201);
 * ```
 */
export async function expectJson(response: Response, status: number): Promise<any> {
  const text = await response.text();
  expect(response.status, `${response.url}: ${text.slice(0, 300)}`).toBe(status);
  expect(mediaType(response.headers.get('content-type'))).toBe('application/json');
  return JSON.parse(text);
}
