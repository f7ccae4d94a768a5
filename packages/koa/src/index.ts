// For whoever writes the next adapter: import only from @qadmin/core, and only translate.
/**
 * `@qadmin/koa`: the qadmin dashboard (JSON API, UI, live events) as a Koa 2
 * or 3 middleware.
 */
import {
  fromNodeRequest,
  isStreamBody,
  normalizeBasePath,
  type QadminApp,
  stripBasePath,
  toNodeResponse,
} from '@qadmin/core';
// Types only: koa is a peer, and the same build runs on Koa 2 and Koa 3.
import type { Middleware } from 'koa';

/**
 * Options of {@link qadmin}.
 *
 * @example
 * ```ts
 * const options: QadminKoaOptions = { basePath: '/admin/queues' };
 * ```
 */
export interface QadminKoaOptions {
  /**
   * Where the dashboard answers, as `ctx.path` reads where the middleware
   * runs: `/admin/queues` for a plain `app.use` or a `@koa/router` route;
   * left out (the root) inside `koa-mount`, which has already taken its
   * prefix off `ctx.path`. Anything else goes on to `next()`.
   */
  basePath?: string;
}

/** The path of a request target, raw like `ctx.path`: nothing decoded, no dot segment resolved. */
function pathOf(target: string): string {
  const path = target.split(/[?#]/, 1)[0]!;
  // An absolute-form target (`GET http://host/x`, sent to proxies) has its origin first.
  return path.startsWith('/') ? path : path.replace(/^[a-z][a-z\d+.-]*:\/\/[^/]*/i, '');
}

/**
 * What koa-mount took off `ctx.path` (summed over nested mounts), from
 * `ctx.originalUrl`, which Koa never rewrites: `''` when nothing did.
 */
function mountPrefix(originalUrl: string, path: string): string {
  const original = pathOf(originalUrl);
  if (original.endsWith(path)) return original.slice(0, original.length - path.length);
  // koa-mount turns both `/admin/queues/` and `/admin/queues` into `/`.
  return path === '/' ? original : '';
}

/**
 * The dashboard as a Koa middleware (Koa 2 or 3). It answers the requests
 * whose `ctx.path` is at or below `options.basePath` and calls `next()` for
 * every other one, so it can sit anywhere in the host's middleware: with a
 * plain `app.use`, inside `koa-mount` (the mount path the browser sees is
 * taken from `ctx.originalUrl`, so nested mounts work) or as a `@koa/router`
 * route. A body parser that ran first is fine: core reads the body itself
 * when no parser did, and re-reads `ctx.request.rawBody` (or takes
 * `ctx.request.body`) when one did. The answer is written through Koa
 * (`ctx.status`, `ctx.body`, `ctx.set`), so middleware that runs after
 * `await next()` sees it; an event stream is a `Readable` body that stops
 * when the client leaves. Errors that core cannot answer are thrown, so the
 * host's error middleware sees them.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import { createAdmin } from '@qadmin/core';
 * import { qadmin } from '@qadmin/koa';
 *
 * const app = new Koa();
 * app.use(qadmin(createAdmin({ backends: [backend] }), { basePath: '/admin/queues' }));
 * // or: app.use(mount('/admin/queues', qadmin(admin)));
 * // or: router.all('/admin/queues{/*rest}', qadmin(admin, { basePath: '/admin/queues' }));
 * app.listen(3000);
 * ```
 */
export function qadmin(admin: QadminApp, options: QadminKoaOptions = {}): Middleware {
  const basePath = normalizeBasePath(options.basePath);
  return async (ctx, next) => {
    const below = stripBasePath(ctx.path, basePath);
    if (below === null) return next();
    // Left by a body parser that ran first: the raw text (koa-bodyparser) is core's to parse.
    const { rawBody, body: parsedBody } = ctx.request as { rawBody?: unknown; body?: unknown };
    const response = await admin.handle(
      fromNodeRequest(ctx.req, ctx.res, {
        url: `${below}${ctx.search}`,
        basePath: normalizeBasePath(mountPrefix(ctx.originalUrl, ctx.path)) + basePath,
        parsedBody: rawBody ?? parsedBody,
      }),
    );
    const { status, headers, body } = toNodeResponse(response);
    ctx.status = status;
    ctx.body = body;
    // After the body, so core's content-type and content-length replace the ones Koa guessed.
    ctx.set(headers);
    // Koa announces `''` as 0 bytes; a HEAD of an event stream has no length to announce.
    if (response.body === null && !headers['content-length']) ctx.remove('Content-Length');
    // koa-compress does not read `no-transform`, and would hold an event stream back.
    if (headers['cache-control']?.includes('no-transform')) ctx.compress = false;
    if (isStreamBody(response.body)) {
      // Koa 3 pipes a stream body with stream.pipeline, which reports a client that leaves
      // as ERR_STREAM_PREMATURE_CLOSE to the app's error log: for an event stream that is
      // how it normally ends, every time a dashboard tab closes.
      const { onerror } = ctx;
      ctx.onerror = (error) => {
        if ((error as { code?: unknown } | null)?.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
          onerror.call(ctx, error);
        }
      };
    }
  };
}
