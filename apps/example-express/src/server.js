// @ts-check
/**
 * An Express app with the qadmin dashboard mounted at /admin/queues, over the
 * in-memory backend. Your own routes and middleware stay as they are; the
 * dashboard is one `app.use`.
 *
 * Environment: PORT (default 3000, 0 picks a free port), HOST (default 127.0.0.1).
 */
import { createMemoryBackend, startDemoWorkload } from '@qadmin/backend-memory';
import { createAdmin } from '@qadmin/core';
import { qadmin } from '@qadmin/express';
import express from 'express';

// The queues. With BullMQ or pg-boss this is where their backend goes instead.
const backend = createMemoryBackend({ label: 'in-memory' });
const emails = backend.queue('emails');
emails.process('welcome', async (job) => ({ sentTo: job.data.to }), { name: 'mailer' });
const stopWorkload = startDemoWorkload(backend);

const admin = createAdmin({ backends: [backend], title: 'Example shop: queues' });

const app = express();
// The dashboard first: it reads its own request bodies (up to 1 MiB), so the
// app's body parser and its limit below apply to the app's routes only.
app.use('/admin/queues', qadmin(admin));
app.use(express.json());

app.get('/', (_req, res) => {
  res.type('html').send('<h1>Example shop</h1><p><a href="/admin/queues/">Queues</a></p>');
});
app.post('/signup', async (req, res) => {
  const job = await emails.add('welcome', { to: req.body?.email ?? 'someone@example.com' });
  res.status(202).json({ queued: job.id });
});

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  const url =
    typeof address === 'object' && address ? `http://${address.address}:${address.port}` : '';
  console.log(`example-express: dashboard at ${url}/admin/queues/`);
  console.log(`example-express: app at ${url}/ (POST /signup queues a welcome email)`);
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
