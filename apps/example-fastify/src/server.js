// @ts-check
/**
 * A Fastify app with the qadmin dashboard mounted at /admin/queues, over its
 * pg-boss queues in PostgreSQL. Your own routes, parsers and hooks stay as
 * they are; the dashboard is one `app.register`. src/traffic.js plays the
 * shop: its pg-boss, queues with retries, a dead-letter queue, singleton and
 * stately policies, cron schedules, delayed and prioritised jobs, and
 * workers that succeed, fail and take their time.
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * PGBOSS_SCHEMA (default pgboss), PORT (default 3000, 0 picks a free port),
 * HOST (default 127.0.0.1), TRAFFIC_RATE (jobs per second, default 4; 0 for none).
 */
import { createPgBossBackend } from '@qadmin/backend-pg-boss';
import { createAdmin } from '@qadmin/core';
import { qadmin } from '@qadmin/fastify';
import Fastify from 'fastify';
import { startShop } from './traffic.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = process.env.PGBOSS_SCHEMA ?? 'pgboss';
const rate = Number(process.env.TRAFFIC_RATE ?? 4);

/** The URL without its password, for messages. */
function safeUrl(/** @type {string} */ url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/** @type {Awaited<ReturnType<typeof startShop>>} */
let shop;
try {
  shop = await startShop(databaseUrl, { schema, rate });
} catch (error) {
  console.error(
    `example-fastify: cannot start pg-boss in ${safeUrl(databaseUrl)} (${error}). Set DATABASE_URL.`,
  );
  process.exit(1);
}
const { boss } = shop;

// Every queue of the pg-boss schema. The app's own boss runs the dashboard's
// actions (retry, cancel, add a job...), so pg-boss's rules hold for them.
const pgboss = createPgBossBackend({ connection: databaseUrl, schema, boss });
const admin = createAdmin({
  backends: [pgboss],
  title: 'Example shop: queues',
  // A local example: anyone who reaches it (127.0.0.1 by default) may change jobs, and
  // qadmin says so at start-up. In production, configure `auth` (see the security section
  // of the root README) and leave this out: without auth the dashboard is read-only.
  unsafeAnonymousWrites: true,
});

// The app's JSON parser and its bodyLimit apply to the app's routes only: the
// dashboard is an encapsulated plugin that reads its own bodies (up to 1 MiB).
const app = Fastify({ bodyLimit: 16 * 1024 });
app.register(qadmin(admin), { prefix: '/admin/queues' });
// app.close() ends the dashboard's open event streams, then stops the server; then this runs.
app.addHook('onClose', async () => {
  await admin.close();
  await shop.stop();
});

app.get('/', async (_request, reply) => {
  reply.type('text/html');
  return '<h1>Example shop</h1><p><a href="/admin/queues/">Queues</a></p>';
});
app.post('/signup', async (request, reply) => {
  const body = /** @type {{ email?: string } | undefined} */ (request.body);
  const id = await boss.send('emails', {
    to: body?.email ?? 'someone@example.com',
    template: 'welcome',
  });
  reply.code(202);
  return { queued: id };
});

async function shutdown() {
  await app.close();
  process.exit(0);
}
// Before the URL is printed: whoever waits for it may stop the app at once.
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

const url = await app.listen({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
});
console.log(`example-fastify: dashboard at ${url}/admin/queues/`);
console.log(`example-fastify: app at ${url}/ (POST /signup queues a welcome email)`);
console.log(
  `example-fastify: pg-boss queues in ${safeUrl(databaseUrl)} (schema ${schema}), ${rate} jobs/s of traffic`,
);
