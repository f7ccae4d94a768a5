import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CreateAdminOptions, createAdmin, type QadminApp } from './admin';
import { apiRoutes } from './routes';
import {
  createBrokenBackend,
  createDownBackend,
  createFakeBackend,
  createHangingBackend,
  MINIMAL_CAPABILITIES,
  rawRequest,
  startServer,
} from './test-support';
import type { QadminRequest } from './types';

type Served = Awaited<ReturnType<typeof startServer>>;

/** Writes allowed without auth (the access rules have tests of their own), no start-up warning. */
const open = { unsafeAnonymousWrites: true, warn: () => {} } as const;

async function serve(options: CreateAdminOptions) {
  const admin = createAdmin({ ...open, ...options });
  const server = await startServer(admin);
  return { admin, server };
}

const opened: { admin: QadminApp; server: Served }[] = [];
afterAll(async () => {
  for (const { admin, server } of opened) {
    await server.close();
    await admin.close();
  }
});

async function call(server: Served, path: string, init: RequestInit = {}) {
  // What the dashboard's own pages send with every change (the CSRF check).
  const headers = new Headers(init.headers);
  if (!headers.has('x-qadmin-csrf')) headers.set('x-qadmin-csrf', '1');
  const response = await fetch(server.origin + path, { ...init, headers });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: type.includes('json') && text ? JSON.parse(text) : undefined,
  };
}

const json = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
  body: JSON.stringify(body),
});

