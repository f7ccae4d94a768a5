/** What a real BullMQ worker leaves on a job reads back right (BullMQ stores some fields under short names). */
import { Queue, Worker } from 'bullmq';
import { afterAll, expect, inject, it } from 'vitest';
import { createBullmqBackend } from '../src/index';

const url = inject('redisUrl');
const prefix = `f${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const open: { close?(): Promise<unknown> }[] = [];
afterAll(async () => {
  for (const thing of open.reverse()) await thing.close?.();
});

it('reads attempts, worker, progress, logs and times that a worker wrote', async () => {
  const backend = createBullmqBackend({ connection: url, prefix, metrics: false });
  const queue = new Queue('mail', { connection: { url }, prefix });
  open.push(backend, queue);
  const ok = await queue.add('send', { to: 'a@example.com' });
  const bad = await queue.add('send', { to: 'b@example.com' }, { attempts: 2 });
  const worker = new Worker(
    'mail',
    async (job) => {
      await job.updateProgress(60);
      await job.log(`sending to ${job.data.to}`);
      if (job.data.to.startsWith('b')) throw new Error('mailbox full');
      return { sent: true };
    },
    { connection: { url }, prefix, name: 'mailer-1' },
  );
  open.push(worker);
  await expect
    .poll(async () => (await backend.getJob('mail', bad.id!))?.state, { timeout: 10_000 })
    .toBe('failed');
  await expect.poll(async () => (await backend.getJob('mail', ok.id!))?.state).toBe('completed');

  const done = (await backend.getJob('mail', ok.id!))!;
  expect(done).toMatchObject({
    attemptsMade: 1,
    attemptsAllowed: 1,
    workerId: 'mailer-1',
    progress: 60,
    returnValue: { sent: true },
  });
  expect(done.processedAt).toBeGreaterThanOrEqual(done.createdAt);
  expect(done.finishedAt).toBeGreaterThanOrEqual(done.processedAt!);

  const failed = (await backend.getJob('mail', bad.id!))!;
  expect(failed).toMatchObject({
    attemptsMade: 2,
    attemptsAllowed: 2,
    failedReason: 'mailbox full',
  });
  expect(failed.stacktrace.join('\n')).toContain('mailbox full');
  const logs = await backend.getJobLogs!('mail', bad.id!, { offset: 0, limit: 10 });
  expect(logs.lines.map((line) => line.message)).toEqual([
    'sending to b@example.com',
    'sending to b@example.com',
  ]);
});
