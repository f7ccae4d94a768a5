import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defineBackend } from '../backend';
import { createAdmin } from './admin';
import { createFakeBackend } from './test-support';

function manyQueuesBackend(n: number) {
  const base = createFakeBackend();
  const names = Array.from({ length: n }, (_, i) => `queue-${i}`);
  let getStatsCalls = 0;
  const backend = defineBackend({
    ...base,
    id: 'mem',
    async listQueues() {
      return names.map((name) => ({ name }));
    },
    async getStats(queues: readonly string[]) {
      getStatsCalls++;
      return Object.fromEntries(
        queues.map((q) => [q, { counts: { waiting: 1, failed: 2 }, paused: false, workers: 1 }]),
      );
    },
  });
  return { backend, calls: () => getStatsCalls };
}

const request = (acceptEncoding?: string) => ({
  method: 'GET',
  path: '/api/overview',
  basePath: '',
  query: new URLSearchParams(),
  headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {},
});

describe('the shared overview snapshot over HTTP', () => {
  it('is serialized and compressed once per snapshot, whatever the number of viewers', async () => {
    const { backend, calls } = manyQueuesBackend(100);
    const admin = createAdmin({ backends: [backend], refreshIntervalMs: 60_000 });
    const plain = await admin.handle(request());
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('accept-encoding');
    const text = Buffer.from(plain.body as Uint8Array).toString('utf8');
    expect(JSON.parse(text).queues).toHaveLength(100);

    const gzipped = await Promise.all(
      Array.from({ length: 20 }, () => admin.handle(request('gzip, deflate'))),
    );
    for (const response of gzipped) {
      expect(response.headers['content-encoding']).toBe('gzip');
      expect(response.body).toBe(gzipped[0]?.body); // the same bytes, compressed once
    }
    expect(gunzipSync(gzipped[0]?.body as Uint8Array).toString('utf8')).toBe(text);
    const br = await admin.handle(request('br;q=1, gzip;q=0.5'));
    expect(br.headers['content-encoding']).toBe('br');
    expect(calls()).toBe(1);
    await admin.close();
  });
});
