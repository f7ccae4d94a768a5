/**
 * The backend against a throwaway Redis Cluster of three masters
 * (test/global-setup-cluster.ts), once per BullMQ major: the conformance suite,
 * queues under two prefixes (two hash tags, so on different slots and most
 * likely different nodes), and the seeder itself on a cluster.
 */
import { runBackendContract } from '@qadmin/testkit';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BullmqBackend, createBullmqBackend } from '../src/index';
import { seedBullmqQueue } from './seed';

const nodes = inject('redisCluster');
const major = process.env.EXPECTED_BULLMQ_MAJOR ?? '';
let next = 0;

/**
 * A hash-tagged prefix of its own (per backend, per major: both majors share
 * the cluster), so that all of a queue's keys share a slot, as BullMQ needs.
 */
function taggedPrefix(letter: string): string {
  const unique = `${major}${process.pid.toString(36)}${(next++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return `{${letter}${unique}}`;
}

/**
 * A backend reading through a Cluster client of ours. Refuses a backend that
 * made a client of its own from the Cluster instead of using it: it would read
 * a standalone Redis on 127.0.0.1:6379 and the suite would test that.
 */
function createClusterBackend(prefix: string | readonly string[]): BullmqBackend {
  const connection = new Cluster(nodes);
  const backend = createBullmqBackend({
    connection,
    prefix,
    discoveryIntervalMs: 0,
  });
  if (backend.redis !== connection) {
    void backend.close?.();
    connection.disconnect();
    throw new Error('createBullmqBackend did not read through the Cluster it was given');
  }
  return backend;
}

/** Closes the backend and then the Cluster client, which the backend does not own. */
async function destroyClusterBackend(backend: BullmqBackend): Promise<void> {
  await backend.close?.();
  await backend.redis.quit();
}

runBackendContract<BullmqBackend>({
  name: `bullmq ${major} on Redis Cluster`,
  createBackend: () => createClusterBackend(taggedPrefix('c')),
  seed: (backend, queue, spec) =>
    seedBullmqQueue({ cluster: nodes, prefix: backend.prefixes[0]! }, queue, spec),
  destroyBackend: destroyClusterBackend,
});

describe(`bullmq ${major} on Redis Cluster, under two hash-tagged prefixes`, () => {
  const first = taggedPrefix('a');
  const second = taggedPrefix('b');
  let backend: BullmqBackend;

  beforeAll(async () => {
    await seedBullmqQueue({ cluster: nodes, prefix: first }, 'emails', {
      waiting: 2,
      failed: 1,
    });
    await seedBullmqQueue({ cluster: nodes, prefix: second }, 'reports', {
      delayed: 1,
      completed: 3,
    });
    backend = createClusterBackend([first, second]);
  });
  afterAll(async () => {
    if (backend) await destroyClusterBackend(backend);
  });

  it('finds the queues of both prefixes, named <prefix>:<queue>', async () => {
    const names = (await backend.listQueues()).map((queue) => queue.name);
    expect(names).toEqual(expect.arrayContaining([`${first}:emails`, `${second}:reports`]));
    expect(names.filter((name) => name.startsWith(first) || name.startsWith(second))).toHaveLength(
      2,
    );
  });

  it('counts the jobs of both', async () => {
    const stats = await backend.getStats([`${first}:emails`, `${second}:reports`]);
    expect(stats[`${first}:emails`]?.counts).toMatchObject({ waiting: 2, failed: 1 });
    expect(stats[`${second}:reports`]?.counts).toMatchObject({ delayed: 1, completed: 3 });
  });
});

describe(`seedBullmqQueue on BullMQ ${major} on Redis Cluster`, () => {
  let cluster: Cluster;
  beforeAll(() => {
    cluster = new Cluster(nodes);
  });
  afterAll(async () => {
    await cluster?.quit();
  });

  it('writes the queue in its hash slot and closes every connection it opened', async () => {
    const prefix = taggedPrefix('s');
    const key = (suffix: string) => `${prefix}:mail:${suffix}`;
    const ids = await seedBullmqQueue({ cluster: nodes, prefix }, 'mail', {
      waiting: 2,
      active: 1,
      failed: 1,
      'waiting-children': 1,
    });

    expect(await cluster.lrange(key('wait'), 0, -1)).toEqual([...ids.waiting!].reverse());
    expect(await cluster.lrange(key('active'), 0, -1)).toEqual(ids.active);
    expect(await cluster.zrange(key('failed'), 0, -1)).toEqual(ids.failed);
    expect(await cluster.zrange(key('waiting-children'), 0, -1)).toEqual(ids['waiting-children']);
    expect(await cluster.llen(`${prefix}:mail-children:wait`)).toBe(1);

    // Every node, as the seeder's Cluster client (and BullMQ's duplicates of it) connect to all.
    expect(cluster.nodes('master')).toHaveLength(nodes.length);
    const clientsOf = async () => {
      const lists = await Promise.all(
        cluster.nodes('master').map((node) => node.client('LIST') as Promise<string>),
      );
      return lists.flatMap((list) => list.split('\n').filter((line) => line.includes(prefix)));
    };
    await expect.poll(clientsOf, { timeout: 2000 }).toEqual([]);
  });
});
