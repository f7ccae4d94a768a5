import { createMemoryBackend } from '@qadmin/backend-memory';
import { createAdmin } from '@qadmin/core';
import { Hono } from 'hono';
import { it } from 'vitest';
import { qadmin } from '../src/index';

it('probe', async () => {
  const backend = createMemoryBackend({ label: 'memory' });
  backend.queue('emails');
  const admin = createAdmin({ backends: [backend] });
  const app = new Hono();
  app.use('*', async (c, next) => { c.header('x-before', '1'); await next(); c.header('x-after', '2'); });
  app.use('*', async (c, next) => {
    if (c.req.header('x-read') === 'json') { try { console.log('host read', await c.req.json()); } catch (e) { console.log('host json failed', String(e)); } }
    if (c.req.header('x-read') === 'raw') { await c.req.raw.text(); }
    await next();
  });
  app.route('/admin/queues', qadmin(admin));
  app.onError((e, c) => c.text('host onError ' + e.message, 500));
  let r = await app.request('/admin/queues/api/overview');
  console.log(r.status, [...r.headers]);
  for (const mode of ['none', 'json', 'raw']) {
    r = await app.request('/admin/queues/api/queues/memory%3Aemails/jobs', { method: 'POST', headers: { 'content-type': 'application/json', 'x-read': mode }, body: JSON.stringify({ name: 'x', data: { a: 1 } }) });
    console.log(mode, r.status, (await r.text()).slice(0, 200));
    r = await app.request('/admin/queues/api/queues/memory%3Aemails/jobs', { method: 'POST', headers: { 'content-type': 'application/json', 'x-read': mode }, body: '{bad' });
    console.log(mode, 'bad', r.status, (await r.text()).slice(0, 200));
  }
  const ac = new AbortController();
  r = await app.request('/admin/queues/api/events', { headers: { accept: 'text/event-stream' }, signal: ac.signal });
  console.log('sse', r.status, [...r.headers]);
  const reader = r.body!.getReader();
  console.log(new TextDecoder().decode((await reader.read()).value).slice(0, 80));
  console.log('subs', admin.service.subscriberCount);
  ac.abort();
  await new Promise((res) => setTimeout(res, 50));
  console.log('subs after abort', admin.service.subscriberCount);
  await admin.close();
});