function expectProblem(
  result: Awaited<ReturnType<typeof call>>,
  status: number,
  code: string,
  field?: string,
) {
  expect(result.status).toBe(status);
  expect(result.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  expect(result.headers.get('cache-control')).toBe('no-store');
  expect(result.body).toMatchObject({
    type: `https://qadmin.dev/problems/${code}`,
    status,
    title: expect.any(String),
  });
  expect(result.body.instance).toMatch(/^\//);
  if (field !== undefined) expect(result.body.field).toBe(field);
  expect(result.text).not.toMatch(/\n\s+at |stack/i);
}

const EMAILS = '/api/queues/mem%3Aemails';

describe('JSON API', () => {
  let server: Served;
  let backend: ReturnType<typeof createFakeBackend>;

  beforeAll(async () => {
    backend = createFakeBackend();
    const basic = createFakeBackend({ id: 'basic', capabilities: MINIMAL_CAPABILITIES });
    const started = await serve({
      backends: [backend, basic, createBrokenBackend()],
      bodyLimitBytes: 4096,
    });
    opened.push(started);
    server = started.server;
  });

  describe('reads', () => {
    it('GET api/overview', async () => {
      const result = await call(server, '/api/overview');
      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(result.headers.get('cache-control')).toBe('no-store');
      const emails = result.body.queues.find((q: { id: string }) => q.id === 'mem:emails');
      expect(emails).toMatchObject({
        backend: 'mem',
        name: 'emails',
        counts: { failed: 2, waiting: 2 },
      });
      expect(result.body.backends.map((b: { id: string }) => b.id)).toEqual([
        'mem',
        'basic',
        'broken',
      ]);
    });

    it('GET api/health', async () => {
      const result = await call(server, '/api/health');
      expect(result.status).toBe(200);
      expect(result.body.status).toBe('ok');
    });

    it('GET api/workers and api/queues/{queueId}/workers', async () => {
      const all = await call(server, '/api/workers');
      expect(all.body).toEqual([
        expect.objectContaining({ id: 'w1', backend: 'mem', queueIds: ['mem:emails'] }),
      ]);
      const one = await call(server, `${EMAILS}/workers`);
      expect(one.body).toHaveLength(1);
    });

    it('GET api/queues/{queueId}, encoded or not', async () => {
      const encoded = await call(server, EMAILS);
      expect(encoded.status).toBe(200);
      expect(encoded.body).toMatchObject({
        id: 'mem:emails',
        readOnly: false,
        capabilities: { logs: true },
      });
      const plain = await call(server, '/api/queues/mem:reports');
      expect(plain.body).toMatchObject({ id: 'mem:reports', paused: true });
    });

    it('GET api/queues/{queueId}/jobs pages by cursor and offset', async () => {
      const first = await call(server, `${EMAILS}/jobs?state=failed&limit=1`);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        queueId: 'mem:emails',
        state: 'failed',
        total: 2,
        search: null,
      });
      expect(first.body.jobs).toHaveLength(1);
      expect(first.body.jobs[0]).toHaveProperty('dataPreview');
      expect(first.body.jobs[0]).not.toHaveProperty('stacktrace');
      const second = await call(
        server,
        `${EMAILS}/jobs?state=failed&limit=1&cursor=${first.body.nextCursor}`,
      );
      expect(second.body.jobs[0].id).not.toBe(first.body.jobs[0].id);
      expect(second.body.nextCursor).toBeNull();
      const byOffset = await call(
        server,
        `${EMAILS}/jobs?state=failed&limit=1&offset=1&order=oldest`,
      );
      expect(byOffset.body.jobs[0].id).toBe('3');
    });

    it('GET api/queues/{queueId}/jobs searches with q and in', async () => {
      const result = await call(
        server,
        `${EMAILS}/jobs?state=failed&q=MAILBOX&in=error&scanLimit=10`,
      );
      expect(result.status).toBe(200);
      expect(result.body.jobs.map((j: { id: string }) => j.id)).toEqual(['3']);
      expect(result.body.search).toEqual({
        text: 'MAILBOX',
        fields: ['error'],
        scanned: 2,
        exhausted: true,
      });
    });

    it('GET api/queues/{queueId}/jobs/{jobId}, with a slash in the id', async () => {
      const job = await call(server, `${EMAILS}/jobs/2`);
      expect(job.body).toMatchObject({ id: '2', queueId: 'mem:emails', state: 'failed' });
      expect(job.body.stacktrace).toHaveLength(2);
      const slashed = await call(server, `${EMAILS}/jobs/a%2Fb`);
      expect(slashed.body).toMatchObject({ id: 'a/b', name: 'slashed' });
    });

    it('GET api/queues/{queueId}/jobs/{jobId}/logs', async () => {
      const all = await call(server, `${EMAILS}/jobs/1/logs`);
      expect(all.body).toEqual({
        lines: [
          { timestamp: null, message: 'started' },
          { timestamp: null, message: 'sent' },
        ],
        total: 2,
      });
      const page = await call(server, `${EMAILS}/jobs/1/logs?offset=1&limit=1`);
      expect(page.body.lines).toEqual([{ timestamp: null, message: 'sent' }]);
    });

    it('GET api/queues/{queueId}/metrics', async () => {
      const hour = await call(server, `${EMAILS}/metrics`);
      expect(hour.body).toMatchObject({ queueId: 'mem:emails', range: '1h', bucketMs: 60_000 });
      expect(hour.body.buckets).toHaveLength(60);
      const day = await call(server, `${EMAILS}/metrics?range=24h`);
      expect(day.body.range).toBe('24h');
    });
  });

  describe('mutations', () => {
    it('POST api/queues/{queueId}/jobs adds a job (201)', async () => {
      const result = await call(
        server,
        `${EMAILS}/jobs`,
        json({ name: 'welcome', data: { to: 'x@y.z' } }),
      );
      expect(result.status).toBe(201);
      expect(result.body).toMatchObject({
        name: 'welcome',
        state: 'waiting',
        queueId: 'mem:emails',
      });
      const fetched = await call(server, `${EMAILS}/jobs/${result.body.id}`);
      expect(fetched.body.data).toEqual({ to: 'x@y.z' });
    });

    it('POST api/queues/{queueId}/jobs/{jobId}/actions', async () => {
      const retried = await call(server, `${EMAILS}/jobs/2/actions`, json({ type: 'retry' }));
      expect(retried.status).toBe(200);
      expect(retried.body.job).toMatchObject({ id: '2', state: 'waiting' });
      const conflict = await call(server, `${EMAILS}/jobs/1/actions`, json({ type: 'retry' }));
      expectProblem(conflict, 409, 'conflict');
      const added = await call(server, `${EMAILS}/jobs`, json({ name: 'doomed' }));
      const removed = await call(
        server,
        `${EMAILS}/jobs/${added.body.id}/actions`,
        json({ type: 'remove' }),
      );
      expect(removed.body).toEqual({ job: null });
    });

    it('POST api/queues/{queueId}/actions', async () => {
      const paused = await call(
        server,
        '/api/queues/mem%3Areports/actions',
        json({ type: 'resume' }),
      );
      expect(paused.body).toEqual({ affected: 0 });
      const queue = await call(server, '/api/queues/mem%3Areports');
      expect(queue.body.paused).toBe(false);
      const cleaned = await call(
        server,
        '/api/queues/mem%3Areports/actions',
        json({ type: 'clean', state: 'completed' }),
      );
      expect(cleaned.body).toEqual({ affected: 0 });
    });

    it('schedules: POST upserts, GET lists, DELETE removes', async () => {
      const path = '/api/queues/mem%3Areports/schedules';
      const input = { id: 'nightly', jobName: 'build', pattern: '0 3 * * *' };
      const upserted = await call(server, path, json(input));
      expect(upserted.status).toBe(200);
      expect(upserted.body).toMatchObject({
        id: 'nightly',
        queue: 'reports',
        pattern: '0 3 * * *',
      });
      const replaced = await call(
        server,
        path,
        json({ ...input, pattern: undefined, everyMs: 60_000 }),
      );
      expect(replaced.body).toMatchObject({ pattern: null, everyMs: 60_000 });
      expect((await call(server, path)).body).toHaveLength(1);
      const removed = await call(server, `${path}/nightly`, { method: 'DELETE' });
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      expectProblem(await call(server, `${path}/nightly`, { method: 'DELETE' }), 404, 'not-found');
      expectProblem(
        await call(
          server,
          path,
          json({ id: 'both', jobName: 'b', pattern: '* * * * *', everyMs: 5000 }),
        ),
        400,
        'invalid-input',
        'body.pattern',
      );
    });
  });

  describe('problems', () => {
    it('400 names the field at fault', async () => {
      expectProblem(await call(server, `${EMAILS}/jobs`), 400, 'invalid-input', 'query.state');
      expectProblem(
        await call(server, `${EMAILS}/jobs?state=failed&limit=5000`),
        400,
        'invalid-input',
        'query.limit',
      );
      expectProblem(
        await call(server, `${EMAILS}/jobs?state=failed&limit=500`),
        400,
        'invalid-input',
        'query.limit',
      );
      expectProblem(
        await call(server, `${EMAILS}/jobs?state=failed&q=x&in=nope`),
        400,
        'invalid-input',
        'query.in',
      );
      expectProblem(
        await call(server, `${EMAILS}/metrics?range=2h`),
        400,
        'invalid-input',
        'query.range',
      );
      expectProblem(
        await call(server, `${EMAILS}/jobs`, json({ name: '' })),
        400,
        'invalid-input',
        'body.name',
      );
      expectProblem(
        await call(server, `${EMAILS}/jobs/2/actions`, json({ type: 'explode' })),
        400,
        'invalid-input',
        'body.type',
      );
      expectProblem(
        await call(server, `${EMAILS}/jobs`, json([1, 2])),
        400,
        'invalid-input',
        'body',
      );
    });

    it('400 for a body that is empty, not JSON or not UTF-8', async () => {
      const post = (body: string | Uint8Array<ArrayBuffer>) =>
        call(server, `${EMAILS}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
          body,
        });
      expectProblem(await post('{"name":'), 400, 'invalid-input', 'body');
      expectProblem(await post(''), 400, 'invalid-input', 'body');
      expectProblem(await post(new Uint8Array([0x7b, 0xff, 0x7d])), 400, 'invalid-input', 'body');
    });

    it('404 for unknown routes, queues, jobs and ids that cannot be decoded', async () => {
      expectProblem(await call(server, '/api/nope'), 404, 'not-found');
      expectProblem(await call(server, '/api'), 404, 'not-found');
      expectProblem(await call(server, '/api/queues/mem%3Aemails/jobs/1/nope'), 404, 'not-found');
      expectProblem(await call(server, '/api/queues/mem%3Anope'), 404, 'not-found');
      expectProblem(await call(server, '/api/queues/nope%3Aemails'), 404, 'not-found');
      expectProblem(await call(server, '/api/queues/no-colon'), 404, 'not-found');
      expectProblem(await call(server, '/api/queues/mem%3Aemails/jobs/404'), 404, 'not-found');
      expectProblem(await call(server, '/api/queues/mem%3Aemails/jobs/%E0%A4%A'), 404, 'not-found');
      const unknownJob = await call(server, '/api/queues/mem%3Aemails/jobs/404');
      expect(unknownJob.body.instance).toBe('/api/queues/mem%3Aemails/jobs/404');
    });

    it('405 with Allow for a known path and another method', async () => {
      const deleteOverview = await call(server, '/api/overview', { method: 'DELETE' });
      expectProblem(deleteOverview, 405, 'method-not-allowed');
      expect(deleteOverview.headers.get('allow')).toBe('GET, HEAD');
      const putJobs = await call(server, `${EMAILS}/jobs`, json({}, 'PUT'));
      expect(putJobs.status).toBe(405);
      expect(putJobs.headers.get('allow')).toBe('GET, HEAD, POST');
      const getActions = await call(server, `${EMAILS}/actions`);
      expect(getActions.headers.get('allow')).toBe('POST');
      expect((await call(server, '/metrics', { method: 'POST' })).status).toBe(405);
      const postPage = await call(server, '/', { method: 'POST' });
      expect(postPage.status).toBe(405);
      expect(postPage.headers.get('allow')).toBe('GET, HEAD');
    });

    it('413 for a body over the limit, by content-length or while reading', async () => {
      const big = JSON.stringify({ name: 'big', data: 'x'.repeat(8000) });
      expectProblem(
        await call(server, `${EMAILS}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
          body: big,
        }),
        413,
        'payload-too-large',
        'body',
      );
      // Chunked: no content-length, so the limit applies while reading.
      const chunked = await rawRequest(server.origin, `${EMAILS}/jobs`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
          'x-qadmin-csrf': '1',
        },
        body: big,
      });
      expect(chunked.status).toBe(413);
      expect(JSON.parse(chunked.body.toString()).field).toBe('body');
    });

    it('415 naming body for a body that is not JSON', async () => {
      expectProblem(
        await call(server, `${EMAILS}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'x-qadmin-csrf': '1' },
          body: '{}',
        }),
        415,
        'unsupported-media-type',
        'body',
      );
      expectProblem(
        await call(server, `${EMAILS}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-qadmin-csrf': '1' },
          body: 'name=x',
        }),
        415,
        'unsupported-media-type',
        'body',
      );
      const vendorJson = await call(server, `${EMAILS}/jobs`, {
        method: 'POST',
        headers: {
          'content-type': 'application/vnd.api+json; charset=utf-8',
          'x-qadmin-csrf': '1',
        },
        body: JSON.stringify({ name: 'vendor' }),
      });
      expect(vendorJson.status).toBe(201);
    });

    it('501 for what the backend does not support', async () => {
      const basic = '/api/queues/basic%3Aemails';
      const logs = await call(server, `${basic}/jobs/1/logs`);
      expectProblem(logs, 501, 'unsupported');
      expect(logs.body.capability).toBe('logs');
      expectProblem(await call(server, `${basic}/jobs?state=waiting&q=x`), 501, 'unsupported');
      expectProblem(await call(server, `${basic}/jobs`, json({ name: 'x' })), 501, 'unsupported');
      expectProblem(await call(server, `${basic}/schedules`), 501, 'unsupported');
      expectProblem(await call(server, `${basic}/metrics`), 501, 'unsupported');
      expectProblem(await call(server, `${basic}/workers`), 501, 'unsupported');
    });

    it('400 naming query.name for a name filter where jobs are named after their queue', async () => {
      const basic = '/api/queues/basic%3Aemails';
      expectProblem(
        await call(server, `${basic}/jobs?state=waiting&name=send`),
        400,
        'invalid-input',
        'query.name',
      );
      expect((await call(server, `${basic}/jobs?state=waiting`)).status).toBe(200);
      expect((await call(server, `${EMAILS}/jobs?state=waiting&name=send`)).status).toBe(200);
    });

    it('500 without details or stack traces for unexpected errors, logged once', async () => {
      const log = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const list = await call(server, '/api/queues/broken%3Aq/jobs?state=waiting');
        expectProblem(list, 500, 'internal');
        expect(list.text).not.toContain('hunter2');
        const job = await call(server, '/api/queues/broken%3Aq/jobs/1');
        expectProblem(job, 500, 'internal');
        expect(job.text).not.toContain('secret');
        expect(job.body.detail).toBe(list.body.detail);
        expect(log).toHaveBeenCalledTimes(2);
      } finally {
        log.mockRestore();
      }
    });
  });

  describe('HEAD', () => {
    it('answers GET routes with headers and no body', async () => {
      const head = await rawRequest(server.origin, '/api/overview', { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Number(head.headers['content-length'])).toBeGreaterThan(10);
      expect(head.body.byteLength).toBe(0);
      const missing = await rawRequest(server.origin, `${EMAILS}/jobs/404`, { method: 'HEAD' });
      expect(missing.status).toBe(404);
      expect(missing.body.byteLength).toBe(0);
    });
  });

  describe('api/openapi.json', () => {
    it('is an OpenAPI 3.1 document listing every route of the table', async () => {
      const result = await call(server, '/api/openapi.json');
      expect(result.status).toBe(200);
      const doc = result.body;
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info).toMatchObject({ title: 'qadmin', version: expect.any(String) });
      expect(doc.servers).toEqual([{ url: '/' }]);
      for (const route of apiRoutes) {
        const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
        expect(operation, `${route.method} ${route.path}`).toMatchObject({
          operationId: route.operationId,
        });
        expect(Object.keys(operation.responses)).toContain(String(route.response.status));
        expect(operation.responses['500']).toEqual({
          $ref: '#/components/responses/InternalError',
        });
        const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const documented = (operation.parameters ?? [])
          .filter((p: { in: string }) => p.in === 'path')
          .map((p: { name: string }) => p.name);
        expect(documented).toEqual(pathParams);
        if (route.body) {
          expect(operation.requestBody.content['application/json'].schema).toBeDefined();
          expect(operation.responses['400']).toBeDefined();
        }
      }
      const ids = doc.paths['/api/queues/{queueId}/jobs'].get.parameters.map(
        (p: { name: string }) => p.name,
      );
      expect(ids).toEqual([
        'queueId',
        'state',
        'order',
        'limit',
        'cursor',
        'offset',
        'name',
        'id',
        'q',
        'in',
        'scanLimit',
      ]);
      expect(doc.components.schemas.Problem.properties.field).toBeDefined();
      expect(doc.components.schemas.Overview.properties.queues).toBeDefined();
      expect(doc.components.responses.NotFound.content['application/problem+json'].schema).toEqual({
        $ref: '#/components/schemas/Problem',
      });
      // Every reference resolves inside the document.
      const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
      expect(refs.length).toBeGreaterThan(20);
      for (const ref of refs) {
        const pointer = JSON.parse(`{${ref}}`).$ref as string;
        expect(pointer.startsWith('#/components/')).toBe(true);
        const target = pointer
          .slice(2)
          .split('/')
          .reduce(
            (node: Record<string, unknown> | undefined, key) =>
              node?.[key] as Record<string, unknown>,
            doc,
          );
        expect(target, pointer).toBeDefined();
      }
      // A body with defaults is documented in its input form (fields with defaults not required).
      const bulk =
        doc.paths['/api/queues/{queueId}/actions'].post.requestBody.content['application/json']
          .schema;
      expect(bulk).toEqual({ $ref: '#/components/schemas/BulkAction' });
    });
  });

  describe('metrics (Prometheus)', () => {
    it('exposes the gauges in text format', async () => {
      const result = await call(server, '/metrics');
      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const samples = new Map<string, number>();
      for (const line of result.text.split('\n')) {
        if (line === '' || line.startsWith('#')) continue;
        const match = /^([a-z_]+(?:\{[^}]*\})?) (-?[\d.e+]+|NaN)$/.exec(line);
        expect(match, line).not.toBeNull();
        samples.set(match![1]!, Number(match![2]));
      }
      expect(result.text).toContain('# TYPE qadmin_queue_jobs gauge');
      expect(samples.get('qadmin_backend_up{backend="mem"}')).toBe(1);
      expect(samples.get('qadmin_queue_paused{backend="mem",queue="emails"}')).toBe(0);
      expect(samples.get('qadmin_queue_workers{backend="mem",queue="emails"}')).toBe(1);
      expect(samples.get('qadmin_queue_jobs{backend="mem",queue="emails",state="delayed"}')).toBe(
        1,
      );
      expect(
        [...samples.keys()].some((k) => k.startsWith('qadmin_queue_jobs{backend="basic"')),
      ).toBe(true);
    });
  });
});

