/**
 * The plugin next to a host app's own routes, parsers, hooks and handlers,
 * for each Fastify major: what the host configured keeps working for the
 * host's routes, the dashboard's context keeps its own body handling, and
 * the host's hooks see the dashboard's responses too.
 */
import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import fastifyFormbody from '@fastify/formbody';
import { createMemoryBackend } from '@qadmin/backend-memory';
import { createAdmin, type QadminApp } from '@qadmin/core';
import { listenHarness } from '@qadmin/testkit';
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { qadmin } from '../src/index';
import { type FastifyMajor, MAJORS } from './majors';

/** Far below the dashboard's 1 MiB: the host's JSON parser must not apply to the dashboard. */
const HOST_JSON_LIMIT = 256;
const MOUNT = '/admin/queues';
const JOBS = `${MOUNT}/api/queues/${encodeURIComponent('memory:emails')}/jobs`;
const HTML = { accept: 'text/html' };
/** Guards against a hang, not speed requirements. */
const TIMEOUT = { timeout: 15_000 };
const WAIT = { timeout: 5_000, interval: 25 };

interface Host {
  origin: string;
  admin: QadminApp;
  close(): Promise<void>;
}

/** `@fastify/formbody` as the host registers it: at its root. */
function registerFormbody(app: FastifyInstance, { expected }: FastifyMajor): void {
  if (expected >= 5) {
    app.register(fastifyFormbody);
    return;
  }
  // @fastify/formbody 8 declares `fastify: 5.x` (7 is the Fastify 4 line), so
  // register() refuses it; its parser is the same, so run it on the root
  // directly, which is where fastify-plugin would have put it.
  fastifyFormbody(app, {}, (error?: Error) => {
    if (error) throw error;
  });
}

/** A host app with its own JSON parser, formbody, hooks, 404 and error handler, and the dashboard. */
async function startHost(major: FastifyMajor): Promise<Host> {
  const backend = createMemoryBackend({ label: 'host test' });
  backend.queue('emails').add('welcome', { to: 'seed@example.com' });
  const admin = createAdmin({
    unsafeAnonymousWrites: true,
    warn: () => {},
    backends: [backend],
    title: 'Host test',
  });
  const app = major.fastify();

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: HOST_JSON_LIMIT },
    (_request, body, done) => {
      try {
        done(null, { parsedBy: 'host', value: JSON.parse(body as string) });
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  registerFormbody(app, major);
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers['x-deny'] === 'yes') return reply.code(403).send('host says no');
  });
  // A request-body decoder: the dashboard must read what it yields, not the raw socket.
  app.addHook('preParsing', async (request, _reply, payload) =>
    request.headers['content-encoding'] === 'gzip' ? payload.pipe(createGunzip()) : payload,
  );
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-host-on-send', 'seen');
    return payload;
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).type('text/plain').send('host app: not found');
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    reply
      .code(error.statusCode ?? 500)
      .type('text/plain')
      .send(`host error handler: ${error.message}`);
  });

  app.post('/echo', async (request) => ({ body: request.body }));
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  app.register(qadmin(admin), { prefix: MOUNT });
  const tenant: FastifyPluginCallback = (instance, _options, done) => {
    instance.get('/home', async () => ({ tenant: true }));
    instance.register(qadmin(admin), { prefix: '/queues' });
    done();
  };
  app.register(tenant, { prefix: '/tenant' });
  app.register(qadmin(admin), { prefix: '/tenants/:tenant/queues' });

  await app.ready();
  const harness = await listenHarness(app.server, '');
  return {
    origin: harness.url,
    admin,
    async close() {
      await harness.close();
      await app.close();
      await admin.close();
    },
  };
}

function postJson(url: string, body: unknown) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
    body: JSON.stringify(body),
  });
}

