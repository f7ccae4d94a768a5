/**
 * A source that goes away after start-up only marks its queues unreachable:
 * `qadmin serve` keeps running, says so in `api/health` and in its output,
 * answers the queue's routes with a 503 problem, and recovers when the server
 * is back. Its own throwaway Redis, not the run's shared one: this test kills it.
 */
import { startRedis, type ThrowawayRedis } from '@qadmin/test-fixtures';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, startServe } from './qadmin';

const QUEUE = 'invoices';

/** Adds one waiting job (a restarted Redis comes back empty). */
async function seed(url: string): Promise<void> {
  const queue = new Queue(QUEUE, { connection: { url } });
  try {
    await queue.add('send', { to: 'ana@example.com' });
  } finally {
    await queue.close();
  }
}

async function get(served: Served, path: string) {
  const response = await fetch(`${served.url}${path}`);
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {}
  return { status: response.status, type: response.headers.get('content-type') ?? '', body };
}

/** Asks `probe` every 100 ms until it returns something, or fails after `timeoutMs`. */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('qadmin serve when its Redis goes away and comes back', () => {
  let redis: ThrowawayRedis;

  beforeAll(async () => {
    redis = await startRedis();
    await seed(redis.url);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('keeps running, marks the queues unreachable, and recovers', async () => {
    const served = await startServe(['--redis', redis.url, '--port', '0']);
    try {
      expect(served.output()).toMatch(/source bullmq: Redis .*: 1 queue: invoices/);
      expect((await get(served, 'api/health')).body.status).toBe('ok');
      expect((await get(served, `api/queues/bullmq:${QUEUE}`)).status).toBe(200);

      await redis.kill();
      const lostAt = Date.now();

      // The queue's routes fail fast with a problem that names the backend, rather than hanging.
      const detail = await eventually('a 503 for the queue', async () => {
        const answer = await get(served, `api/queues/bullmq:${QUEUE}`);
        return answer.status === 200 ? undefined : answer;
      });
      expect(Date.now() - lostAt).toBeLessThan(2_000);
      expect(detail.status).toBe(503);
      expect(detail.type).toMatch(/^application\/problem\+json/);
      expect(detail.body).toMatchObject({ status: 503, backend: 'bullmq' });
      const jobs = await get(served, `api/queues/bullmq:${QUEUE}/jobs?state=waiting`);
      expect(jobs.status).toBe(503);
      expect(jobs.type).toMatch(/^application\/problem\+json/);

      // Health follows within its refresh interval (the overview is shared for 2 s).
      const degraded = await eventually('a degraded health', async () => {
        const health = await get(served, 'api/health');
        return health.body.status === 'degraded' ? health : undefined;
      });
      expect(degraded.status).toBe(200);
      expect(degraded.body.backends).toEqual([
        expect.objectContaining({
          id: 'bullmq',
          ok: false,
          error: expect.stringContaining('bullmq'),
        }),
      ]);
      await eventually('the loss in the output', async () =>
        /source bullmq is unreachable \(.*ECONNREFUSED.*\): its queues answer 503/.test(
          served.output(),
        )
          ? true
          : undefined,
      );
      expect(served.child.exitCode).toBeNull();

      await redis.start();
      await seed(redis.url);
      await eventually('a healthy dashboard again', async () => {
        const health = await get(served, 'api/health');
        return health.body.status === 'ok' ? true : undefined;
      });
      const back = await get(served, `api/queues/bullmq:${QUEUE}`);
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ counts: { waiting: 1 } });
      expect(served.output()).toContain('source bullmq is back');
    } finally {
      const { code } = await served.stop();
      expect(code).toBe(0);
    }
    // One warning for the loss and one line for the return: no stack, no unhandled rejection.
    const output = served.output();
    expect(output).not.toMatch(/\n\s+at /);
    expect(output).not.toMatch(/unhandled/i);
    expect(output.match(/is unreachable/g)).toHaveLength(1);
  });
});
