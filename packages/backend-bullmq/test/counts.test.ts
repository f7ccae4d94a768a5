/**
 * What one overview refresh costs Redis, counted by Redis itself (INFO
 * commandstats, which counts the commands a script runs), on a Redis of this
 * file's own so that no other test's commands are counted: at most 10 per
 * queue, sent in one round trip. Also the script's way back after Redis lost
 * it (NOSCRIPT), a Redis user that may not run scripts, and queues under
 * several hash tags on a Redis Cluster.
 */
import { startRedis, type ThrowawayRedis } from '@qadmin/test-fixtures';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BullmqBackend, createBullmqBackend } from '../src/index';
import { hashTag, prefixHasHashTag } from '../src/scripts';

/** Enough queues for three script calls of 100. */
const QUEUES = 250;

/** What queue `i` holds: a different count in every state, and every 7th queue paused. */
function expected(i: number) {
  const paused = i % 7 === 0;
  const queued = i % 5;
  return {
    counts: {
      waiting: paused ? 0 : queued,
      paused: paused ? queued : 0,
      prioritized: i % 3,
      'waiting-children': i % 2,
      delayed: i % 4,
      active: i % 6 === 0 ? 1 : 0,
      completed: i,
      failed: i % 9,
    },
    paused,
  };
}

/** Writes queue `i`'s keys as BullMQ leaves them (only what the counts read). */
async function seed(redis: Redis | Cluster, prefix: string, name: string, i: number) {
  const base = `${prefix}:${name}:`;
  const { counts, paused } = expected(i);
  const pipeline = redis.pipeline();
  pipeline.hset(`${base}meta`, 'version', 'bullmq:6.7.0');
  if (paused) pipeline.hset(`${base}meta`, 'paused', '1');
  const ids = (count: number, from: number) =>
    Array.from({ length: count }, (_, k) => String(from + k));
  const list = (key: string, count: number) => {
    if (count > 0) pipeline.rpush(base + key, ...ids(count, 1));
  };
  const set = (key: string, count: number) => {
    if (count > 0) pipeline.zadd(base + key, ...ids(count, 1).flatMap((id) => [id, id]));
  };
  // BullMQ 6 keeps a paused queue's jobs in `wait`: the counts take them from either list.
  list('wait', counts.waiting + counts.paused);
  list('active', counts.active);
  set('prioritized', counts.prioritized);
  set('waiting-children', counts['waiting-children']);
  set('delayed', counts.delayed);
  set('completed', counts.completed);
  set('failed', counts.failed);
  await pipeline.exec();
}

const names = Array.from({ length: QUEUES }, (_, i) => `q${String(i).padStart(3, '0')}`);

/** Commands Redis ran since the last CONFIG RESETSTAT, by name, INFO and CONFIG left out. */
async function commandsRun(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  const text = await redis.info('commandstats');
  for (const [, name, count] of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== 'info' && !name!.startsWith('config')) calls.set(name!, Number(count));
  }
  return calls;
}

const total = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0);