/** Reads a `text/event-stream` body event by event. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async (wanted: (event: string, data: string) => boolean): Promise<string> => {
    for (;;) {
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data !== undefined && wanted(event, data)) return data;
      }
      const { done, value } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

for (const major of MAJORS) {
  describe(`next to a host app (fastify ${major.version})`, TIMEOUT, () => {
    let host: Host;
    const at = (path: string) => `${host.origin}${path}`;
    beforeAll(async () => {
      host = await startHost(major);
    }, TIMEOUT.timeout);
    afterAll(async () => {
      await host?.close();
    }, TIMEOUT.timeout);

    it("parses the host's own routes with the host's JSON parser and formbody", async () => {
      const json = await postJson(at('/echo'), { hello: 'host' });
      expect(json.status).toBe(200);
      expect(await json.json()).toEqual({ body: { parsedBy: 'host', value: { hello: 'host' } } });

      const form = await fetch(at('/echo'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-qadmin-csrf': '1' },
        body: 'a=1&b=two',
      });
      expect(form.status).toBe(200);
      expect(await form.json()).toEqual({ body: { a: '1', b: 'two' } });

      const tooLarge = await postJson(at('/echo'), { text: 'x'.repeat(HOST_JSON_LIMIT) });
      expect(tooLarge.status).toBe(413);
      expect(await tooLarge.text()).toMatch(/^host error handler: /);
    });

    it("reads the dashboard's JSON bodies itself, beyond the host parser's limit", async () => {
      const data = { to: 'ada@example.com', note: 'ü'.repeat(HOST_JSON_LIMIT * 4) };
      const created = await postJson(at(JOBS), { name: 'welcome', data });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const stored = await fetch(at(`${JOBS}/${encodeURIComponent(id)}`));
      expect(((await stored.json()) as { data: unknown }).data).toEqual(data);
    });

    it("reads the dashboard's body after the host's preParsing hooks", async () => {
      const body = await promisify(gzip)(JSON.stringify({ name: 'zipped', data: { n: 1 } }));
      const created = await fetch(at(JOBS), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-qadmin-csrf': '1',
          'content-encoding': 'gzip',
        },
        body,
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ name: 'zipped', data: { n: 1 } });
    });

    it('answers a form-encoded POST to the dashboard with its own 415', async () => {
      const response = await fetch(at(JOBS), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-qadmin-csrf': '1' },
        body: 'name=welcome',
      });
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 415, field: 'body' });
    });

    it("runs the host's hooks, not-found and error handlers for the host's routes", async () => {
      const own = await postJson(at('/echo'), {});
      expect(own.headers.get('x-host-on-send')).toBe('seen');
      const denied = await fetch(at('/echo'), { method: 'POST', headers: { 'x-deny': 'yes' } });
      expect(denied.status).toBe(403);

      const missing = await fetch(at('/nope'));
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe('host app: not found');
      const outside = await fetch(at(`${MOUNT}-other/api/overview`));
      expect(await outside.text()).toBe('host app: not found');

      const boom = await fetch(at('/boom'));
      expect(boom.status).toBe(500);
      expect(await boom.text()).toBe('host error handler: boom');
    });

    it("runs the host's hooks for the dashboard too", async () => {
      const overview = await fetch(at(`${MOUNT}/api/overview`));
      expect(overview.status).toBe(200);
      expect(overview.headers.get('x-host-on-send')).toBe('seen');
      const denied = await fetch(at(`${MOUNT}/api/overview`), { headers: { 'x-deny': 'yes' } });
      expect(denied.status).toBe(403);
      expect(await denied.text()).toBe('host says no');
    });

    it("answers an unknown dashboard API path with the dashboard's 404, not the host's", async () => {
      for (const method of ['GET', 'POST']) {
        const response = await fetch(at(`${MOUNT}/api/nope`), { method });
        expect(response.status).toBe(404);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await response.json()).toMatchObject({ status: 404, instance: `${MOUNT}/api/nope` });
      }
    });

    it('takes the mount point from nested registration and prefix params', async () => {
      const mounts = [
        ['/tenant/queues', '/tenant/queues'],
        ['/tenants/acme/queues', '/tenants/:tenant/queues'],
      ];
      for (const [mount] of mounts) {
        const page = await fetch(at(`${mount}/`), { headers: HTML });
        expect(page.status).toBe(200);
        expect(await page.text()).toContain(`<base href="${mount}/">`);
        const overview = await fetch(at(`${mount}/api/overview`));
        expect(overview.status).toBe(200);
        const { queues } = (await overview.json()) as { queues: { name: string }[] };
        expect(queues.map((q) => q.name)).toContain('emails');
      }
      expect(await (await fetch(at('/tenant/home'))).json()).toEqual({ tenant: true });
      expect(await (await fetch(at('/tenant/other'))).text()).toBe('host app: not found');
    });

    it('streams events as they happen and frees the stream when the client leaves', async () => {
      await vi.waitFor(() => expect(host.admin.service.subscriberCount).toBe(0), WAIT);
      const client = new AbortController();
      const response = await fetch(at(`${MOUNT}/api/events`), {
        headers: { accept: 'text/event-stream' },
        signal: client.signal,
      });
      try {
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const next = eventReader(response.body!);
        await next((event) => event === 'overview');
        expect(host.admin.service.subscriberCount).toBe(1);

        const created = await postJson(at(JOBS), { name: 'while-streaming' });
        const { id } = (await created.json()) as { id: string };
        const action = await next((event, data) => event === 'action' && data.includes(id));
        expect(JSON.parse(action)).toMatchObject({ type: 'action', action: 'add', jobId: id });
      } finally {
        client.abort();
      }
      await vi.waitFor(() => expect(host.admin.service.subscriberCount).toBe(0), WAIT);
    });
  });

  describe(`closing the host app (fastify ${major.version})`, TIMEOUT, () => {
    it('app.close() ends open event streams instead of waiting for them', async () => {
      const admin = createAdmin({
        unsafeAnonymousWrites: true,
        warn: () => {},
        backends: [createMemoryBackend()],
      });
      try {
        const app = major.fastify();
        app.register(qadmin(admin), { prefix: MOUNT });
        const origin = await app.listen({ port: 0, host: '127.0.0.1' });
        const response = await fetch(`${origin}${MOUNT}/api/events`, {
          headers: { accept: 'text/event-stream' },
        });
        const next = eventReader(response.body!);
        await next((event) => event === 'overview');
        expect(admin.service.subscriberCount).toBe(1);

        await app.close();
        await expect(next(() => false)).rejects.toThrow();
        await vi.waitFor(() => expect(admin.service.subscriberCount).toBe(0), WAIT);
      } finally {
        await admin.close();
      }
    });
  });
}
