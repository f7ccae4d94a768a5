import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { QadminApp } from './admin';
import { normalizeBasePath, stripBasePath } from './base-path';
import { noRoute, problemResponse } from './problem';
import { isStreamBody, type QadminRequest, type QadminResponse } from './types';

/**
 * Options of {@link createNodeListener}.
 *
 * @example
 * ```ts
 * const options: NodeListenerOptions = { basePath: '/admin/queues' };
 * ```
 */
export interface NodeListenerOptions {
  /** Where the dashboard is mounted (`/admin/queues`); the root when left out. */
  basePath?: string;
}

/**
 * Where a framework mounted the dashboard, for {@link fromNodeRequest}.
 *
 * @example
 * ```ts
 * // Express, inside `app.use('/admin/queues', router)`:
 * const mount: NodeMount = { url: req.url, basePath: req.baseUrl, parsedBody: req.body };
 * ```
 */
export interface NodeMount {
  /** The request URL below the mount point (path and query, still percent-encoded). */
  url: string;
  /** The mount point as the browser sees it: `''` at the root, `/admin/queues` under a prefix. */
  basePath: string;
  /**
   * What the framework made of the body if a body parser ran first (an
   * object, or the raw string/bytes). Used only when the body stream has
   * already been read; otherwise core reads the stream itself, with its limit.
   */
  parsedBody?: unknown;
}

/** A request target as a URL; prefixing keeps `//host/x` a path instead of a URL with a host. */
function parseTarget(target: string): URL {
  return new URL(target.startsWith('/') ? `http://localhost${target}` : target, 'http://localhost');
}

/** True once something (a host body parser) has read the request stream. */
function bodyWasRead(req: IncomingMessage): boolean {
  return req.readableEnded || (req as { _body?: unknown })._body === true;
}

/**
 * Core's neutral request from a Node request inside a framework that has
 * already routed it (Express, Koa, Fastify): the path and query from
 * `mount.url`, the body as a stream unless a host body parser already read it,
 * and a signal that aborts when the response closes (the client left).
 *
 * @example
 * ```ts
 * const response = await admin.handle(
 *   fromNodeRequest(req, res, { url: req.url, basePath: req.baseUrl, parsedBody: req.body }),
 * );
 * ```
 */
export function fromNodeRequest(
  req: IncomingMessage,
  res: ServerResponse,
  mount: NodeMount,
): QadminRequest {
  const url = parseTarget(mount.url);
  const method = (req.method ?? 'GET').toUpperCase();
  let signal: AbortSignal | undefined;
  const withBody = method !== 'GET' && method !== 'HEAD';
  const read = withBody && bodyWasRead(req);
  return {
    method,
    path: url.pathname,
    basePath: normalizeBasePath(mount.basePath),
    query: url.searchParams,
    headers: req.headers,
    body: withBody && !read ? req : null,
    ...(read && mount.parsedBody !== undefined ? { parsedBody: mount.parsedBody } : {}),
    ...(req.socket?.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}),
    ...((req.socket as { encrypted?: boolean } | undefined)?.encrypted ? { secure: true } : {}),
    // Made when read (only event streams do): an AbortController per request, and the
    // DOMException its abort creates when the response closes, cost about a tenth of a
    // small JSON answer's time (bench:adapters).
    get signal() {
      if (!signal) {
        if (res.closed) signal = AbortSignal.abort();
        else {
          const controller = new AbortController();
          res.once('close', () => controller.abort());
          signal = controller.signal;
        }
      }
      return signal;
    },
  };
}

/**
 * A neutral response in the shape Node frameworks take as a reply body
 * (Koa's `ctx.body`, Fastify's `reply.send`): bytes as a `Buffer`, an event
 * stream as a `Readable` (destroying it stops the stream), no body as `''`.
 * A 413 carries `connection: close`, since the rest of its body is not read.
 *
 * @example
 * ```ts
 * const { status, headers, body } = toNodeResponse(await admin.handle(request));
 * reply.code(status).headers(headers).send(body);
 * ```
 */
export function toNodeResponse(response: QadminResponse): {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer | Readable;
} {
  const { status, body } = response;
  const headers = status === 413 ? { ...response.headers, connection: 'close' } : response.headers;
  if (isStreamBody(body)) return { status, headers, body: Readable.from(body) };
  if (body instanceof Uint8Array) {
    return {
      status,
      headers,
      body: Buffer.isBuffer(body)
        ? body
        : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    };
  }
  return { status, headers, body: body ?? '' };
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes a neutral response to a Node `ServerResponse`: headers and body at
 * once, or an event stream chunk by chunk as it comes (waiting for `drain`,
 * stopping when the client leaves).
 *
 * @example
 * ```ts
 * await writeNodeResponse(res, await admin.handle(fromNodeRequest(req, res, mount)));
 * ```
 */
export async function writeNodeResponse(
  res: ServerResponse,
  { status, headers, body }: QadminResponse,
): Promise<void> {
  if (!isStreamBody(body)) {
    // The rest of an over-limit body is not read: close instead of draining it.
    res.writeHead(status, status === 413 ? { ...headers, connection: 'close' } : headers);
    res.end(body ?? undefined);
    return;
  }
  res.writeHead(status, headers);
  res.flushHeaders();
  const chunks = body[Symbol.asyncIterator]();
  const stop = () => void chunks.return?.();
  res.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await chunks.next();
      if (done || res.destroyed) break;
      if (!res.write(value)) await waitForDrain(res);
    }
    res.end();
  } finally {
    res.off('close', stop);
    await chunks.return?.();
  }
}

/** Answers a failure after `admin.handle` (a broken socket, a bug): never a stack trace. */
function failed(res: ServerResponse, error: unknown): void {
  console.error('[qadmin] writing the response failed:', error);
  if (!res.headersSent) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Internal Server Error');
  } else res.destroy();
}

/**
 * A `node:http` request listener (also fits `https`, `http2` compatibility
 * mode and Express/Connect as a plain handler). Paths outside `basePath` are
 * 404; event streams are written chunk by chunk as they come and stop when the
 * client leaves.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(createNodeListener(admin, { basePath: '/admin/queues' })).listen(3000);
 * ```
 */
export function createNodeListener(
  admin: QadminApp,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const basePath = normalizeBasePath(options.basePath);
  return (req, res) => {
    const target = parseTarget(req.url ?? '/');
    const pathname = target.pathname;
    const path = stripBasePath(pathname, basePath);
    const respond = async (): Promise<QadminResponse> => {
      if (path === null) {
        const method = (req.method ?? 'GET').toUpperCase();
        return problemResponse(noRoute(method, pathname), { method, path: pathname, basePath: '' });
      }
      return admin.handle(fromNodeRequest(req, res, { url: `${path}${target.search}`, basePath }));
    };
    respond()
      .then((response) => writeNodeResponse(res, response))
      .catch((error: unknown) => failed(res, error));
  };
}
