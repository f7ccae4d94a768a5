import { createConnection } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  startRedis,
  startRedisCluster,
  type ThrowawayRedis,
  type ThrowawayRedisCluster,
} from './redis';

/** Sends `PING` over a raw socket: `+PONG` when a server answers, the error code otherwise. */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (reply: string) => {
      socket.destroy();
      resolve(reply.trim());
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
  });
}

describe('startRedis', () => {
  let redis: ThrowawayRedis | undefined;
  afterAll(async () => {
    await redis?.stop();
  });

  // Real processes: slow when the machine is busy (CI builds beside it).
  it('starts a server that answers PING, and restarts it on the same port', {
    timeout: 60_000,
  }, async () => {
    redis = await startRedis();
    expect(redis.host).toBe('127.0.0.1');
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await ping(redis.port)).toBe('+PONG');

    await redis.kill();
    expect(await ping(redis.port)).toBe('ECONNREFUSED');

    await redis.start();
    expect(await ping(redis.port)).toBe('+PONG');
    await redis.start();
    expect(await ping(redis.port)).toBe('+PONG');

    await redis.stop();
    expect(await ping(redis.port)).toBe('ECONNREFUSED');
    await redis.start();
    expect(await ping(redis.port)).toBe('+PONG');
  });

  // Real processes: slow when the machine is busy (CI builds beside it).
  it('refuses a port another server already answers on', { timeout: 60_000 }, async () => {
    redis ??= await startRedis();
    await expect(startRedis({ port: redis.port })).rejects.toThrow(/address already in use/i);
    expect(await ping(redis.port)).toBe('+PONG');
  });
});

/** Sends one command over a raw socket and resolves with its bulk-string reply (an error as `-ERR ...`). */
function bulk(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      const header = /^\$(\d+)\r\n/.exec(reply);
      if (
        reply.startsWith('-') ||
        (header && reply.length >= header[0].length + Number(header[1]) + 2)
      ) {
        socket.destroy();
        resolve(
          header
            ? reply.slice(header[0].length, header[0].length + Number(header[1]))
            : reply.trim(),
        );
      }
    });
    socket.once('error', reject);
  });
}

describe('startRedisCluster', () => {
  let cluster: ThrowawayRedisCluster | undefined;
  afterAll(async () => {
    await cluster?.stop();
  });

  // Real processes: slow when the machine is busy (CI builds beside it).
  it('starts three masters that serve all 16384 slots between them, and stops them', {
    timeout: 60_000,
  }, async () => {
    cluster = await startRedisCluster();
    expect(cluster.nodes).toHaveLength(3);
    const ports = cluster.nodes.map((node) => node.port);
    expect(new Set(ports).size).toBe(3);

    for (const node of cluster.nodes) {
      expect(node.host).toBe('127.0.0.1');
      const info = await bulk(node.port, 'CLUSTER INFO');
      expect(info, `CLUSTER INFO of ${node.port}`).toMatch(/^cluster_state:ok\r$/m);
      expect(info).toMatch(/^cluster_slots_assigned:16384\r$/m);
      expect(info).toMatch(/^cluster_known_nodes:3\r$/m);
    }

    // <id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges...>
    const lines = (await bulk(ports[0]!, 'CLUSTER NODES')).trim().split('\n');
    const slots = new Array<number>(16384).fill(0);
    const masters: number[] = [];
    for (const line of lines) {
      const [, address, flags, , , , , , ...ranges] = line.trim().split(' ');
      expect(flags).toMatch(/(^|,)master(,|$)/);
      masters.push(Number(/^127\.0\.0\.1:(\d+)@/.exec(address!)?.[1]));
      for (const range of ranges) {
        const [from, to = from] = range.split('-').map(Number);
        for (let slot = from!; slot <= to!; slot++) slots[slot]! += 1;
      }
    }
    expect(masters.sort()).toEqual([...ports].sort());
    // Every slot served by exactly one master.
    expect(slots.every((owners) => owners === 1)).toBe(true);

    await cluster.stop();
    for (const port of ports) expect(await ping(port)).toBe('ECONNREFUSED');
    cluster = undefined;
  });

  it('refuses fewer than three masters', async () => {
    await expect(startRedisCluster({ masters: 2 })).rejects.toThrow(
      /masters must be an integer >= 3/,
    );
  });
});
