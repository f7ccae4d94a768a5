// @ts-check
/**
 * A Koa app with the qadmin dashboard mounted at /admin/queues over the event
 * collector, and bee-queue workers (src/workers.js) that report their jobs
 * into it over HTTP with @qadmin/reporter, as workers on other machines
 * would. The app's own routes (@koa/router) and body parser stay as they are.
 *
 * Environment: REDIS_URL (bee-queue's Redis, default redis://127.0.0.1:6379),
 * PORT (default 3000, 0 picks a free port), HOST (default 127.0.0.1),
 * COLLECTOR_FILE (the SQLite store, default ./data/qadmin-events.db),
 * QADMIN_INGEST_TOKEN (what workers send; a development token by default),
 * TRAFFIC_RATE (jobs per second the traffic generator adds, default 5; 0: none).
 */
import Router from '@koa/router';
import { createCollectorBackend } from '@qadmin/backend-collector';
import { createAdmin } from '@qadmin/core';
import { qadmin } from '@qadmin/koa';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { startWorkers } from './workers.js';

const INGEST_TOKEN = process.env.QADMIN_INGEST_TOKEN ?? 'example-koa-development-ingest-token';
const collector = createCollectorBackend({
  file: process.env.COLLECTOR_FILE ?? './data/qadmin-events.db',
  ingestTokens: [INGEST_TOKEN],
  label: 'bee-queue workers (collector)',
});

const admin = createAdmin({
  backends: [collector],
  title: 'Example shop: queues',
  // A local example: anyone who reaches it (127.0.0.1 by default) may change jobs, and
  // qadmin says so at start-up. In production, configure `auth` (see the security section
  // of the root README) and leave this out: without auth the dashboard is read-only.
  unsafeAnonymousWrites: true,
});

const app = new Koa();
// The dashboard first: it reads its own request bodies (up to 1 MiB), so the
// app's body parser and its limits below apply to the app's routes only.
// Everything outside /admin/queues goes on to the next middleware.
app.use(qadmin(admin, { basePath: '/admin/queues' }));
app.use(bodyParser());

/** @type {Awaited<ReturnType<typeof startWorkers>> | undefined} */
let workers;
const router = new Router();
router.get('/', (ctx) => {
  ctx.type = 'html';
  ctx.body = '<h1>Example shop</h1><p><a href="/admin/queues/">Queues</a></p>';
});
router.post('/signup', async (ctx) => {
  const body = /** @type {{ email?: string } | undefined} */ (ctx.request.body);
  if (!workers) return ctx.throw(503, 'workers are starting');
  const job = await workers.signup(body?.email ?? 'someone@example.com');
  ctx.status = 202;
  ctx.body = { queued: job.id };
});
app.use(router.routes());
app.use(router.allowedMethods());

const server = app.listen(
  Number(process.env.PORT ?? 3000),
  process.env.HOST ?? '127.0.0.1',
  async () => {
    const address = server.address();
    const url =
      typeof address === 'object' && address ? `http://${address.address}:${address.port}` : '';
    workers = await startWorkers({
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      dashboardUrl: `${url}/admin/queues`,
      ingestToken: INGEST_TOKEN,
      rate: Number(process.env.TRAFFIC_RATE ?? 5),
    });
    console.log(`example-koa: dashboard at ${url}/admin/queues/`);
    console.log(`example-koa: app at ${url}/ (POST /signup queues a welcome email)`);
  },
);

async function shutdown() {
  // Workers first: their reporter sends what it holds while the dashboard still listens.
  await workers?.stop();
  server.closeAllConnections();
  server.close();
  await admin.close();
  process.exit(0);
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
