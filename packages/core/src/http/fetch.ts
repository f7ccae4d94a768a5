import type { QadminApp } from './admin';
import { normalizeBasePath, stripBasePath } from './base-path';
import { noRoute, problemResponse } from './problem';
import { isStreamBody, type QadminResponse } from './types';

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

function toFetchResponse({ status, headers, body }: QadminResponse): Response {
  if (!isStreamBody(body)) {
    return new Response(body as BodyInit | null, { status, headers });
  }
  const chunks = body[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
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
  return new Response(stream, { status, headers });
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
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const path = stripBasePath(url.pathname, basePath);
    if (path === null) {
      return toFetchResponse(
        problemResponse(noRoute(method, url.pathname), {
          method,
          path: url.pathname,
          basePath: '',
        }),
      );
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const response = await admin.handle({
      method,
      path,
      basePath,
      query: url.searchParams,
      headers,
      body: method === 'GET' || method === 'HEAD' ? null : request.body,
      signal: request.signal,
    });
    return toFetchResponse(response);
  };
}
