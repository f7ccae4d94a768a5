import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QadminApp } from './admin';
import { normalizeBasePath, stripBasePath } from './base-path';
import { noRoute, problemResponse } from './problem';
import { isStreamBody, type QadminResponse } from './types';

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

async function send(res: ServerResponse, { status, headers, body }: QadminResponse): Promise<void> {
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
    const raw = req.url ?? '/';
    // Prefixing keeps `//host/x` a path instead of a URL with a host.
    const url = new URL(raw.startsWith('/') ? `http://localhost${raw}` : raw, 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = stripBasePath(url.pathname, basePath);
    const controller = new AbortController();
    res.once('close', () => controller.abort());
    const respond = async (): Promise<QadminResponse> =>
      path === null
        ? problemResponse(noRoute(method, url.pathname), {
            method,
            path: url.pathname,
            basePath: '',
          })
        : admin.handle({
            method,
            path,
            basePath,
            query: url.searchParams,
            headers: req.headers,
            body: method === 'GET' || method === 'HEAD' ? null : req,
            signal: controller.signal,
            ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}),
          });
    respond()
      .then((response) => send(res, response))
      .catch((error: unknown) => {
        console.error('[qadmin] writing the response failed:', error);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Internal Server Error');
        } else res.destroy();
      });
  };
}