describe('overview counts on a Redis of their own', () => {
  let server: ThrowawayRedis;
  let redis: Redis;
  let backend: BullmqBackend;
  /** The backend's client, watched: the commands it writes, in bursts ended by a reply. */
  let client: Redis;
  let roundTrips = 0;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    for (const [i, name] of names.entries()) await seed(redis, 'bull', name, i);
    client = new Redis(server.url);
    await client.ping();
    let waiting = false;
    const socket = client.stream;
    const write = socket.write;
    socket.write = function (this: typeof socket, ...args: unknown[]) {
      if (!waiting) roundTrips++;
      waiting = true;
      return (write as (...args: unknown[]) => boolean).apply(this, args);
    } as typeof write;
    socket.on('data', () => {
      waiting = false;
    });
    backend = createBullmqBackend({ connection: client, metrics: false, queues: names });
  });
  afterAll(async () => {
    await backend?.close?.();
    await client?.quit();
    await redis?.quit();
    await server?.stop();
  });

  it('reads every state of 250 queues with 9 commands per queue, in one round trip', async () => {
    await backend.getStats(names); // the script reaches Redis
    await redis.config('RESETSTAT');
    roundTrips = 0;
    const stats = await backend.getStats(names);
    const calls = await commandsRun(redis);

    expect(roundTrips).toBe(1);
    expect(calls.get('evalsha')).toBe(3);
    expect(calls.get('client|list')).toBe(1);
    expect(calls.get('zcard')).toBe(5 * QUEUES);
    expect(calls.get('llen')).toBe(3 * QUEUES);
    expect(calls.get('hmget')).toBe(QUEUES);
    expect(total(calls)).toBe(9 * QUEUES + 3 + 1);
    expect(total(calls)).toBeLessThanOrEqual(10 * QUEUES);
    for (const [i, name] of names.entries()) {
      expect(stats[name], name).toEqual({ ...expected(i), workers: 0 });
    }
  });

  it('sends the script again when Redis lost it (NOSCRIPT), then calls it by its hash', async () => {
    await redis.script('FLUSH');
    await redis.config('RESETSTAT');
    const stats = await backend.getStats(names);
    expect(stats[names[8]!]).toEqual({ ...expected(8), workers: 0 });
    const first = await commandsRun(redis);
    expect([first.get('evalsha'), first.get('eval')]).toEqual([3, 3]);

    await redis.config('RESETSTAT');
    await backend.getStats(names);
    const next = await commandsRun(redis);
    expect([next.get('evalsha'), next.get('eval') ?? 0]).toEqual([3, 0]);
  });

  it('skips queues with no keys, and counts one queue (the queue page) alone', async () => {
    const stats = await backend.getStats([names[3]!, 'never-made']);
    expect(Object.keys(stats)).toEqual([names[3]]);
    expect(stats[names[3]!]).toEqual({ ...expected(3), workers: 0 });
  });

  it('discovers with one script call per 100 meta keys; a `:meta` key that is no hash is no queue', async () => {
    await redis.set('bull:impostor:meta', 'not a hash');
    const discovering = createBullmqBackend({ connection: server.url, metrics: false });
    try {
      await discovering.discover(); // the script reaches Redis
      await redis.config('RESETSTAT');
      const found = await discovering.discover();
      expect(found.map((queue) => queue.name)).toEqual(names);
      expect(found[0]!.meta).toEqual({ prefix: 'bull', version: 'bullmq:6.7.0' });
      const calls = await commandsRun(redis);
      expect([calls.get('evalsha'), calls.get('hget')]).toEqual([3, QUEUES + 1]);
    } finally {
      await discovering.close?.();
      await redis.del('bull:impostor:meta');
    }
  });

  it('samples metrics looking at every event stream with one script call per 100 queues', async () => {
    const sampling = createBullmqBackend({ connection: server.url, queues: names });
    try {
      // The first round marks where counting starts, at each stream's end.
      await redis.xadd(`bull:${names[1]}:events`, '*', 'event', 'added', 'jobId', '1');
      await sampling.sampleMetrics();
      expect(await redis.get(`bull:${names[0]}:qadmin:metrics:position`)).toBe('0-0');
      const lastId = (await redis.xrevrange(`bull:${names[1]}:events`, '+', '-'))[0]?.[0];
      expect(lastId).toBeDefined();
      expect(await redis.get(`bull:${names[1]}:qadmin:metrics:position`)).toBe(lastId);

      await redis.config('RESETSTAT');
      expect(await sampling.sampleMetrics()).toBe(0);
      const calls = await commandsRun(redis);
      // One GET more: releasing the sampling lock.
      expect([calls.get('evalsha'), calls.get('get'), calls.get('xrevrange')]).toEqual([
        3,
        QUEUES + 1,
        QUEUES,
      ]);
    } finally {
      await sampling.close?.();
    }
  });

  it('falls back to plain pipelined reads for a Redis user that may not run scripts', async () => {
    const user = `noscripts${Date.now().toString(36)}`;
    await redis.acl('SETUSER', user, 'on', '>secret', '~*', '+@all', '-@scripting');
    const limited = createBullmqBackend({
      connection: `redis://${user}:secret@127.0.0.1:${server.port}`,
    });
    try {
      expect((await limited.discover()).map((queue) => queue.name)).toEqual(names);
      await limited.sampleMetrics();
      await redis.config('RESETSTAT');
      const first = await limited.getStats(names);
      const second = await limited.getStats(names);
      for (const stats of [first, second]) {
        for (const [i, name] of names.entries()) {
          expect(stats[name], name).toEqual({ ...expected(i), workers: 0 });
        }
      }
      const calls = await commandsRun(redis);
      // After the first refusal no script is tried again.
      expect(calls.get('evalsha') ?? 0).toBe(0);
      expect(calls.get('zcard')).toBe(2 * 5 * QUEUES);
    } finally {
      await limited.close?.();
      await redis.acl('DELUSER', user);
    }
  });
});

