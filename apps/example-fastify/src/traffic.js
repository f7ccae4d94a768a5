// @ts-check
/**
 * The example shop's pg-boss: one instance, its queues with different
 * policies, workers, a producer and cron schedules. Workers succeed, throw
 * realistic errors (so retries, failures and dead-lettered jobs appear) and
 * take realistic time. Everything runs in this process so that one command
 * starts it; in your app, workers usually live elsewhere.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { PgBoss } from 'pg-boss';

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = (/** @type {readonly string[]} */ items) =>
  items[Math.floor(Math.random() * items.length)] ?? '';

/**
 * A handler that can fail: pg-boss keeps the error's message and stack as the
 * job's output, retries the job while it has attempts left, then fails it
 * (and copies it to the queue's dead-letter queue, if it has one).
 */
class DeliveryError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** What one queue is for, as its `createQueue` options say it. */
const QUEUES = /** @type {const} */ ([
  // First: a queue's dead-letter queue must exist before the queue names it.
  ['emails-dead', { retentionSeconds: 7 * 86_400 }],
  ['emails', { retryLimit: 3, retryDelay: 2, retryBackoff: true, deadLetter: 'emails-dead' }],
  ['image-resize', { retryLimit: 1, expireInSeconds: 60 }],
  // A slow partner must not hold a worker: an attempt may run for 5 s, then it is retried.
  ['webhooks', { retryLimit: 5, expireInSeconds: 5 }],
  // At most one report runs at a time, however often the schedule fires.
  ['reports', { policy: 'singleton', retryLimit: 1 }],
  // One queued and one running re-index per product (its singleton key).
  ['search-index', { policy: 'stately', retryLimit: 2 }],
]);

/**
 * Starts the shop's pg-boss against the PostgreSQL at `url` (in `schema`,
 * installed or migrated on start), creates its queues and runs its workers.
 * With `rate` above 0, a producer sends about `rate` jobs per second across
 * the queues and two cron schedules feed `reports`; with 0 only the workers
 * run (for the jobs you send). Resolves with the app's `boss` and a `stop`
 * function that ends it all within about a second.
 *
 * @param {string} url
 * @param {{ schema?: string, rate?: number }} [options]
 */
export async function startShop(url, options = {}) {
  const rate = options.rate ?? 4;
  // `schedule: true` runs pg-boss's cron scheduler; maintenance (expiry,
  // retention, deletion) stays on as in production.
  const boss = new PgBoss({
    connectionString: url,
    schema: options.schema ?? 'pgboss',
    schedule: true,
  });
  boss.on('error', (error) => console.error(`pg-boss: ${error.message}`));
  await boss.start();
  try {
    for (const [name, queueOptions] of QUEUES) await boss.createQueue(name, queueOptions);
    await startWorkers(boss);
    if (rate > 0) {
      await boss.schedule(
        'reports',
        '* * * * *',
        { report: 'sales', range: 'last minute' },
        { key: 'sales-every-minute' },
      );
      await boss.schedule(
        'reports',
        '0 3 * * *',
        { report: 'nightly-digest', recipients: ['ops@example.com'] },
        { key: 'nightly-digest', tz: 'Europe/Berlin' },
      );
    }
  } catch (error) {
    await boss.stop({ graceful: false, timeout: 1_000 }).catch(() => {});
    throw error;
  }

  let stopped = false;
  const producing = rate > 0 ? produce(boss, rate, () => stopped) : Promise.resolve();

  return {
    boss,
    async stop() {
      stopped = true;
      await producing;
      // Not graceful: jobs still running are failed now (and retried while they have
      // attempts left) rather than waited for, so the process ends within a second.
      await boss.stop({ graceful: false, timeout: 1_000 });
    },
  };
}

