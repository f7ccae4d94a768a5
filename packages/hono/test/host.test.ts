/**
 * The dashboard inside a host app: the host's middleware, body reading,
 * notFound and onError keep working; the mount point may hold params; ids
 * stay percent-encoded; event streams flow and end; and the sub-app answers
 * through `app.request()` with no server at all (fetch-native).
 */
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createMemoryBackend, type MemoryBackend } from '@qadmin/backend-memory';
import { createAdmin, type QadminApp } from '@qadmin/core';
import { listenHarness } from '@qadmin/testkit';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { qadmin } from '../src/index';

const SLASHED_JOB_ID = 'invoice/2024-7';
const TIMEOUT = { timeout: 10_000 };

let backend: MemoryBackend;
let admin: QadminApp;
let app: Hono<{ Variables: { jsonBody: unknown } }>;
let origin: string;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  backend = createMemoryBackend({ label: 'memory' });
  backend.queue('emails').add('welcome', { to: 'ada@example.com' }, { jobId: SLASHED_JOB_ID });
  admin = createAdmin({ unsafeAnonymousWrites: true, warn: () => {}, backends: [backend] });

  app = new Hono<{ Variables: { jsonBody: unknown } }>();
  app.use('*', async (c, next) => {
    c.header('x-host-before', 'yes');
    await next();
    c.header('x-host-after', 'yes');
  });
  // Reads every JSON body, the dashboard's too: Hono keeps what it read.
  app.use('*', async (c, next) => {
    if (c.req.header('content-type')?.startsWith('application/json')) {
      c.set('jsonBody', await c.req.json().catch(() => 'malformed'));
    }
    await next();
  });
  app.post('/signup', async (c) =>
    c.json({ seen: c.get('jsonBody'), again: await c.req.json() }, 201),
  );
  app.get('/boom', () => {
    throw new Error('kaboom');
  });
  app.route('/admin/queues', qadmin(admin));
  app.route('/t/:tenant/queues', qadmin(admin));
  app.notFound((c) => c.text('host app: not found', 404));
  app.onError((error, c) => c.text(`host error handler: ${error.message}`, 500));

  const harness = await listenHarness(createAdaptorServer({ fetch: app.fetch }) as Server, '');
  origin = harness.url;
  closeServer = harness.close;
});

afterAll(async () => {
  await closeServer?.();
  await admin?.close();
});

