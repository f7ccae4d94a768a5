/**
 * @qadmin/koa inside a typical host app, per Koa major and per way of
 * mounting (a plain `app.use` with `basePath`, a `@koa/router` route): its
 * body parser runs first, a middleware post-processes every response after
 * `await next()`, and the host's own routes, error middleware and 404 keep
 * working next to the dashboard. Real HTTP on a free port.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import { createMemoryBackend } from '@qadmin/backend-memory';
import { createAdmin, type QadminApp } from '@qadmin/core';
import { listenHarness } from '@qadmin/testkit';
import type Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { qadmin } from '../src/index';
import { KOA_MAJORS, majorOf } from './majors';

const MOUNT = '/admin/queues';
const EMAILS = 'memory%3Aemails';
/** A guard against a hanging server, not a speed requirement. */
const TIMEOUT_MS = 15_000;

type Mounting = 'app.use' | '@koa/router';

interface Host {
  origin: string;
  admin: QadminApp;
  backend: ReturnType<typeof createMemoryBackend>;
  /** What reached the app's 'error' event (errors no middleware handled). */
  appErrors: unknown[];
  close(): Promise<void>;
}

async function startHost(KoaApp: typeof Koa, mounting: Mounting): Promise<Host> {
  const backend = createMemoryBackend({ label: 'host test' });
  backend.queue('emails');
  const admin = createAdmin({
    unsafeAnonymousWrites: true,
    warn: () => {},
    backends: [backend],
    title: 'Host test',
  });
  const appErrors: unknown[] = [];
  const app = new KoaApp();
  app.on('error', (error) => appErrors.push(error));
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = 500;
      ctx.type = 'text/plain';
      ctx.body = `host error handler: ${(error as Error).message}`;
    }
  });
  app.use(async (ctx, next) => {
    await next();
    ctx.set('x-host-after', 'seen');
    // What koa-compress would read: `false` keeps it from holding a response back.
    ctx.set('x-host-compress', String(ctx.compress));
  });
  app.use(bodyParser());

  const echo = (ctx: Koa.Context) => {
    ctx.body = { received: ctx.request.body };
  };
  const boom = () => {
    throw new Error('boom');
  };
  if (mounting === 'app.use') {
    app.use(qadmin(admin, { basePath: MOUNT }));
    app.use(async (ctx, next) => {
      if (ctx.method === 'POST' && ctx.path === '/echo') return echo(ctx);
      if (ctx.path === '/boom') return boom();
      await next();
    });
  } else {
    const router = new Router();
    router.all(`${MOUNT}{/*rest}`, qadmin(admin, { basePath: MOUNT }));
    router.post('/echo', echo);
    router.get('/boom', boom);
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use((ctx) => {
    ctx.status = 404;
    ctx.type = 'text/plain';
    ctx.body = 'host app: not found';
  });

  const harness = await listenHarness(createServer(app.callback()), '');
  return {
    origin: harness.url,
    admin,
    backend,
    appErrors,
    async close() {
      await harness.close();
      await admin.close();
    },
  };
}

interface SseEvent {
  event: string;
  data: string;
}

/** An event stream read with fetch, event by event as the bytes arrive. */
async function openEvents(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffer = '';
  return {
    response,
    /** Reads until an event matches; fails if the stream ends first. */
    async waitFor(predicate: (event: SseEvent) => boolean): Promise<SseEvent> {
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        const { done, value } = await reader.read();
        if (done) throw new Error(`the stream ended; got ${events.map((e) => e.event)}`);
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            lines
              .filter((l) => l.startsWith(`${name}:`))
              .map((l) => l.slice(name.length + 1).trim());
          const data = field('data');
          if (data.length > 0)
            events.push({ event: field('event')[0] ?? 'message', data: data.join('\n') });
        }
      }
    },
    abort: () => controller.abort(),
  };
}