describe('backends that cannot answer', () => {
  let server: Served;

  beforeAll(async () => {
    const started = await serve({
      backends: [createDownBackend(), createHangingBackend()],
      backendTimeoutMs: 50,
    });
    opened.push(started);
    server = started.server;
  });

  it('503 for an unreachable backend and for one that times out', async () => {
    const down = await call(server, '/api/queues/down%3Aq');
    expectProblem(down, 503, 'backend-unavailable');
    expect(down.body.backend).toBe('down');
    expect(down.text).not.toContain('6379');
    const slow = await call(server, '/api/queues/slow%3Astuck');
    expectProblem(slow, 503, 'backend-timeout');
  });

  it('reports them in the overview, health and metrics instead of failing', async () => {
    const overview = await call(server, '/api/overview');
    expect(overview.status).toBe(200);
    expect(overview.body.backends.map((b: { ok: boolean }) => b.ok)).toEqual([false, false]);
    expect((await call(server, '/api/health')).body.status).toBe('degraded');
    expect((await call(server, '/metrics')).text).toContain('qadmin_backend_up{backend="down"} 0');
  });

  it('503 for every request once the app is closed', async () => {
    const closing = createAdmin({ ...open, backends: [createFakeBackend()] });
    await closing.close();
    const response = await closing.handle(request('GET', '/api/overview'));
    expect(response.status).toBe(503);
  });
});

