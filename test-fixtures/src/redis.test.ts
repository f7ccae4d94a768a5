import { createConnection } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, type ThrowawayRedis } from './redis';

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

  it('starts a server that answers PING, and restarts it on the same port', async () => {
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

  it('refuses a port another server already answers on', async () => {
    redis ??= await startRedis();
    await expect(startRedis({ port: redis.port })).rejects.toThrow(/address already in use/i);
    expect(await ping(redis.port)).toBe('+PONG');
  });
});
