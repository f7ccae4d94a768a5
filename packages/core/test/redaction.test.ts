/**
 * Redaction over real HTTP: the dashboard over the memory backend, with
 * secrets in job data, progress and logs, read every way job content leaves
 * the server. Each check reads the raw response bytes, so a secret cannot
 * hide in a field the assertions do not name.
 */
import { createMemoryBackend, type MemoryBackend } from '@qadmin/backend-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, type QadminApp } from '../src/http/admin';
import { startServer } from '../src/http/test-support';
import { AdminService } from '../src/service';

const SECRETS = ['hunter2', 'abc'];
const QUEUE = '/api/queues/memory:secrets';

let backend: MemoryBackend;
let admin: QadminApp;
let server: Awaited<ReturnType<typeof startServer>>;
let jobId: string;

beforeAll(async () => {
  backend = createMemoryBackend({ id: 'memory' });
  const queue = backend.queue('secrets');
  jobId = queue.add('signup', {
    password: 'hunter2',
    nested: { token: 'abc' },
    note: 'plainword',
  }).id;
  queue.log(jobId, 'logged in with hunter2');
  admin = createAdmin({
    backends: [backend],
    redact: { paths: ['data.password', 'data.*.token', 'progress.**.token', 'logs'] },
    unsafeAnonymousWrites: true,
    warn: () => {},
  });
  server = await startServer(admin);
});

afterAll(async () => {
  await server.close();
  await admin.close();
});

async function call(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('x-qadmin-csrf', '1');
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(server.origin + path, { ...init, headers });
  const text = Buffer.from(await response.arrayBuffer()).toString('utf8');
  return { status: response.status, text, body: JSON.parse(text) };
}

function expectNoSecret(text: string) {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('redaction over HTTP', () => {
  it('GET a job shows the redacted data, and the backend keeps the original', async () => {
    const { status, text, body } = await call(`${QUEUE}/jobs/${jobId}`);
    expect(status).toBe(200);
    expectNoSecret(text);
    expect(body.data).toEqual({
      password: '[redacted]',
      nested: { token: '[redacted]' },
      note: 'plainword',
    });
    expect((await backend.getJob('secrets', jobId))?.data).toMatchObject({
      password: 'hunter2',
      nested: { token: 'abc' },
    });
  });

  it('job lists preview the redacted data', async () => {
    const { status, text, body } = await call(`${QUEUE}/jobs?state=waiting`);
    expect(status).toBe(200);
    expectNoSecret(text);
    expect(body.jobs.map((j: { id: string }) => j.id)).toContain(jobId);
    expect(text).toContain('[redacted]');
  });

  it('search finds nothing by a redacted value, and still finds what is shown', async () => {
    for (const secret of SECRETS) {
      const { status, text, body } = await call(
        `${QUEUE}/jobs?state=waiting&q=${secret}&in=name,data,error`,
      );
      expect(status).toBe(200);
      expect(body.jobs).toEqual([]);
      // The answer repeats the query; nothing else may hold the secret.
      expect(body.search.text).toBe(secret);
      expectNoSecret(text.replaceAll(`"text":"${secret}"`, ''));
      expect(body.search.scanned).toBeGreaterThan(0);
    }
    for (const shown of ['plainword', 'PLAINWORD', 'nested', 'signup']) {
      const { text, body } = await call(`${QUEUE}/jobs?state=waiting&q=${shown}`);
      expect(body.jobs.map((j: { id: string }) => j.id)).toEqual([jobId]);
      expectNoSecret(text);
    }
  });

  it('job logs are hidden', async () => {
    const { status, text, body } = await call(`${QUEUE}/jobs/${jobId}/logs`);
    expect(status).toBe(200);
    expectNoSecret(text);
    expect(body).toMatchObject({ lines: [{ message: '[redacted]' }], total: 1 });
  });

  it('the jobs that actions and adds answer with are redacted', async () => {
    const updated = await call(`${QUEUE}/jobs/${jobId}/actions`, {
      method: 'POST',
      body: JSON.stringify({
        type: 'update-data',
        data: { password: 'hunter2', nested: { token: 'abc' }, note: 'plainword' },
      }),
    });
    expect(updated.status).toBe(200);
    expectNoSecret(updated.text);
    expect(updated.body.job.data.password).toBe('[redacted]');

    const duplicate = await call(`${QUEUE}/jobs/${jobId}/actions`, {
      method: 'POST',
      body: JSON.stringify({ type: 'duplicate' }),
    });
    expect(duplicate.status).toBe(200);
    expectNoSecret(duplicate.text);
    expect(duplicate.body.job.id).not.toBe(jobId);
    expect(duplicate.body.job.data.nested.token).toBe('[redacted]');

    const added = await call(`${QUEUE}/jobs`, {
      method: 'POST',
      body: JSON.stringify({ name: 'signup', data: { password: 'hunter2', x: { token: 'abc' } } }),
    });
    expect(added.status).toBe(201);
    expectNoSecret(added.text);
    expect(added.body.data).toEqual({ password: '[redacted]', x: { token: '[redacted]' } });
  });

  it('SSE progress events carry the redacted progress', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.origin}/api/events`, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let raw = '';
    const readUntil = async (needle: string) => {
      while (!raw.includes(needle)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        raw += decoder.decode(value, { stream: true });
      }
    };
    try {
      // The first overview means the service is subscribed to the backend.
      await readUntil('event: overview');
      backend.queue('secrets').updateProgress(jobId, { pct: 50, auth: { token: 'abc' } });
      await readUntil('event: progress');
      await readUntil('\n\n');
      const block = raw.slice(raw.indexOf('event: progress'));
      const data = JSON.parse(block.slice(block.indexOf('data: ') + 6, block.indexOf('\n\n')));
      expect(data).toMatchObject({
        type: 'progress',
        jobId,
        progress: { pct: 50, auth: { token: '[redacted]' } },
      });
      expectNoSecret(raw);
    } finally {
      controller.abort();
      await reader.cancel().catch(() => {});
    }
  });
});

describe('search with formatJob alone', () => {
  it('drops hits on text formatJob hides, keeping how far the backend looked', async () => {
    const memory = createMemoryBackend({ id: 'memory' });
    const queue = memory.queue('q');
    queue.add('a', { card: '4111-1111', public: 'shared' });
    queue.add('b', { public: 'shared' });
    const service = new AdminService({
      backends: [memory],
      formatJob: (job) => ({ ...job, data: { public: (job.data as { public: string }).public } }),
    });
    try {
      const hidden = await service.listJobs('memory:q', { state: 'waiting', q: '4111' });
      expect(hidden.jobs).toEqual([]);
      expect(hidden.search).toMatchObject({ scanned: 2, exhausted: true });
      const shown = await service.listJobs('memory:q', { state: 'waiting', q: 'shared' });
      expect(shown.jobs).toHaveLength(2);
    } finally {
      await service.close();
    }
  });
});