function postJson(path: string, body: string): Promise<Response> {
  return fetch(`${origin}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-qadmin-csrf': '1',
      accept: 'application/json',
    },
    body,
  });
}

describe('next to the host app', () => {
  it("keeps the host's header middleware on the dashboard's answers and its own", async () => {
    for (const path of ['/admin/queues/api/overview', '/nowhere']) {
      const response = await fetch(`${origin}${path}`);
      await response.arrayBuffer();
      expect(response.headers.get('x-host-before'), path).toBe('yes');
      expect(response.headers.get('x-host-after'), path).toBe('yes');
    }
  });

  it("keeps the host's JSON routes working, and the dashboard gets a body the host already read", async () => {
    const signup = await postJson('/signup', JSON.stringify({ email: 'ada@example.com' }));
    expect(signup.status).toBe(201);
    expect(await signup.json()).toEqual({
      seen: { email: 'ada@example.com' },
      again: { email: 'ada@example.com' },
    });

    const data = { to: 'grace@example.com', note: 'Ω € 東京 <b>&amp;</b>' };
    const added = await postJson(
      '/admin/queues/api/queues/memory%3Aemails/jobs',
      JSON.stringify({ name: 'welcome', data }),
    );
    expect(added.status).toBe(201);
    expect(((await added.json()) as { data: unknown }).data).toEqual(data);
  });

  it('leaves malformed and oversized bodies the host already read to the dashboard', async () => {
    const malformed = await postJson('/admin/queues/api/queues/memory%3Aemails/jobs', '{"name":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await malformed.json()).toMatchObject({ field: 'body' });

    const huge = JSON.stringify({ name: 'big', data: 'x'.repeat(1024 * 1024 + 1) });
    const tooLarge = await postJson('/admin/queues/api/queues/memory%3Aemails/jobs', huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    await tooLarge.arrayBuffer();
  });

  it("keeps the host's notFound and onError for its own routes; the dashboard answers its own 404", async () => {
    const missing = await fetch(`${origin}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('host app: not found');

    const boom = await fetch(`${origin}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.text()).toBe('host error handler: kaboom');

    const unknown = await fetch(`${origin}/admin/queues/api/no-such-thing`, {
      headers: { accept: 'application/json' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await unknown.json()).toMatchObject({ status: 404 });
  });
});

describe('mount points', () => {
  it('serves the page at the mount point with and without the trailing slash', async () => {
    for (const path of ['/admin/queues', '/admin/queues/']) {
      const page = await fetch(`${origin}${path}`, { headers: { accept: 'text/html' } });
      expect(page.status, path).toBe(200);
      expect(await page.text(), path).toContain('<base href="/admin/queues/"');
    }
  });

  it('follows a param in the mount path (/t/:tenant/queues)', async () => {
    const page = await fetch(`${origin}/t/acme/queues/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/t/acme/queues/"');

    const overview = await fetch(`${origin}/t/acme/queues/api/overview`);
    expect(overview.status).toBe(200);
    const body = (await overview.json()) as { queues: { id: string }[] };
    expect(body.queues.map((q) => q.id)).toContain('memory:emails');
  });

  it('keeps a param that needs percent-encoding encoded in the base href', async () => {
    const page = await fetch(`${origin}/t/caf%C3%A9%20bar/queues/`, {
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/t/caf%C3%A9%20bar/queues/"');
  });

  it('hands core a job id containing `/` still encoded (%2F), under a plain and a param mount', async () => {
    const encoded = encodeURIComponent(SLASHED_JOB_ID);
    expect(encoded).toContain('%2F');
    for (const mount of ['/admin/queues', '/t/acme/queues']) {
      const response = await fetch(`${origin}${mount}/api/queues/memory%3Aemails/jobs/${encoded}`);
      expect(response.status, mount).toBe(200);
      expect(await response.json(), mount).toMatchObject({
        id: SLASHED_JOB_ID,
        data: { to: 'ada@example.com' },
      });
    }
  });
});

describe('event streams over @hono/node-server', () => {
  it('delivers an event once a job is added, and ends on the server when the client aborts', async () => {
    const client = new AbortController();
    const response = await fetch(`${origin}/admin/queues/api/events`, {
      headers: { accept: 'text/event-stream' },
      signal: client.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = readEvents(response.body!);
    try {
      expect((await events.next((e) => e.event === 'overview')).event).toBe('overview');
      expect(admin.service.subscriberCount).toBe(1);

      const job = backend.queue('emails').add('welcome', { to: 'linus@example.com' });
      const event = await events.next((e) => e.data.includes(`"jobId":"${job.id}"`));
      expect(JSON.parse(event.data)).toMatchObject({ queueId: 'memory:emails', jobId: job.id });
    } finally {
      client.abort();
    }
    await vi.waitFor(() => expect(admin.service.subscriberCount).toBe(0), TIMEOUT);
  });
});

describe('without a server (fetch-native)', () => {
  it('answers app.request() with the page, the API and a stream', async () => {
    const page = await app.request('/admin/queues', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/admin/queues/"');

    const job = await app.request(
      `/t/acme/queues/api/queues/memory%3Aemails/jobs/${encodeURIComponent(SLASHED_JOB_ID)}`,
    );
    expect(await job.json()).toMatchObject({ id: SLASHED_JOB_ID });

    const client = new AbortController();
    const stream = await app.request('/admin/queues/api/events', {
      headers: { accept: 'text/event-stream' },
      signal: client.signal,
    });
    const events = readEvents(stream.body!);
    expect((await events.next(() => true)).event).toBe('overview');
    client.abort();
    await vi.waitFor(() => expect(admin.service.subscriberCount).toBe(0), TIMEOUT);
  });

  it("sends a body the host consumed through c.req.raw (which Hono cannot keep) to the host's onError", async () => {
    const host = new Hono();
    host.use('*', async (c, next) => {
      await c.req.raw.text();
      await next();
    });
    host.route('/admin/queues', qadmin(admin));
    host.onError((error, c) => c.text(`host error handler: ${error.message}`, 500));
    const response = await host.request('/admin/queues/api/queues/memory%3Aemails/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: JSON.stringify({ name: 'lost' }),
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/^host error handler: /);
  });
});

interface SseEvent {
  event: string;
  data: string;
}

/** Reads Server-Sent Events off `body` as they arrive. */
function readEvents(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const received: SseEvent[] = [];
  let buffer = '';
  return {
    /** The next event that matches (those before it are dropped), waiting for more bytes as needed. */
    async next(matches: (event: SseEvent) => boolean): Promise<SseEvent> {
      for (;;) {
        const index = received.findIndex(matches);
        if (index !== -1) return received.splice(0, index + 1)[index]!;
        received.length = 0;
        const { done, value } = await reader.read();
        if (done) throw new Error('the event stream ended first');
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .filter((line) => line.startsWith(`${name}:`))
              .map((line) => line.slice(name.length + 1).trimStart());
          const data = field('data');
          if (data.length > 0)
            received.push({ event: field('event')[0] ?? 'message', data: data.join('\n') });
        }
      }
    },
  };
}
