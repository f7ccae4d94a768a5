import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAdmin, type QadminApp } from './admin';
import { normalizeBasePath, stripBasePath } from './base-path';
import { createFetchHandler } from './fetch';
import { createFakeBackend } from './test-support';

let admin: QadminApp;
afterEach(async () => {
  await admin?.close();
});

function setup() {
  admin = createAdmin({
    unsafeAnonymousWrites: true,
    warn: () => {},
    backends: [createFakeBackend()],
    bodyLimitBytes: 1024,
  });
  return createFetchHandler(admin, { basePath: '/admin/queues/' });
}

const BASE = 'http://dashboard.test/admin/queues';

describe('createFetchHandler under a prefix', () => {
  it('answers the API below the prefix and 404 outside it', async () => {
    const handler = setup();
    const overview = await handler(new Request(`${BASE}/api/overview`));
    expect(overview.status).toBe(200);
    expect(overview.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await overview.json()).queues).toHaveLength(2);
    const job = await handler(new Request(`${BASE}/api/queues/mem%3Aemails/jobs/a%2Fb`));
    expect((await job.json()).id).toBe('a/b');
    const outside = await handler(new Request('http://dashboard.test/api/overview'));
    expect(outside.status).toBe(404);
    expect(outside.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(
      (await handler(new Request('http://dashboard.test/admin/queuesX/api/overview'))).status,
    ).toBe(404);
  });

  it('serves the page at the prefix itself and with a trailing slash', async () => {
    const handler = setup();
    for (const url of [BASE, `${BASE}/`]) {
      const page = await handler(new Request(url));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<base href="/admin/queues/">');
    }
    const page = await handler(new Request(`${BASE}/`));
    const etag = page.headers.get('etag')!;
    const notModified = await handler(
      new Request(`${BASE}/`, { headers: { 'if-none-match': etag } }),
    );
    expect(notModified.status).toBe(304);
  });

  it('reads request bodies as streams, with the limit', async () => {
    const handler = setup();
    const post = (body: string) =>
      handler(
        new Request(`${BASE}/api/queues/mem%3Aemails/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
          body,
        }),
      );
    const added = await post(JSON.stringify({ name: 'via-fetch' }));
    expect(added.status).toBe(201);
    const tooLarge = await post(JSON.stringify({ name: 'x', data: 'y'.repeat(2000) }));
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).field).toBe('body');
    const removed = await handler(
      new Request(`${BASE}/api/queues/mem%3Areports/schedules/none`, {
        method: 'DELETE',
        headers: { 'x-qadmin-csrf': '1' },
      }),
    );
    expect(removed.status).toBe(404);
  });

  it('answers HEAD without a body', async () => {
    const handler = setup();
    const head = await handler(new Request(`${BASE}/api/health`, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
  });

  it('streams events and stops when the request signal aborts', async () => {
    const handler = setup();
    const controller = new AbortController();
    const response = await handler(
      new Request(`${BASE}/api/events`, { signal: controller.signal }),
    );
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('event: overview');
    expect(admin.service.subscriberCount).toBe(1);
    controller.abort();
    expect((await reader.read()).done).toBe(true);
    expect(admin.service.subscriberCount).toBe(0);
  });

  it('stops streaming when the consumer cancels', async () => {
    const handler = setup();
    const response = await handler(new Request(`${BASE}/api/events`));
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await vi.waitFor(() => expect(admin.service.subscriberCount).toBe(0));
  });
});

describe('base paths', () => {
  it('normalizeBasePath', () => {
    expect(normalizeBasePath('/admin/queues/')).toBe('/admin/queues');
    expect(normalizeBasePath('admin//queues')).toBe('/admin/queues');
    expect(normalizeBasePath('/')).toBe('');
    expect(normalizeBasePath('')).toBe('');
    expect(normalizeBasePath(undefined)).toBe('');
    expect(() => normalizeBasePath('/admin?x=1')).toThrow(TypeError);
  });

  it('stripBasePath', () => {
    expect(stripBasePath('/admin/api/overview', '/admin')).toBe('/api/overview');
    expect(stripBasePath('/admin', '/admin')).toBe('/');
    expect(stripBasePath('/administrator', '/admin')).toBeNull();
    expect(stripBasePath('/api/overview', '')).toBe('/api/overview');
  });
});
