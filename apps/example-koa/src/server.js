// @ts-check
/**
 * A Koa app with the qadmin dashboard mounted at /admin/queues, over the
 * in-memory backend. Your own routes (here with @koa/router) and middleware
 * stay as they are; the dashboard is one `app.use`.
 *
 * Environment: PORT (default 3000, 0 picks a free port), HOST (default 127.0.0.1).
 */
import Router from '@koa/router';
import { createMemoryBackend, startDemoWorkload } from '@qadmin/backend-memory';
import { createAdmin } from '@qadmin/core';
import { qadmin } from '@qadmin/koa';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';

// The queues. With BullMQ or pg-boss this is where their backend goes instead.
const backend = createMemoryBackend({ label: 'in-memory' });
const emails = backend.queue('emails');
emails.process('welcome', async (job) => ({ sentTo: job.data.to }), { name: 'mailer' });
const stopWorkload = startDemoWorkload(backend);

const admin = createAdmin({
  backends: [backend],
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

const router = new Router();
router.get('/', (ctx) => {
  ctx.type = 'html';
  ctx.body = '<h1>Example shop</h1><p><a href="/admin/queues/">Queues</a></p>';
});
router.post('/signup', async (ctx) => {
  const body = /** @type {{ email?: string } | undefined} */ (ctx.request.body);
  const job = await emails.add('welcome', { to: body?.email ?? 'someone@example.com' });
  ctx.status = 202;
  ctx.body = { queued: job.id };
});
app.use(router.routes());
app.use(router.allowedMethods());

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  const url =
    typeof address === 'object' && address ? `http://${address.address}:${address.port}` : '';
  console.log(`example-koa: dashboard at ${url}/admin/queues/`);
  console.log(`example-koa: app at ${url}/ (POST /signup queues a welcome email)`);
});

async function shutdown() {
  stopWorkload();
  server.closeAllConnections();
  server.close();
  await admin.close();
  process.exit(0);
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
