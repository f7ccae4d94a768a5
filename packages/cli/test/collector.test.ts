/**
 * `qadmin serve --collector FILE` over a real process: workers' events
 * reported to its ingest endpoint become queues of the dashboard, kept in the
 * SQLite file across a restart; ingest tokens are checked at start-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runQadmin, startServe } from './qadmin';

const folder = mkdtempSync(join(tmpdir(), 'qadmin-cli-collector-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const TOKEN = 'cli-test-ingest-token-000000000001';

describe('qadmin serve --collector', () => {
  it('takes workers events at api/ingest/events and keeps them across a restart', async () => {
    const file = join(folder, 'store', 'events.db');
    const env = { QADMIN_INGEST_TOKENS: TOKEN };
    const first = await startServe(['--collector', file, '--port', '0'], { env });
    try {
      expect(first.output()).toMatch(
        /source collector: collector .*events\.db \(workers report to api\/ingest\/events with one of 1 ingest token/,
      );
      const now = Date.now();
      const answer = await fetch(`${first.url}api/ingest/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          events: [
            {
              id: 'e1',
              type: 'queued',
              time: now,
              queue: 'thumbnails',
              jobId: '1',
              data: { image: 'a.png' },
            },
            {
              id: 'e2',
              type: 'failed',
              time: now + 5,
              queue: 'thumbnails',
              jobId: '1',
              error: { message: 'corrupt PNG' },
            },
            { id: 'e3', type: 'nonsense', time: now, queue: 'thumbnails', jobId: '2' },
          ],
        }),
      });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({
        accepted: 2,
        rejected: [{ index: 2, field: 'events[2].type' }],
      });
      const wrong = await fetch(`${first.url}api/ingest/events`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer not-the-ingest-token-at-all',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ events: [] }),
      });
      expect(wrong.status).toBe(401);
    } finally {
      expect((await first.stop()).code).toBe(0);
    }
    const second = await startServe(['--collector', file, '--port', '0'], { env });
    try {
      expect(second.output()).toMatch(/1 queue: thumbnails/);
      const job = await fetch(`${second.url}api/queues/collector%3Athumbnails/jobs/1`);
      expect(await job.json()).toMatchObject({
        state: 'failed',
        failedReason: 'corrupt PNG',
        data: { image: 'a.png' },
      });
    } finally {
      await second.stop();
    }
  });

  it('refuses a short ingest token and a store that is not SQLite with a clear message', async () => {
    const short = await runQadmin(['serve', '--collector', join(folder, 'x.db'), '--port', '0'], {
      env: { QADMIN_INGEST_TOKENS: 'short' },
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/ingest token 1 .* at least 24 characters/);
    const notDb = await runQadmin([
      'serve',
      '--collector',
      join(import.meta.dirname, 'collector.test.ts'),
      '--port',
      '0',
    ]);
    expect(notDb.code).toBe(1);
    expect(notDb.stderr).toMatch(
      /cannot open the collector store .*collector\.test\.ts: .*not a database/,
    );
  });
});
