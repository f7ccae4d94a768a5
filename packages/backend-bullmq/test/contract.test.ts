/**
 * The backend conformance suite from @qadmin/testkit against a throwaway
 * redis-server (test/global-setup.ts), once per BullMQ major (vitest.config.ts).
 * Each backend works under a prefix of its own: a fresh, empty store.
 */
import { runBackendContract } from '@qadmin/testkit';
import { inject } from 'vitest';
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
