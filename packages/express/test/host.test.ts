/**
 * The dashboard inside a real Express app, once per major: next to the host's
 * body parsers (run before the dashboard, the common case), its routes, a
 * catch-all 404 and an error handler, and under a nested router with params.
 */
import { createServer } from 'node:http';
import { createMemoryBackend } from '@qadmin/backend-memory';
import { createAdmin, type QadminApp } from '@qadmin/core';
import { type AdapterHarness, listenHarness } from '@qadmin/testkit';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qadmin } from '../src/index';

const JOBS = 'admin/queues/api/queues/memory%3Aemails/jobs';

function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return response.json() as Promise<{ status: number; field?: string }>;
}

describe('next to a host app whose body parsers run first', () => {
  let admin: QadminApp;
  let server: AdapterHarness;
  const hostErrors: string[] = [];
  const url = (path: string) => `${server.url}/${path}`;

  beforeAll(async () => {
    const backend = createMemoryBackend();
    backend.queue('emails');
    admin = createAdmin({ unsafeAnonymousWrites: true, warn: () => {}, backends: [backend] });
    const app = express();
    app.use(express.json({ limit: '5mb' }));
    app.use(express.urlencoded({ extended: false }));
    app.use(express.text());
    app.post('/echo', (req, res) => {
      res.json({ received: req.body });
    });
    app.get('/boom', () => {
      throw new Error('host route failed');
    });
    app.use('/admin/queues', qadmin(admin));
    app.use((_req, res) => {
      res.status(404).type('text/plain').send('host app: not found');
    });
    app.use(
      (
        error: Error & { status?: number },
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        hostErrors.push(error.message);
        res
          .status(error.status ?? 500)
          .type('text/plain')
          .send(`host error handler: ${error.message}`);
      },
    );
    server = await listenHarness(createServer(app), '');
  });
  afterAll(async () => {
    await server.close();
    await admin.close();
  });

  it('takes a JSON job the host parser already read, intact', async () => {
    const data = { to: 'ada@example.com', note: 'ünïcødé ✓', nested: { list: [1, 2, 3] } };
    const response = await fetch(url(JOBS), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: JSON.stringify({ name: 'welcome', data }),
    });
    expect(response.status).toBe(201);
    const job = (await response.json()) as { id: string };
    const stored = await fetch(url(`${JOBS}/${encodeURIComponent(job.id)}`));
    expect(((await stored.json()) as { data: unknown }).data).toEqual(data);
  });

  it('refuses a form the host decoded, and text, with 415 (not JSON input)', async () => {
    const form = await fetch(url(JOBS), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-qadmin-csrf': '1' },
      body: 'name=welcome',
    });
    expect(form.status).toBe(415);
    expect(await problemOf(form)).toMatchObject({ status: 415, field: 'body' });
    const text = await fetch(url(JOBS), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-qadmin-csrf': '1' },
      body: '{"name":"welcome"}',
    });
    expect(text.status).toBe(415);
  });

  it("applies core's 1 MiB limit to a body the host parser accepted", async () => {
    const response = await fetch(url(JOBS), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: JSON.stringify({ name: 'big', data: { blob: 'x'.repeat(2 * 1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
    expect(await problemOf(response)).toMatchObject({ status: 413, field: 'body' });
  });

  it("leaves the host's routes, 404 and error handler alone", async () => {
    const echo = await fetch(url('echo'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: '{"a":1}',
    });
    expect(await echo.json()).toEqual({ received: { a: 1 } });
    const missing = await fetch(url('nowhere'));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('host app: not found');
    const boom = await fetch(url('boom'));
    expect(boom.status).toBe(500);
    expect(hostErrors).toContain('host route failed');
  });

  it("answers its own unknown paths with its problem+json 404, not the host's", async () => {
    const errorsBefore = hostErrors.length;
    const response = await fetch(url('admin/queues/api/nope'));
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({ status: 404 });
    expect(hostErrors.length).toBe(errorsBefore);
  });

  it("leaves malformed JSON rejected by the host's parser to the host's error handler", async () => {
    // The host's parser runs first and fails first: documented in the README
    // (mount the dashboard before the parser to get qadmin's problem+json).
    const response = await fetch(url(JOBS), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: '{"name":',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^host error handler/);
  });
});

describe('under a nested router with params', () => {
  let admin: QadminApp;
  let server: AdapterHarness;

  beforeAll(async () => {
    const backend = createMemoryBackend();
    backend.queue('emails');
    admin = createAdmin({ unsafeAnonymousWrites: true, warn: () => {}, backends: [backend] });
    const tenant = express.Router({ mergeParams: true });
    tenant.use('/queues', qadmin(admin));
    const app = express();
    app.use('/t/:tenant', tenant);
    server = await listenHarness(createServer(app), '');
  });
  afterAll(async () => {
    await server.close();
    await admin.close();
  });

  it('links the page to the mount path the browser sees', async () => {
    const page = await fetch(`${server.url}/t/acme/queues/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/t/acme/queues/"');
    const overview = await fetch(`${server.url}/t/acme/queues/api/overview`);
    expect(overview.status).toBe(200);
    const body = (await overview.json()) as { queues: { id: string }[] };
    expect(body.queues.map((q) => q.id)).toEqual(['memory:emails']);
  });
});