describe('overview counts on a Redis Cluster', () => {
  const nodes = inject('redisCluster');
  const unique = `${process.env.EXPECTED_BULLMQ_MAJOR}${process.pid.toString(36)}${Date.now().toString(36)}`;
  // Two prefixes with a tag each, and one with a tag that is neither of theirs nor the whole
  // prefix: three slots, most likely on different masters.
  const prefixes = [`{x${unique}}`, `{y${unique}}`, `app:{z${unique}}:jobs`];
  let cluster: Cluster;
  let backend: BullmqBackend;

  beforeAll(async () => {
    cluster = new Cluster(nodes);
    // 120 queues under the first prefix (two script calls), 30 under each other one.
    const queued: [string, string, number][] = [];
    for (let i = 0; i < 180; i++) {
      const prefix = prefixes[i < 120 ? 0 : i < 150 ? 1 : 2]!;
      queued.push([prefix, names[i]!, i]);
    }
    for (const [prefix, name, i] of queued) await seed(cluster, prefix, name, i);
    backend = createBullmqBackend({
      connection: cluster,
      prefix: prefixes,
      metrics: false,
      queues: queued.map(([prefix, name]) => `${prefix}:${name}`),
    });
  });
  afterAll(async () => {
    await backend?.close?.();
    await cluster?.quit();
  });

  it('counts the queues of every slot, each script call within one slot', async () => {
    const listed = (await backend.listQueues()).map((queue) => queue.name);
    expect(listed).toHaveLength(180);
    const stats = await backend.getStats(listed);
    expect(Object.keys(stats)).toHaveLength(180);
    for (const name of listed) {
      const i = names.indexOf(name.slice(name.lastIndexOf(':') + 1));
      expect(stats[name], name).toEqual({ ...expected(i), workers: 0 });
    }
  });
});

describe('hash tags', () => {
  it('follow Redis: the first {...} with something in it, else the whole key', () => {
    expect(hashTag('{bull}:emails:meta')).toBe('bull');
    expect(hashTag('app:{bull}:emails:meta')).toBe('bull');
    expect(hashTag('{}{bull}:emails:meta')).toBe('{}{bull}:emails:meta');
    expect(hashTag('bull:emails:meta')).toBe('bull:emails:meta');
    expect(hashTag('{bull:emails:meta')).toBe('{bull:emails:meta');
  });

  it('are required in every prefix on a cluster, inside the prefix', () => {
    expect(prefixHasHashTag('{bull}')).toBe(true);
    expect(prefixHasHashTag('app:{bull}:jobs')).toBe(true);
    expect(prefixHasHashTag('{}{bull}')).toBe(false);
    expect(prefixHasHashTag('{bull')).toBe(false);
    expect(prefixHasHashTag('bull')).toBe(false);
  });
});
