/**
 * The seeder the backend's tests rely on, checked by reading Redis directly
 * (raw keys, no backend and no BullMQ getter), once per BullMQ major.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedBullmqQueue } from './seed';

const major = process.env.EXPECTED_BULLMQ_MAJOR;
const url = inject('redisUrl');
let redis: Redis;
const prefixes: string[] = [];

/** A prefix of its own for each test, so tests (and both majors) never share keys. */
function freshPrefix(): string {
  const prefix = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  prefixes.push(prefix);
  return prefix;
}

/** Clients whose name mentions `prefix`: BullMQ names its connections after prefix and queue. */
async function clientsOf(prefix: string): Promise<string[]> {
  const list = (await redis.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(prefix));
}

/** Every Queue, Worker, FlowProducer and connection the seeder opened is closed. */
async function expectNoConnectionsOf(prefix: string): Promise<void> {
  await expect.poll(() => clientsOf(prefix), { timeout: 2000 }).toEqual([]);
}

beforeAll(() => {
  redis = new Redis(url);
});
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
});
afterAll(async () => {
  await redis.quit();
});

describe(`seedBullmqQueue on BullMQ ${major}`, () => {
  it('puts each state in its own key, with names, data, reasons and logs', async () => {
    const prefix = freshPrefix();
    const key = (suffix: string) => `${prefix}:emails:${suffix}`;
    const ids = await seedBullmqQueue({ url, prefix }, 'emails', {
      waiting: 2,
      prioritized: 1,
      delayed: 1,
      active: 1,
      completed: 2,
      failed: 2,
      'waiting-children': 1,
      failedReason: (i) => `boom ${i}`,
      logs: (state, i) =>
        state === 'waiting' && i === 1 ? [] : [`${state} ${i} a`, `${state} ${i} b`],
    });

    expect(
      Object.fromEntries(Object.entries(ids).map(([state, list]) => [state, list.length])),
    ).toEqual({
      waiting: 2,
      prioritized: 1,
      delayed: 1,
      active: 1,
      completed: 2,
      failed: 2,
      'waiting-children': 1,
      paused: 0,
    });
    const all = Object.values(ids).flat();
    expect(new Set(all).size).toBe(all.length);

    expect(await redis.hget(key('meta'), 'version')).toMatch(new RegExp(`^bullmq:${major}\\.`));
    // Newest first: LPUSH puts each added job at the head.
    expect(await redis.lrange(key('wait'), 0, -1)).toEqual([...ids.waiting!].reverse());
    expect(await redis.zrange(key('prioritized'), 0, -1)).toEqual(ids.prioritized);
    expect(await redis.zrange(key('delayed'), 0, -1)).toEqual(ids.delayed);
    expect(await redis.lrange(key('active'), 0, -1)).toEqual(ids.active);
    expect(await redis.zrange(key('completed'), 0, -1)).toEqual(ids.completed);
    expect(await redis.zrange(key('failed'), 0, -1)).toEqual(ids.failed);
    expect(await redis.zrange(key('waiting-children'), 0, -1)).toEqual(ids['waiting-children']);
    expect(await redis.llen(key('paused'))).toBe(0);

    for (const [state, list] of Object.entries(ids)) {
      for (const [i, id] of list.entries()) {
        const job = await redis.hgetall(key(id));
        expect(job.name, `${state} ${i} name`).toBe(`${state}-${i}`);
        expect(JSON.parse(job.data!), `${state} ${i} data`).toEqual({ state, i });
        const logs = state === 'waiting' && i === 1 ? [] : [`${state} ${i} a`, `${state} ${i} b`];
        expect(await redis.lrange(key(`${id}:logs`), 0, -1), `${state} ${i} logs`).toEqual(logs);
        // lifo is for additive calls only: it would change where retry() puts the job.
        expect(JSON.parse(job.opts!).lifo, `${state} ${i} lifo`).toBeUndefined();
      }
    }

    for (const [i, id] of ids.failed!.entries()) {
      expect(await redis.hget(key(id), 'failedReason')).toBe(`boom ${i}`);
      expect(await redis.hget(key(id), 'finishedOn')).toMatch(/^\d+$/);
    }
    for (const [i, id] of ids.completed!.entries()) {
      expect(JSON.parse((await redis.hget(key(id), 'returnvalue'))!)).toEqual({ ok: true, i });
    }
    const delayedJob = await redis.hgetall(key(ids.delayed![0]!));
    expect(Number(delayedJob.timestamp) + Number(delayedJob.delay)).toBeGreaterThan(
      Date.now() + 59 * 60_000,
    );
    expect(Number(await redis.hget(key(ids.prioritized![0]!), 'priority'))).toBeGreaterThan(0);
    // Held, not processed: locked for longer than any suite, by a worker that is gone.
    const activeId = ids.active![0]!;
    expect(await redis.hget(key(activeId), 'processedOn')).toMatch(/^\d+$/);
    expect(await redis.hget(key(activeId), 'finishedOn')).toBeNull();
    expect(await redis.pttl(key(`${activeId}:lock`))).toBeGreaterThan(30 * 60_000);

    // The parent waits on one child, which waits in a queue of its own.
    const parentId = ids['waiting-children']![0]!;
    const [childKey] = await redis.smembers(key(`${parentId}:dependencies`));
    expect(childKey).toMatch(new RegExp(`^${prefix}:emails-children:`));
    const childId = childKey!.split(':').pop()!;
    expect(await redis.lrange(`${prefix}:emails-children:wait`, 0, -1)).toEqual([childId]);

    await expectNoConnectionsOf(prefix);
  });

  it('puts paused jobs in a paused queue', async () => {
    const prefix = freshPrefix();
    const key = (suffix: string) => `${prefix}:mailer:${suffix}`;
    const ids = await seedBullmqQueue({ url, prefix }, 'mailer', { paused: 2 });

    expect(ids.paused).toHaveLength(2);
    expect(await redis.hget(key('meta'), 'paused')).toBe('1');
    // BullMQ 5 moves the jobs of a paused queue to `paused`; BullMQ 6 keeps them in `wait`.
    const list = major === '5' ? 'paused' : 'wait';
    const other = major === '5' ? 'wait' : 'paused';
    expect(await redis.lrange(key(list), 0, -1)).toEqual([...ids.paused!].reverse());
    expect(await redis.llen(key(other))).toBe(0);
    await expectNoConnectionsOf(prefix);
  });

  it('adds to a queue that already holds jobs, taking only the jobs it adds', async () => {
    const prefix = freshPrefix();
    const key = (suffix: string) => `${prefix}:reports:${suffix}`;
    const connection = { url, prefix };
    const first = await seedBullmqQueue(connection, 'reports', { waiting: 2, prioritized: 1 });
    const second = await seedBullmqQueue(connection, 'reports', {
      active: 1,
      completed: 1,
      failed: 1,
      waiting: 1,
      name: (state, i) => `second ${state} ${i}`,
      data: (state, i) => ({ second: true, state, i }),
    });

    expect(await redis.lrange(key('wait'), 0, -1)).toEqual([
      second.waiting![0],
      ...[...first.waiting!].reverse(),
    ]);
    expect(await redis.zrange(key('prioritized'), 0, -1)).toEqual(first.prioritized);
    expect(await redis.lrange(key('active'), 0, -1)).toEqual(second.active);
    expect(await redis.zrange(key('completed'), 0, -1)).toEqual(second.completed);
    expect(await redis.zrange(key('failed'), 0, -1)).toEqual(second.failed);
    const failed = await redis.hgetall(key(second.failed![0]!));
    expect(failed.name).toBe('second failed 0');
    expect(JSON.parse(failed.data!)).toEqual({ second: true, state: 'failed', i: 0 });
    expect(failed.failedReason).toBe('second failed 0 failed');
    // Taken past the waiting jobs from the head of the list.
    expect(JSON.parse(failed.opts!).lifo).toBe(true);
  });

  it('refuses what BullMQ cannot hold', async () => {
    const connection = { url, prefix: freshPrefix() };
    await expect(seedBullmqQueue(connection, 'q', { cancelled: 1 })).rejects.toThrow(
      /no cancelled state/,
    );
    await expect(seedBullmqQueue(connection, 'q', { paused: 1, waiting: 1 })).rejects.toThrow(
      /queue of their own/,
    );
    await seedBullmqQueue(connection, 'q', { paused: 1 });
    await expect(seedBullmqQueue(connection, 'q', { failed: 1 })).rejects.toThrow(/is paused/);
  });
});
