// @ts-check
/**
 * The shop's bee-queue workers and a traffic generator. Each job is reported
 * to the dashboard's collector by @qadmin/reporter: queued when saved,
 * started, progress, completed or failed (retried by bee-queue with backoff),
 * and the dashboard's retry and cancel come back as commands that
 * beeQueueCommands carries out through bee-queue's own API.
 */
import { hostname } from 'node:os';
import { createReporter } from '@qadmin/reporter';
import { beeQueueCommands, reportBeeQueue } from '@qadmin/reporter/bee-queue';
import Queue from 'bee-queue';

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {{ redisUrl: string, dashboardUrl: string, ingestToken: string, rate: number }} options
 */
export async function startWorkers({ redisUrl, dashboardUrl, ingestToken, rate }) {
  const settings = {
    redis: { url: redisUrl },
    removeOnSuccess: false,
    removeOnFailure: false,
    activateDelayedJobs: true,
  };
  const emails = new Queue('emails', settings);
  const images = new Queue('images', settings);
  const webhooks = new Queue('webhooks', settings);
  const queues = [emails, images, webhooks];
  await Promise.all(queues.map((queue) => queue.ready()));

  const reporter = createReporter({
    url: dashboardUrl,
    token: ingestToken,
    workerName: `shop-worker@${hostname()}`,
    onCommand: beeQueueCommands(queues),
  });
  for (const queue of queues) reportBeeQueue(queue, reporter);

  emails.process(4, async (job) => {
    await sleep(50 + Math.random() * 200);
    if (job.data.to.endsWith('@bounce.example'))
      throw new Error(`550 mailbox ${job.data.to} unavailable`);
    return { messageId: `<${job.id}@mail.example>` };
  });
  images.process(2, async (job) => {
    for (let step = 1; step <= 4; step++) {
      await sleep(100 + Math.random() * 150);
      await job.reportProgress(step * 25);
    }
    return { thumbnails: job.data.sizes.length };
  });
  webhooks.process(4, async (job) => {
    await sleep(20 + Math.random() * 80);
    // A flaky endpoint: bee-queue retries it with backoff, some never succeed.
    if (Math.random() < 0.35) throw new Error(`POST ${job.data.url} answered 502 Bad Gateway`);
    return { status: 200 };
  });

  let n = 0;
  /** One job of the shop's traffic. */
  const next = () => {
    n++;
    if (n % 3 === 0) {
      const sizes = [64, 256, 1024];
      return images
        .createJob({ image: `product-${n}.jpg`, sizes })
        .timeout(10_000)
        .save();
    }
    if (n % 3 === 1) {
      const to = n % 10 === 1 ? `user${n}@bounce.example` : `user${n}@example.com`;
      const job = emails.createJob({ to, template: 'order-shipped' }).retries(1);
      return (n % 7 === 0 ? job.delayUntil(Date.now() + 30_000) : job).save();
    }
    return webhooks
      .createJob({ url: `https://partner.example/hooks/${n % 5}`, event: 'order.paid' })
      .retries(3)
      .backoff('exponential', 500)
      .save();
  };
  const traffic =
    rate > 0 ? setInterval(() => void next().catch(() => {}), 1000 / rate) : undefined;

  return {
    /** Queues a welcome email, as the app's /signup route does. */
    signup: (/** @type {string} */ to) => emails.createJob({ to, template: 'welcome' }).save(),
    async stop() {
      clearInterval(traffic);
      await Promise.allSettled(queues.map((queue) => queue.close(2_000)));
      await reporter.close();
    },
  };
}
