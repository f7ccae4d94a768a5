// For whoever writes the next adapter: import only from @qadmin/core, and only translate.
/**
 * `@qadmin/hono`: the qadmin dashboard (JSON API, UI, live events) as a Hono
 * 4 sub-app. Fetch-native: only web APIs, so it runs wherever Hono runs
 * (Node through `@hono/node-server`, Bun, Deno; see the README on Workers).
 */
import { fromFetchRequest, type QadminApp, toFetchBody } from '@qadmin/core';
import { type Context, Hono } from 'hono';
import { basePath } from 'hono/route';

/**
 * The mount point as the URL spells it. Hono routes on a percent-decoded
 * path, so `basePath(c)` is decoded (`/t/ac me/queues`), while core must get
 * the path still encoded (ids carry `%3A`, `%2F`). Hono decodes with
 * `decodeURI`, which leaves `%2F` alone, so the mount point is as many
 * segments of the raw path as it has decoded.
 */
function rawMountPath(c: Context, pathname: string): string {
  const depth = basePath(c).replace(/\/+$/, '').split('/').length - 1;
  return pathname.split('/', depth + 1).join('/');
}

/**
 * The dashboard as a Hono sub-app: mount it with `app.route(path, ...)`, at
 * any depth and under params (`/t/:tenant/queues`); the mount point the
 * browser sees comes from Hono, so links and the page's `<base href>` follow
 * it. Both `/admin/queues` and `/admin/queues/` reach the dashboard; anything
 * outside the mount point is left to the host app.
 *
 * Core reads the request body itself, streaming and size-limited. A host
 * middleware that read it first through `c.req.json()`, `text()` or
 * `arrayBuffer()` is fine: Hono keeps that copy, and the dashboard reads it.
 * Headers a host middleware sets with `c.header()` are kept on the answer.
 *
 * @example
 * ```ts
 * import { serve } from '@hono/node-server';
 * import { Hono } from 'hono';
 * import { createAdmin } from '@qadmin/core';
 * import { qadmin } from '@qadmin/hono';
 *
 * const app = new Hono();
 * app.route('/admin/queues', qadmin(createAdmin({ backends: [backend] })));
 * serve({ fetch: app.fetch, port: 3000 }); // or, on Bun: export default app;
 * ```
 */
export function qadmin(admin: QadminApp): Hono {
  const app = new Hono();
  app.all('*', async (c, next) => {
    const raw = c.req.raw;
    const request = fromFetchRequest(raw, rawMountPath(c, new URL(raw.url).pathname));
    // Only when a custom `getPath` routes on something else than the URL path.
    if (!request) return next();
    if (request.body && raw.bodyUsed) request.body = new Uint8Array(await c.req.arrayBuffer());
    const { status, headers, body } = await admin.handle(request);
    // Through c.newResponse, so headers a host middleware set with c.header() are kept; a
    // string or bytes body stays one (not a stream), which node-server sends in one write.
    return c.newResponse(toFetchBody(body), { status: status as 200, headers });
  });
  return app;
}