/** @param {PgBoss} boss */
async function startWorkers(boss) {
  // One job per fetch, fetched every half second: `localConcurrency` workers per queue
  // keep up with the producer.
  const options = { batchSize: 1, pollingIntervalSeconds: 0.5 };

  await boss.work(
    'emails',
    { ...options, localConcurrency: 4 },
    async (/** @type {import('pg-boss').Job<{ to: string, template: string }>[]} */ [job]) => {
      if (!job) return;
      await sleep(80 + Math.random() * 300);
      const { to, template } = job.data;
      if (to.endsWith('@bounce.example.com')) {
        throw new DeliveryError(`SMTP 550 5.1.1 <${to}>: mailbox unavailable`);
      }
      if (Math.random() < 0.08)
        throw new DeliveryError(`SMTP 421 4.7.0 <${to}> greylisted, try later`);
      return { messageId: `<${job.id}@mail.example.com>`, template };
    },
  );

  await boss.work(
    'emails-dead',
    options,
    async (/** @type {import('pg-boss').Job<{ to: string }>[]} */ [job]) => {
      if (!job) return;
      // Support looks at what could not be delivered: mark the address.
      await sleep(50);
      return { suppressed: job.data.to };
    },
  );

  await boss.work(
    'image-resize',
    { ...options, localConcurrency: 3 },
    async (/** @type {import('pg-boss').Job<{ key: string }>[]} */ [job]) => {
      if (!job) return;
      const sizes = [1600, 800, 400, 200];
      for (const _ of sizes) await sleep(100 + Math.random() * 200);
      if (job.data.key.endsWith('.heic') && Math.random() < 0.5) {
        throw new TypeError(`Unsupported image format: ${job.data.key} (HEIC decoder missing)`);
      }
      return { key: job.data.key, sizes };
    },
  );

  await boss.work(
    'webhooks',
    { ...options, localConcurrency: 6 },
    async (/** @type {import('pg-boss').Job<{ url: string, event: string }>[]} */ [job]) => {
      if (!job) return;
      const { url } = job.data;
      if (url.includes('slow') && Math.random() < 0.3) {
        // Longer than the queue's 5 s expiry: pg-boss fails this attempt and aborts
        // job.signal, which ends the request (as `fetch(url, { signal })` would).
        await delay(8_000, undefined, { signal: job.signal });
      }
      await sleep(30 + Math.random() * 120);
      if (url.includes('legacy')) throw new DeliveryError(`POST ${url} -> 410 Gone`);
      if (Math.random() < 0.2) throw new DeliveryError(`POST ${url} -> 503 Service Unavailable`);
      return { status: 200, url };
    },
  );

  await boss.work(
    'reports',
    options,
    async (/** @type {import('pg-boss').Job<{ report: string }>[]} */ [job]) => {
      if (!job) return;
      await sleep(1_000 + Math.random() * 2_000);
      if (Math.random() < 0.1) throw new Error('canceling statement due to statement timeout');
      return { report: job.data.report, rows: Math.floor(Math.random() * 5_000) };
    },
  );

  await boss.work(
    'search-index',
    { ...options, localConcurrency: 2 },
    async (/** @type {import('pg-boss').Job<{ sku: string }>[]} */ [job]) => {
      if (!job) return;
      await sleep(150 + Math.random() * 250);
      return { sku: job.data.sku, indexed: true };
    },
  );
}

/**
 * Sends about `rate` jobs per second until `isStopped()`.
 *
 * @param {PgBoss} boss
 * @param {number} rate
 * @param {() => boolean} isStopped
 */
async function produce(boss, rate, isStopped) {
  let upload = 1000;
  while (!isStopped()) {
    const roll = Math.random();
    try {
      if (roll < 0.35) {
        const template = pick(['welcome', 'receipt', 'receipt', 'password-reset']);
        const to =
          Math.random() < 0.05
            ? `user${Math.floor(Math.random() * 90)}@bounce.example.com`
            : `user${Math.floor(Math.random() * 900)}@example.com`;
        await boss.send(
          'emails',
          { to, template },
          // A password reset is urgent; a reminder goes out later.
          template === 'password-reset' ? { priority: 10 } : {},
        );
        if (Math.random() < 0.1) {
          await boss.send(
            'emails',
            { to, template: 'cart-reminder' },
            { startAfter: 30 + Math.floor(Math.random() * 90) },
          );
        }
      } else if (roll < 0.55) {
        upload++;
        const key = `uploads/${upload}.${pick(['jpg', 'jpg', 'png', 'heic'])}`;
        // Avatars first; the same upload sent twice within a minute is one job.
        const avatar = Math.random() < 0.3;
        await boss.send(
          'image-resize',
          { key, kind: avatar ? 'avatar' : 'gallery' },
          { priority: avatar ? 5 : 0, singletonKey: key, singletonSeconds: 60 },
        );
      } else if (roll < 0.8) {
        const url = pick([
          'https://hooks.example.com/orders',
          'https://partner.example.org/in',
          'https://slow.partner.example.net/hook',
          'https://legacy.example.com/hook',
        ]);
        await boss.send(
          'webhooks',
          { url, event: pick(['order.paid', 'order.shipped', 'order.refunded']) },
          Math.random() < 0.2 ? { startAfter: 20 + Math.floor(Math.random() * 40) } : {},
        );
      } else if (roll < 0.97) {
        // Ten products: a re-index already queued for one of them refuses another (send resolves null).
        const sku = `SKU-${100 + Math.floor(Math.random() * 10)}`;
        await boss.send('search-index', { sku }, { singletonKey: sku });
      } else {
        await boss.send('reports', { report: 'on-demand', requestedBy: 'ops@example.com' });
      }
    } catch {
      // PostgreSQL away for a moment: try again on the next tick.
    }
    await sleep(1000 / rate);
  }
}
