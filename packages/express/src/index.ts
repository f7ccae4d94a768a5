// For whoever writes the next adapter: import only from @qadmin/core, and only translate.
/**
 * `@qadmin/express`: the qadmin dashboard (JSON API, UI, live events) as an
 * Express 4 or 5 Router.
 */
import { fromNodeRequest, type QadminApp, writeNodeResponse } from '@qadmin/core';
// The default import: express is CommonJS, and its named exports are not guaranteed under ESM.
import express, { type Router } from 'express';

/**
 * The dashboard as an Express Router: mount it with `app.use(path, ...)`, at
 * any depth (the mount path the browser sees is taken from `req.baseUrl`, so
 * nested routers and params work). A body parser that ran first is fine:
 * core reads the body itself when no parser did, and takes the parsed one
 * when a parser did. Errors that core cannot answer go to `next()`, so the
 * host's error handler sees them.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createAdmin } from '@qadmin/core';
 * import { qadmin } from '@qadmin/express';
 *
 * const app = express();
 * app.use('/admin/queues', qadmin(createAdmin({ backends: [backend] })));
 * app.listen(3000);
 * ```
 */
export function qadmin(admin: QadminApp): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    const request = fromNodeRequest(req, res, {
      url: req.url,
      basePath: req.baseUrl,
      parsedBody: req.body,
    });
    admin
      .handle(request)
      .then((response) => writeNodeResponse(res, response))
      .catch(next);
  });
  return router;
}
