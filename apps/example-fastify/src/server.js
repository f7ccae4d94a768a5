// @ts-check
/**
 * A Fastify app with the qadmin dashboard mounted at /admin/queues, over the
 * in-memory backend. Your own routes, parsers and hooks stay as they are; the
 * dashboard is one `app.register`.
 *
 * Environment: PORT (default 3000, 0 picks a free port), HOST (default 127.0.0.1).
 */
import { createMemoryBackend, startDemoWorkload } from '@qadmin/backend-memory';
import { createAdmin } from '@qadmin/core';
import { qadmin } from '@qadmin/fastify';
import Fastify from 'fastify';

// The queues. With BullMQ or pg-boss this is where their backend goes instead.
const backend = createMemoryBackend({ label: 'in-memory' });
const emails = backend.queue('emails');
emails.process('welcome', async (job) => ({ sentTo: job.data.to }), { name: 'mailer' });
const stopWorkload = startDemoWorkload(backend);

const admin = createAdmin({ backends: [backend], title: 'Example shop: queues' });

// The app's JSON parser and its bodyLimit apply to the app's routes only: the
// dashboard is an encapsulated plugin that reads its own bodies (up to 1 MiB).
const app = Fastify({ bodyLimit: 16 * 1024 });
app.register(qadmin(admin), { prefix: '/admin/queues' });
// app.close() ends the dashboard's open event streams, then stops the server; then this runs.
app.addHook('onClose', async () => {
  stopWorkload();
  await admin.close();
});

app.get('/', async (_request, reply) => {
  reply.type('text/html');
  return '<h1>Example shop</h1><p><a href="/admin/queues/">Queues</a></p>';
});
app.post('/signup', async (request, reply) => {
  const body = /** @type {{ email?: string } | undefined} */ (request.body);
  const job = await emails.add('welcome', { to: body?.email ?? 'someone@example.com' });
  reply.code(202);
  return { queued: job.id };
});

const url = await app.listen({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
});
console.log(`example-fastify: dashboard at ${url}/admin/queues/`);
console.log(`example-fastify: app at ${url}/ (POST /signup queues a welcome email)`);

async function shutdown() {
  await app.close();
  process.exit(0);
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