for (const { major, version, Koa: KoaApp } of KOA_MAJORS) {
  it(`koa-v${major} resolves to Koa ${major}`, () => {
    expect(majorOf(version)).toBe(major);
  });

  for (const mounting of ['app.use', '@koa/router'] as const) {
    describe(`koa ${version}, dashboard mounted with ${mounting}`, () => {
      let host: Host;
      const at = (path: string) => `${host.origin}${path}`;
      beforeAll(async () => {
        host = await startHost(KoaApp, mounting);
      });
      afterAll(() => host?.close());

      it('serves the page at the mount path, with and without the trailing slash', async () => {
        for (const path of [`${MOUNT}/`, MOUNT]) {
          const page = await fetch(at(path), { headers: { accept: 'text/html' } });
          expect(page.status, path).toBe(200);
          expect(await page.text()).toContain(`<base href="${MOUNT}/">`);
        }
      });

      it('takes a JSON job that the body parser already read, intact', async () => {
        const data = { to: 'zoë@example.com', note: '東京 😀 "quoted" \\ <b>&amp;</b>' };
        const added = await fetch(at(`${MOUNT}/api/queues/${EMAILS}/jobs`), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
          body: JSON.stringify({ name: 'send', data }),
        });
        expect(added.status, await added.clone().text()).toBe(201);
        const { id } = (await added.json()) as { id: string };
        const job = await fetch(at(`${MOUNT}/api/queues/${EMAILS}/jobs/${encodeURIComponent(id)}`));
        expect(((await job.json()) as { data: unknown }).data).toStrictEqual(data);
      });

      it("answers a form the body parser decoded with core's 415", async () => {
        const response = await fetch(at(`${MOUNT}/api/queues/${EMAILS}/jobs`), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-qadmin-csrf': '1' },
          body: 'name=send',
        });
        expect(response.status).toBe(415);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      });

      it("leaves the host's own JSON route its parsed body", async () => {
        const response = await fetch(at('/echo'), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
          body: JSON.stringify({ hello: 'host' }),
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ received: { hello: 'host' } });
      });

      it('lets a host middleware post-process dashboard responses after next()', async () => {
        for (const path of [`${MOUNT}/api/overview`, `${MOUNT}/`, `${MOUNT}/api/nope`]) {
          const response = await fetch(at(path));
          await response.arrayBuffer();
          expect(response.headers.get('x-host-after'), path).toBe('seen');
          expect(response.headers.get('x-host-compress'), path).toBe('undefined');
        }
      });

      it("keeps the host's error middleware and 404, and the dashboard's own 404", async () => {
        const boom = await fetch(at('/boom'));
        expect(boom.status).toBe(500);
        expect(await boom.text()).toBe('host error handler: boom');

        const missing = await fetch(at('/nope'));
        expect(missing.status).toBe(404);
        expect(await missing.text()).toBe('host app: not found');

        const unknownApi = await fetch(at(`${MOUNT}/api/nope`));
        expect(unknownApi.status).toBe(404);
        expect(unknownApi.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await unknownApi.json()).toMatchObject({
          status: 404,
          instance: `${MOUNT}/api/nope`,
        });
      });

      it('answers HEAD on the event stream without announcing a length', async () => {
        const response = await fetch(at(`${MOUNT}/api/events`), { method: 'HEAD' });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
        expect(response.headers.get('content-length')).toBeNull();
      });

      it(
        'streams an event as soon as a job is added, and ends when the client leaves',
        async () => {
          const stream = await openEvents(at(`${MOUNT}/api/events`));
          try {
            expect(stream.response.status).toBe(200);
            expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
            expect(stream.response.headers.get('x-host-after')).toBe('seen');
            expect(stream.response.headers.get('x-host-compress')).toBe('false');
            await stream.waitFor((e) => e.event === 'overview');
            expect(host.admin.service.subscriberCount).toBe(1);

            const { id } = host.backend.queue('emails').add('send', { to: 'live@example.com' });
            // The stream is still open: the event was written as it happened, not at the end.
            await stream.waitFor((e) => e.event === 'job' && JSON.parse(e.data).jobId === id);
          } finally {
            stream.abort();
          }
          await vi.waitFor(() => expect(host.admin.service.subscriberCount).toBe(0), {
            timeout: TIMEOUT_MS / 3,
          });
          // A tab that closes is how an event stream normally ends, not an app error.
          expect(host.appErrors).toEqual([]);
        },
        TIMEOUT_MS,
      );
    });
  }

  describe(`koa ${version}, @koa/router with a prefix`, () => {
    it('answers at the prefixed path, with links for it', async () => {
      const admin = createAdmin({
        unsafeAnonymousWrites: true,
        warn: () => {},
        backends: [createMemoryBackend()],
      });
      const app = new KoaApp();
      const router = new Router({ prefix: '/ops' });
      router.all('/queues{/*rest}', qadmin(admin, { basePath: '/ops/queues' }));
      app.use(router.routes());
      const harness = await listenHarness(createServer(app.callback()), '/ops/queues');
      try {
        const page = await fetch(`${harness.url}/`, { headers: { accept: 'text/html' } });
        expect(await page.text()).toContain('<base href="/ops/queues/">');
        const overview = await fetch(`${harness.url}/api/overview`);
        expect(overview.status).toBe(200);
      } finally {
        await harness.close();
        await admin.close();
      }
    });
  });
}