describe('read-only dashboards', () => {
  it('403 for mutations', async () => {
    const admin = createAdmin({ ...open, backends: [createFakeBackend()], readOnly: true });
    const response = await admin.handle({
      ...request('POST', '/api/queues/mem%3Aemails/jobs/2/actions'),
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: '{"type":"retry"}',
    });
    expect(response.status).toBe(403);
    expect(JSON.parse(String(response.body))).toMatchObject({
      type: 'https://qadmin.dev/problems/read-only',
    });
    await admin.close();
  });
});

function request(method: string, path: string): QadminRequest {
  return { method, path, basePath: '', query: new URLSearchParams(), headers: {} };
}

describe('handle() directly', () => {
  it('stops reading a streamed body as soon as it passes the limit', async () => {
    const admin = createAdmin({ ...open, backends: [createFakeBackend()], bodyLimitBytes: 100 });
    let pulled = 0;
    let finished = false;
    async function* body() {
      try {
        for (let i = 0; i < 1000; i++) {
          pulled++;
          yield new Uint8Array(40);
        }
      } finally {
        finished = true;
      }
    }
    const response = await admin.handle({
      ...request('POST', '/api/queues/mem%3Aemails/jobs'),
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: body(),
    });
    expect(response.status).toBe(413);
    expect(pulled).toBe(3);
    expect(finished).toBe(true);
    await admin.close();
  });

  it('reads a ReadableStream body and a body the framework already parsed', async () => {
    const admin = createAdmin({ ...open, backends: [createFakeBackend()] });
    const stream = new Blob([JSON.stringify({ name: 'from-stream' })]).stream();
    const streamed = await admin.handle({
      ...request('POST', '/api/queues/mem%3Aemails/jobs'),
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: stream,
    });
    expect(streamed.status).toBe(201);
    const parsed = await admin.handle({
      ...request('POST', '/api/queues/mem%3Aemails/jobs'),
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      parsedBody: { name: 'parsed' },
    });
    expect(parsed.status).toBe(201);
    expect(JSON.parse(String(parsed.body)).name).toBe('parsed');
    await admin.close();
  });

  it('holds a body a host parser read to the same media type and size rules', async () => {
    const admin = createAdmin({ ...open, backends: [createFakeBackend()], bodyLimitBytes: 1000 });
    const post = (headers: Record<string, string>, parsedBody: unknown) =>
      admin.handle({
        ...request('POST', '/api/queues/mem%3Aemails/jobs'),
        headers: { ...headers, 'x-qadmin-csrf': '1' },
        parsedBody,
      });
    // A form decoded by urlencoded() is not JSON input, whatever it parsed to.
    const form = await post({ 'content-type': 'application/x-www-form-urlencoded' }, { name: 'x' });
    expect(form.status).toBe(415);
    const declared = await post(
      { 'content-type': 'application/json', 'content-length': '5000' },
      { name: 'x' },
    );
    expect(declared.status).toBe(413);
    // Chunked: no content-length, so the parsed value is measured as JSON.
    const chunked = await post(
      { 'content-type': 'application/json' },
      { name: 'x', data: 'y'.repeat(2000) },
    );
    expect(chunked.status).toBe(413);
    expect(JSON.parse(String(chunked.body))).toMatchObject({ field: 'body', limit: 1000 });
    await admin.close();
  });

  it('accepts lower-case methods and paths without a leading slash', async () => {
    const admin = createAdmin({ ...open, backends: [createFakeBackend()] });
    const response = await admin.handle(request('get', 'api/health'));
    expect(response.status).toBe(200);
    await admin.close();
  });
});
