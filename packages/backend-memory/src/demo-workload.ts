import type { MemoryBackend } from './backend';

/**
 * Options of {@link startDemoWorkload}.
 *
 * @example
 * ```ts
 * const options: DemoWorkloadOptions = { rate: 4 };
 * ```
 */
export interface DemoWorkloadOptions {
  /** How much faster than the default pace jobs are added (default 1: a few per second). */
  rate?: number;
}

/**
 * A synthetic workload that keeps every state of the dashboard busy, for
 * demos and examples: queues `emails`, `image-resize`, `webhooks`, `reports`
 * and `exports`, with jobs that succeed, fail, retry with backoff, wait on a
 * delay, report progress and logs, a parent waiting on its children, cron
 * schedules, and a queue nobody consumes. Returns a function that stops
 * adding jobs.
 *
 * @example
 * ```ts
 * const backend = createMemoryBackend();
 * const stop = startDemoWorkload(backend, { rate: 2 });
 * ```
 */
export function startDemoWorkload(
  backend: MemoryBackend,
  options: DemoWorkloadOptions = {},
): () => void {
  const rate = options.rate ?? 1;
  const timers: ReturnType<typeof setInterval>[] = [];
  const every = (ms: number, fn: () => void) => {
    const timer = setInterval(fn, Math.max(50, ms / rate));
    timer.unref();
    timers.push(timer);
  };
  const chance = (p: number) => Math.random() < p;
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      });
    });

  const emails = backend.queue('emails');
  emails.process(
    'send-email',
    async (job) => {
      await sleep(100 + Math.random() * 400, job.signal);
      if (chance(0.08)) throw new Error(`SMTP 421: ${job.data.to} temporarily unavailable`);
      return { messageId: `<${job.id}.${Date.now()}@demo.qadmin>` };
    },
    { concurrency: 4, name: 'mailer' },
  );
  every(700, () => {
    const n = Math.floor(Math.random() * 10_000);
    emails.add(
      'send-email',
      { to: `user${n}@example.com`, subject: 'Your receipt', template: 'receipt', locale: 'en' },
      { attempts: 3, backoff: { type: 'exponential', delayMs: 2000 }, removeOnComplete: 500 },
    );
  });

  const images = backend.queue('image-resize');
  images.process(
    'resize',
    async (job) => {
      const steps = 5;
      for (let i = 1; i <= steps; i++) {
        await sleep(250 + Math.random() * 250, job.signal);
        await job.updateProgress(Math.round((i / steps) * 100));
        await job.log(`resized variant ${i}/${steps} (${job.data.width / i}px)`);
      }
      if (chance(0.05)) throw new Error('Unsupported colour profile: CMYK');
      return { variants: steps, bytes: Math.round(Math.random() * 1e6) };
    },
    { concurrency: 2, name: 'sharp-pool' },
  );
  every(1500, () => {
    images.add(
      'resize',
      { url: `https://cdn.example.com/u/${Math.random().toString(36).slice(2)}.jpg`, width: 2048 },
      { attempts: 2, priority: chance(0.2) ? 1 : undefined, removeOnComplete: 300 },
    );
  });

  const webhooks = backend.queue('webhooks');
  webhooks.process(
    'deliver',
    async (job) => {
      await sleep(50 + Math.random() * 150, job.signal);
      if (job.data.url.includes('legacy.')) throw new Error(`POST ${job.data.url} -> 410 Gone`);
      if (chance(0.3)) throw new Error(`POST ${job.data.url} -> 502 Bad Gateway`);
      return { status: 200 };
    },
    { concurrency: 3, name: 'webhook-dispatcher' },
  );
  // Some endpoints are gone for good: one attempt, then failed (dead letters to retry by hand).
  every(2500, () => {
    webhooks.add(
      'deliver',
      { url: 'https://legacy.example.com/hook', event: 'order.refunded', orderId: Date.now() },
      { attempts: 1, removeOnFail: 200 },
    );
  });
  every(900, () => {
    webhooks.add(
      'deliver',
      { url: 'https://hooks.example.com/orders', event: 'order.paid', orderId: Date.now() },
      {
        attempts: 4,
        backoff: { type: 'fixed', delayMs: 3000 },
        delayMs: chance(0.25) ? 15_000 : 0,
        removeOnComplete: 300,
        removeOnFail: 200,
      },
    );
  });

  const reports = backend.queue('reports');
  reports.process(
    '*',
    async (job) => {
      await sleep(300 + Math.random() * 700, job.signal);
      await job.log(`${job.name} done`);
      return { rows: Math.round(Math.random() * 5000) };
    },
    { concurrency: 1, name: 'report-builder' },
  );
  every(20_000, () => {
    reports.addFlow({
      name: 'monthly-report',
      data: { month: new Date().toISOString().slice(0, 7) },
      children: [
        { name: 'fetch-sales', data: { source: 'sales' } },
        { name: 'fetch-costs', data: { source: 'costs' } },
        { name: 'fetch-refunds', data: { source: 'refunds' } },
      ],
    });
  });
  void backend.upsertSchedule('reports', {
    id: 'nightly-digest',
    jobName: 'nightly-digest',
    pattern: '0 3 * * *',
    timezone: 'UTC',
    data: { recipients: ['ops@example.com'] },
  });
  void backend.upsertSchedule('reports', {
    id: 'heartbeat',
    jobName: 'heartbeat',
    pattern: '* * * * *',
    data: {},
  });

  // A queue nobody consumes: the overview warns about waiting jobs without workers.
  const exports = backend.queue('exports');
  every(10_000, () => {
    exports.add('export-csv', { table: 'orders', requestedBy: 'finance@example.com' });
  });

  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}
