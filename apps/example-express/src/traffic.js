// @ts-check
/**
 * Realistic BullMQ traffic for the example: producers and workers for a small
 * shop. Successes, failures with stack traces, retries with backoff, delayed
 * jobs, progress, logs, a flow (an order waiting for its payment and
 * shipping), and a job scheduler. Everything runs in this process so that one
 * command starts it; in your app, workers usually live elsewhere.
 */
import { FlowProducer, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = (/** @type {readonly string[]} */ items) =>
  items[Math.floor(Math.random() * items.length)];

/**
 * Starts producers and workers against the Redis at `url`. `rate` is jobs
 * per second across the queues. Returns a function that stops them all.
 *
 * @param {string} url
 * @param {{ rate?: number, prefix?: string }} [options]
 */
export async function startTraffic(url, options = {}) {
  const rate = options.rate ?? 4;
  const prefix = options.prefix ?? 'bull';
  /** @type {Redis[]} */
  const connections = [];
  const connect = () => {
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    redis.on('error', () => {});
    connections.push(redis);
    return redis;
  };
  const shared = { connection: connect(), prefix };
  const worker = (
    /** @type {string} */ name,
    /** @type {import('bullmq').Processor} */ fn,
    concurrency = 2,
  ) =>
    new Worker(name, fn, {
      connection: connect(),
      prefix,
      concurrency,
      name: `${name}-worker`,
      removeOnComplete: { count: 500 },
      removeOnFail: { count: 300 },
    });

  const emails = new Queue('emails', shared);
  const images = new Queue('image-resize', shared);
  const webhooks = new Queue('webhooks', shared);
  const reports = new Queue('reports', shared);
  const orders = new Queue('orders', shared);
  const flows = new FlowProducer(shared);

  const workers = [
    worker('emails', async (job) => {
      await sleep(50 + Math.random() * 150);
      if (Math.random() < 0.05) throw new Error(`SMTP 421: ${job.data.to} greylisted, try later`);
      return { messageId: `<${job.id}@example.com>` };
    }),
    worker(
      'image-resize',
      async (job) => {
        for (let step = 1; step <= 4; step++) {
          await sleep(100 + Math.random() * 100);
          await job.updateProgress(step * 25);
          await job.log(`resized to ${[1600, 800, 400, 200][step - 1]}px`);
        }
        return { sizes: [1600, 800, 400, 200] };
      },
      1,
    ),
    worker('webhooks', async (job) => {
      await sleep(30 + Math.random() * 80);
      if (job.data.url.includes('legacy')) throw new Error(`POST ${job.data.url} -> 410 Gone`);
      if (Math.random() < 0.2) throw new Error(`POST ${job.data.url} -> 503 Service Unavailable`);
      return { status: 200 };
    }),
    worker('reports', async (job) => {
      await job.log("collecting yesterday's orders");
      await sleep(300);
      return { rows: Math.floor(Math.random() * 500) };
    }),
    worker('orders', async (job) => {
      if (job.name === 'fulfil-order') {
        const children = await job.getChildrenValues();
        return { fulfilled: true, steps: Object.keys(children).length };
      }
      await sleep(80);
      if (job.name === 'charge-card' && Math.random() < 0.1) throw new Error('card declined');
      return { ok: true };
    }),
  ];
  for (const w of workers) w.on('error', () => {});

  await reports.upsertJobScheduler(
    'hourly-sales',
    { every: 60_000 },
    { name: 'sales-report', data: { range: 'last hour' } },
  );
  await reports.upsertJobScheduler(
    'nightly-digest',
    { pattern: '0 3 * * *', tz: 'UTC' },
    { name: 'nightly-digest', data: { recipients: ['ops@example.com'] } },
  );

  let stopped = false;
  let order = 1000;
  const produce = async () => {
    while (!stopped) {
      const roll = Math.random();
      try {
        if (roll < 0.4) {
          await emails.add(
            'send-email',
            {
              to: `user${Math.floor(Math.random() * 900)}@example.com`,
              template: pick(['welcome', 'receipt', 'reset']),
            },
            { attempts: 3, backoff: { type: 'exponential', delay: 500 } },
          );
        } else if (roll < 0.6) {
          await images.add('resize', { key: `uploads/${Date.now()}.jpg` });
        } else if (roll < 0.85) {
          const url = pick([
            'https://hooks.example.com/a',
            'https://partner.example.org/in',
            'https://legacy.example.com/hook',
          ]);
          await webhooks.add(
            'deliver',
            { url, event: pick(['order.paid', 'order.refunded']) },
            {
              attempts: 2,
              backoff: { type: 'fixed', delay: 1000 },
              delay: Math.random() < 0.2 ? 30_000 : 0,
            },
          );
        } else {
          order++;
          await flows.add({
            name: 'fulfil-order',
            queueName: 'orders',
            data: { order },
            children: [
              { name: 'charge-card', queueName: 'orders', data: { order, amount: 4200 } },
              { name: 'book-shipping', queueName: 'orders', data: { order, carrier: 'DHL' } },
            ],
          });
        }
      } catch {
        // Redis away for a moment: try again on the next tick.
      }
      await sleep(1000 / rate);
    }
  };
  const producing = produce();

  return async () => {
    stopped = true;
    await producing;
    await Promise.allSettled(workers.map((w) => w.close()));
    await Promise.allSettled(
      [emails, images, webhooks, reports, orders, flows].map((q) => q.close()),
    );
    await Promise.allSettled(connections.map((redis) => redis.quit()));
  };
}
