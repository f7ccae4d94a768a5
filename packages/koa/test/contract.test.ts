/**
 * @qadmin/koa against the adapter contract, once per Koa major, mounted in
 * each way the README shows: a plain `app.use` with `basePath`, koa-mount
 * (also nested, with a `basePath` below the mounts) and a @koa/router route.
 * The host app around it has an error-handling middleware, a body parser
 * after the dashboard, a route of its own and a catch-all 404.
 * test/host.test.ts covers a host whose body parser runs first.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import type { QadminApp } from '@qadmin/core';
import { listenHarness, runAdapterContract } from '@qadmin/testkit';
import type Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import mount from 'koa-mount';
import { describe, expect, it } from 'vitest';
import { qadmin } from '../src/index';
import { KOA_MAJORS, majorOf } from './majors';

function listenHost(
  KoaApp: typeof Koa,
  basePath: string,
  dashboard: (app: Koa) => void,
): ReturnType<typeof listenHarness> {
  const app = new KoaApp();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = 500;
      ctx.type = 'text/plain';
      ctx.body = `host error handler: ${(error as Error).message}`;
    }
  });
  dashboard(app);
  app.use(bodyParser());
  app.use(async (ctx, next) => {
    if (ctx.path !== '/health') return next();
    ctx.body = { ok: true };
  });
  app.use((ctx) => {
    ctx.status = 404;
    ctx.type = 'text/plain';
    ctx.body = 'host app: not found';
  });
  return listenHarness(createServer(app.callback()), basePath);
}

/** `@koa/router` the way the README shows it: one route for the mount path and all below. */
function routed(admin: QadminApp, basePath: string) {
  const router = new Router();
  router.all(`${basePath}{/*rest}`, qadmin(admin, { basePath }));
  return router.routes();
}

for (const { major, version, Koa: KoaApp } of KOA_MAJORS) {
  describe(`koa ${version}`, () => {
    it(`koa-v${major} resolves to Koa ${major}`, () => {
      expect(majorOf(version)).toBe(major);
    });

    runAdapterContract(`koa ${version}, app.use with basePath`, (admin, { basePath }) =>
      listenHost(KoaApp, basePath, (app) => app.use(qadmin(admin, { basePath }))),
    );

    runAdapterContract(
      `koa ${version}, koa-mount`,
      (admin, { basePath }) =>
        listenHost(KoaApp, basePath, (app) => app.use(mount(basePath, qadmin(admin)))),
      { basePaths: ['/admin/queues'] },
    );

    runAdapterContract(
      `koa ${version}, nested koa-mount with basePath`,
      (admin, { basePath }) =>
        listenHost(KoaApp, basePath, (app) =>
          app.use(mount('/ops', mount('/admin', qadmin(admin, { basePath: '/queues' })))),
        ),
      { basePaths: ['/ops/admin/queues'] },
    );

    runAdapterContract(
      `koa ${version}, @koa/router`,
      (admin, { basePath }) =>
        listenHost(KoaApp, basePath, (app) => app.use(routed(admin, basePath))),
      { basePaths: ['/admin/queues'] },
    );
  });
}
