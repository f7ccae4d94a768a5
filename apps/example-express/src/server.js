// @ts-check
/**
 * An Express app with the qadmin dashboard mounted at /admin/queues over its
 * BullMQ queues. Your own routes and middleware stay as they are; the
 * dashboard is one `app.use`. src/traffic.js plays the shop: producers and
 * workers with successes, failures, retries, delays, progress, logs, a flow
 * and job schedulers.
 *
 * Environment: REDIS_URL (default redis://127.0.0.1:6379), PORT (default
 * 3000, 0 picks a free port), HOST (default 127.0.0.1), TRAFFIC_RATE (jobs per
 * second, default 4; 0 for none).
 */
import { createBullmqBackend } from '@qadmin/backend-bullmq';
import { createAdmin } from '@qadmin/core';
import { qadmin } from '@qadmin/express';
import { Queue } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';
import { startTraffic } from './traffic.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const rate = Number(process.env.TRAFFIC_RATE ?? 4);

// One connection for the app's own producers and the dashboard's reads.
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
try {
  await redis.ping();
} catch (error) {
  console.error(`example-express: cannot reach Redis at ${redisUrl} (${error}). Set REDIS_URL.`);
  process.exit(1);
}

// Every BullMQ queue under the default `bull` prefix, found by scanning (new ones appear by themselves).
const bullmq = createBullmqBackend({ connection: redis, discoveryIntervalMs: 5_000 });
const admin = createAdmin({
  backends: [bullmq],
  title: 'Example shop: queues',
  // A local example: anyone who reaches it (127.0.0.1 by default) may change jobs, and
  // qadmin says so at start-up. In production, configure `auth` (see the security section
  // of the root README) and leave this out: without auth the dashboard is read-only.
  unsafeAnonymousWrites: true,
});
const stopTraffic = rate > 0 ? await startTraffic(redisUrl, { rate }) : async () => {};
const emails = new Queue('emails', { connection: redis });

const app = express();
// The dashboard first: it reads its own request bodies (up to 1 MiB), so the
// app's body parser and its limit below apply to the app's routes only.
app.use('/admin/queues', qadmin(admin));
app.use(express.json());

app.get('/', (_req, res) => {
  res.type('html').send('<h1>Example shop</h1><p><a href="/admin/queues/">Queues</a></p>');
});
app.post('/signup', async (req, res) => {
  const job = await emails.add('send-email', {
    to: req.body?.email ?? 'someone@example.com',
    template: 'welcome',
  });
  res.status(202).json({ queued: job.id });
});

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  const url =
    typeof address === 'object' && address ? `http://${address.address}:${address.port}` : '';
  console.log(`example-express: dashboard at ${url}/admin/queues/`);
  console.log(`example-express: app at ${url}/ (POST /signup queues a welcome email)`);
  console.log(`example-express: BullMQ queues in ${redisUrl}, ${rate} jobs/s of traffic`);
});

async function shutdown() {
  server.closeAllConnections();
  server.close();
  await stopTraffic();
  await emails.close();
  await admin.close();
  await redis.quit();
  process.exit(0);
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
