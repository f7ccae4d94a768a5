import { fileURLToPath } from 'node:url';
import { type SpawnedApp, spawnApp } from '@qadmin/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const server = fileURLToPath(new URL('./server.js', import.meta.url));

describe('apps/example-fastify', () => {
  let app: SpawnedApp;
  beforeAll(async () => {
    app = await spawnApp(server);
  }, 25_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('serves the dashboard page and the overview under /admin/queues', async () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/queues\/$/);
    const page = await fetch(app.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/admin/queues/"');
    const overview = await fetch(new URL('api/overview', app.url));
    expect(overview.status).toBe(200);
    const body = (await overview.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name)).toContain('emails');
  });

  it("keeps the app's own routes and body parser working", async () => {
    const signup = await fetch(new URL('/signup', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com' }),
    });
    expect(signup.status).toBe(202);
    const { queued } = (await signup.json()) as { queued: string };
    const job = await fetch(new URL(`api/queues/memory%3Aemails/jobs/${queued}`, app.url));
    expect(((await job.json()) as { data: unknown }).data).toEqual({ to: 'ada@example.com' });
  });

  it("reads the dashboard's request bodies itself, beyond the app's bodyLimit", async () => {
    const note = 'x'.repeat(32 * 1024);
    const created = await fetch(new URL('api/queues/memory%3Aemails/jobs', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'welcome', data: { to: 'big@example.com', note } }),
    });
    expect(created.status).toBe(201);
    const tooLarge = await fetch(new URL('/signup', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'big@example.com', note }),
    });
    expect(tooLarge.status).toBe(413);
  });

  it('stops cleanly on SIGTERM, even with the dashboard open in a tab', async () => {
    const events = await fetch(new URL('api/events', app.url), {
      headers: { accept: 'text/event-stream' },
    });
    expect(events.status).toBe(200);
    const reader = events.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    expect(await app.stop()).toBe(0);
    await reader.cancel().catch(() => {});
  });
});
