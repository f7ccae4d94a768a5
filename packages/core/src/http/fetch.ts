import type { QadminApp } from './admin';
import { normalizeBasePath, stripBasePath } from './base-path';
import { noRoute, problemResponse } from './problem';
import { isStreamBody, type QadminRequest, type QadminResponse } from './types';

/**
 * Options of {@link createFetchHandler}.
 *
 * @example
 * ```ts
 * const options: FetchHandlerOptions = { basePath: '/admin/queues' };
 * ```
 */
export interface FetchHandlerOptions {
  /** Where the dashboard is mounted (`/admin/queues`); the root when left out. */
  basePath?: string;
}

const encoder = new TextEncoder();

/**
 * A neutral response body as a fetch `BodyInit`: a string or bytes as they
 * are (so a runtime can send them with a length in one write), an event
 * stream as a `ReadableStream` that stops the events when it is cancelled.
 *
 * @example
 * ```ts
 * const { status, headers, body } = await admin.handle(request);
 * return c.newResponse(toFetchBody(body), { status, headers });
 * ```
 */
export function toFetchBody(
  body: QadminResponse['body'],
): string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null {
  if (!isStreamBody(body)) return body as string | Uint8Array<ArrayBuffer> | null;
  const chunks = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await chunks.next();
      try {
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
      } catch {
        // The consumer cancelled while this read was pending.
      }
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}

/**
 * A neutral response as a WHATWG `Response` (see {@link toFetchBody}).
 *
 * @example
 * ```ts
 * app.all('*', async (c) => toFetchResponse(await admin.handle(fromFetchRequest(c.req.raw, ''))));
 * ```
 */
export function toFetchResponse({ status, headers, body }: QadminResponse): Response {
  return new Response(toFetchBody(body), { status, headers });
}

/**
 * Core's neutral request from a WHATWG `Request` whose URL path starts with
 * `basePath` (the mount point as the browser sees it), or `null` when it does
 * not. The request's signal ends event streams when the client leaves.
 *
 * @example
 * ```ts
 * const request = fromFetchRequest(c.req.raw, '/admin/queues');
 * if (request) return toFetchResponse(await admin.handle(request));
 * ```
 */
export function fromFetchRequest(request: Request, basePath: string): QadminRequest | null {
  const url = new URL(request.url);
  const mount = normalizeBasePath(basePath);
  const path = stripBasePath(url.pathname, mount);
  if (path === null) return null;
  const method = request.method.toUpperCase();
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    method,
    path,
    basePath: mount,
    query: url.searchParams,
    headers,
    body: method === 'GET' || method === 'HEAD' ? null : request.body,
    secure: url.protocol === 'https:',
    // Read when used (event streams): some runtimes build the signal, and a
    // whole native Request with it, only on first access.
    get signal() {
      return request.signal;
    },
  };
}

/**
 * A WHATWG fetch handler, `(request: Request) => Promise<Response>`, for
 * runtimes and frameworks built on `Request`/`Response` (Hono, Bun, Deno,
 * Next.js route handlers). Paths outside `basePath` are 404; event streams
 * are a `ReadableStream` that ends when the request's signal aborts or the
 * consumer cancels.
 *
 * @example
 * ```ts
 * const handler = createFetchHandler(admin, { basePath: '/admin/queues' });
 * Bun.serve({ fetch: handler });
 * ```
 */
export function createFetchHandler(
  admin: QadminApp,
  options: FetchHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const basePath = normalizeBasePath(options.basePath);
  return async (request) => {
    const neutral = fromFetchRequest(request, basePath);
    if (neutral) return toFetchResponse(await admin.handle(neutral));
    const method = request.method.toUpperCase();
    const path = new URL(request.url).pathname;
    return toFetchResponse(problemResponse(noRoute(method, path), { method, path, basePath: '' }));
  };
}
