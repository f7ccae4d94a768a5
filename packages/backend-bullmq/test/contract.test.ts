/**
 * The backend conformance suite from @qadmin/testkit against a throwaway
 * redis-server (test/global-setup.ts), once per BullMQ major (vitest.config.ts).
 * Each backend works under a prefix of its own: a fresh, empty store.
 */
import { runBackendContract } from '@qadmin/testkit';
import { expect, inject, it } from 'vitest';
import { type BullmqBackend, createBullmqBackend } from '../src/index';
import { seedBullmqQueue } from './seed';

const url = inject('redisUrl');
let next = 0;

runBackendContract<BullmqBackend>({
  name: `bullmq ${process.env.EXPECTED_BULLMQ_MAJOR ?? ''}`.trim(),
  createBackend: () =>
    createBullmqBackend({
      connection: url,
      prefix: `c${process.pid.toString(36)}${(next++).toString(36)}${Math.random().toString(36).slice(2, 6)}`,
      discoveryIntervalMs: 0,
    }),
  seed: (backend, queue, spec) =>
    seedBullmqQueue({ url, prefix: backend.prefixes[0]! }, queue, spec),
});

it('discovers only BullMQ queues: a `:meta` key BullMQ did not write is not a queue', async () => {
  const { Redis } = await import('ioredis');
  const prefix = `d${Date.now().toString(36)}`;
  const redis = new Redis(url);
  const backend = createBullmqBackend({ connection: url, prefix, discoveryIntervalMs: 0 });
  try {
    await seedBullmqQueue({ url, prefix }, 'real', { waiting: 1 });
    await redis.hset(`${prefix}:impostor:meta`, 'owner', 'someone else');
    const queues = await backend.listQueues();
    expect(queues.map((q) => q.name)).toEqual(['real']);
    expect(String(queues[0]!.meta?.version)).toMatch(/^bullmq:\d+\./);
  } finally {
    await backend.close?.();
    await redis.quit();
  }
});
