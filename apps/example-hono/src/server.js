// @ts-check
/**
 * A Hono app with the qadmin dashboard mounted at /admin/queues, over the
 * in-memory backend, served on Node by @hono/node-server. Your own routes and
 * middleware stay as they are; the dashboard is one `app.route`.
 *
 * Environment: PORT (default 3000, 0 picks a free port), HOST (default 127.0.0.1).
 */
import { serve } from '@hono/node-server';
import { createMemoryBackend, startDemoWorkload } from '@qadmin/backend-memory';
import { createAdmin } from '@qadmin/core';
import { qadmin } from '@qadmin/hono';
import { Hono } from 'hono';

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

const app = new Hono();
// The dashboard reads its own request bodies (up to 1 MiB); `/admin/queues`
// and everything below it is the dashboard's, the rest stays the app's.
app.route('/admin/queues', qadmin(admin));

app.get('/', (c) => c.html('<h1>Example shop</h1><p><a href="/admin/queues/">Queues</a></p>'));
app.post('/signup', async (c) => {
  /** @type {{ email?: string }} */
  const body = await c.req.json().catch(() => ({}));
  const job = emails.add('welcome', { to: body.email ?? 'someone@example.com' });
  return c.json({ queued: job.id }, 202);
});

const server = serve(
  {
    fetch: app.fetch,
    port: Number(process.env.PORT ?? 3000),
    hostname: process.env.HOST ?? '127.0.0.1',
  },
  (info) => {
    const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
    console.log(`example-hono: dashboard at ${url}/admin/queues/`);
    console.log(`example-hono: app at ${url}/ (POST /signup queues a welcome email)`);
  },
);

async function shutdown() {
  stopWorkload();
  // Ends the open event streams first, so that their connections can finish.
  await admin.close();
  server.close();
  process.exit(0);
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
