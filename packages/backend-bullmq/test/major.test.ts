/**
 * The matrix in vitest.config.ts is only worth something if each project runs
 * against the BullMQ major it is named after. Both the package `bullmq`
 * resolves to and the code that actually runs (the version a Queue writes to
 * Redis) must be that major.
 */
import { Queue } from 'bullmq';
import bullmqPackage from 'bullmq/package.json' with { type: 'json' };
import { Redis } from 'ioredis';
import { expect, inject, it } from 'vitest';

const expectedMajor = process.env.EXPECTED_BULLMQ_MAJOR;

it('resolves `bullmq` to the major this project is for', () => {
  expect(expectedMajor, 'EXPECTED_BULLMQ_MAJOR is set by vitest.config.ts').toMatch(/^\d+$/);
  expect(bullmqPackage.version.split('.')[0]).toBe(expectedMajor);
});

it('runs the code of that major', async () => {
  const prefix = `major${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const queue = new Queue('version', { connection: { url: inject('redisUrl') }, prefix });
  const redis = new Redis(inject('redisUrl'));
  try {
    expect(await queue.getVersion()).toBe(`bullmq:${bullmqPackage.version}`);
    expect(await redis.hget(`${prefix}:version:meta`, 'version')).toMatch(
      new RegExp(`^bullmq:${expectedMajor}\\.`),
    );
  } finally {
    await queue.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
});
