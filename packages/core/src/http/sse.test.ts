import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DashboardEvent } from '../api';
import { AdminService } from '../service';
import { createAdmin, type QadminApp } from './admin';
import { SseStream } from './sse';
import { createFakeBackend, rawRequest, startServer } from './test-support';
import { isStreamBody, type QadminRequest } from './types';

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** Reads an event stream and hands out its messages one by one. */
function messages(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const queue: SseMessage[] = [];
  let text = '';
  return {
    async next(): Promise<SseMessage> {
      for (;;) {
        const message = queue.shift();
        if (message) return message;
        const { done, value } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value, { stream: true });
        let end = text.indexOf('\n\n');
        while (end !== -1) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const parsed: SseMessage = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) parsed.comment = line.slice(1).trim();
            else {
              const colon = line.indexOf(':');
              const field = line.slice(0, colon) as keyof SseMessage;
              parsed[field] = line.slice(colon + 2);
            }
          }
          queue.push(parsed);
          end = text.indexOf('\n\n');
        }
      }
    },
    async until(predicate: (m: SseMessage) => boolean): Promise<SseMessage> {
      for (;;) {
        const message = await this.next();
        if (predicate(message)) return message;
      }
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function served(options: { sseHeartbeatMs?: number } = {}) {
  const backend = createFakeBackend();
  const admin = createAdmin({
    unsafeAnonymousWrites: true,
    warn: () => {},
    backends: [backend],
    ...options,
  });
  const server = await startServer(admin);
  cleanups.push(
    () => admin.close(),
    () => server.close(),
  );
  return { backend, admin, server };
}

describe('GET api/events over node:http', () => {
  it('sends retry, the overview, then live events with increasing ids, and heartbeats', async () => {
    const { admin, server, backend } = await served({ sseHeartbeatMs: 30 });
    const controller = new AbortController();
    const response = await fetch(`${server.origin}/api/events`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toContain('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const stream = messages(response.body!);

    expect(await stream.next()).toEqual({ retry: '3000' });
    const first = await stream.next();
    expect(first.event).toBe('overview');
    const overview = JSON.parse(first.data!) as DashboardEvent;
    expect(overview.type === 'overview' && overview.overview.queues.map((q) => q.id)).toContain(
      'mem:emails',
    );
    expect(admin.service.subscriberCount).toBe(1);

    const retried = await fetch(`${server.origin}/api/queues/mem%3Aemails/jobs/2/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: '{"type":"retry"}',
    });
    expect(retried.status).toBe(200);
    const job = await stream.until((m) => m.event === 'job');
    expect(JSON.parse(job.data!)).toEqual({
      type: 'job',
      queueId: 'mem:emails',
      jobId: '2',
      state: 'waiting',
    });
    const action = await stream.until((m) => m.event === 'action');
    expect(JSON.parse(action.data!)).toMatchObject({
      type: 'action',
      queueId: 'mem:emails',
      jobId: '2',
      action: 'retry',
    });
    expect(Number(action.id)).toBeGreaterThan(Number(job.id));
    expect(Number(job.id)).toBeGreaterThan(Number(first.id));

    expect(await stream.until((m) => m.comment !== undefined)).toEqual({ comment: 'heartbeat' });

    expect(backend.listenerCount()).toBe(1);
    controller.abort();
    await vi.waitFor(() => {
      expect(admin.service.subscriberCount).toBe(0);
      expect(backend.listenerCount()).toBe(0);
    });
  });

  it('cleans up when the client disconnects without aborting the fetch', async () => {
    const { admin, server } = await served();
    const clients = await Promise.all([1, 2, 3].map(() => fetch(`${server.origin}/api/events`)));
    for (const client of clients) await messages(client.body!).until((m) => m.event === 'overview');
    expect(admin.service.subscriberCount).toBe(3);
    server.server.closeAllConnections();
    await vi.waitFor(() => expect(admin.service.subscriberCount).toBe(0));
  });

  it('HEAD answers the headers without subscribing', async () => {
    const { admin, server } = await served();
    const head = await rawRequest(server.origin, '/api/events', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/event-stream');
    expect(admin.service.subscriberCount).toBe(0);
  });

  it('close() ends open streams', async () => {
    const { admin, server } = await served();
    const response = await fetch(`${server.origin}/api/events`);
    const stream = messages(response.body!);
    await stream.until((m) => m.event === 'overview');
    await admin.close();
    await expect(stream.next()).rejects.toThrow('stream ended');
    expect(admin.service.subscriberCount).toBe(0);
  });
});

describe('SseStream', () => {
  let service: AdminService;
  const start = async (options: { maxBuffered?: number; signal?: AbortSignal } = {}) => {
    service = new AdminService({ backends: [createFakeBackend()] });
    cleanups.push(() => service.close());
    return new SseStream(service, {
      initial: await service.overview(),
      heartbeatMs: 60_000,
      maxBuffered: options.maxBuffered ?? 100,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  };
  const jobEvent = (jobId: string): DashboardEvent => ({
    type: 'job',
    queueId: 'mem:emails',
    jobId,
    state: 'waiting',
  });

  it('subscribes on the first read, not before', async () => {
    const stream = await start();
    expect(service.subscriberCount).toBe(0);
    const first = await stream.next();
    expect(first.value).toMatch(
      /^retry: 3000\n\nid: 1\nevent: overview\ndata: \{"type":"overview"/,
    );
    expect(service.subscriberCount).toBe(1);
    await stream.return();
    expect(service.subscriberCount).toBe(0);
  });

  it('return() ends a pending read at once and unsubscribes', async () => {
    const stream = await start();
    await stream.next();
    const pending = stream.next();
    await stream.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(service.subscriberCount).toBe(0);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('ends when the signal aborts', async () => {
    const controller = new AbortController();
    const stream = await start({ signal: controller.signal });
    await stream.next();
    const pending = stream.next();
    controller.abort();
    expect((await pending).done).toBe(true);
    expect(service.subscriberCount).toBe(0);
  });

  it('drops the oldest job/progress events of a slow client, never other events', async () => {
    const stream = await start({ maxBuffered: 3 });
    await stream.next();
    stream.push(jobEvent('a'));
    stream.push({
      type: 'action',
      queueId: 'mem:emails',
      jobId: null,
      action: 'pause',
      affected: 0,
      at: 1,
    });
    for (const id of ['b', 'c', 'd', 'e']) stream.push(jobEvent(id));
    expect(stream.dropped).toBe(3);
    const received: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { value } = await stream.next();
      const data = JSON.parse(/data: (.*)/.exec(value!)![1]!) as DashboardEvent;
      received.push(data.type === 'job' ? data.jobId : data.type);
    }
    expect(received).toEqual(['action', 'd', 'e']);
    await stream.return();
  });
});

describe('events through handle()', () => {
  let admin: QadminApp;
  it('the response body is an async iterable that ends with the request signal', async () => {
    admin = createAdmin({
      unsafeAnonymousWrites: true,
      warn: () => {},
      backends: [createFakeBackend()],
    });
    cleanups.push(() => admin.close());
    const controller = new AbortController();
    const request: QadminRequest = {
      method: 'GET',
      path: '/api/events',
      basePath: '',
      query: new URLSearchParams(),
      headers: {},
      signal: controller.signal,
    };
    const response = await admin.handle(request);
    expect(isStreamBody(response.body)).toBe(true);
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const chunk of response.body as AsyncIterable<string>) {
        chunks.push(chunk);
        if (chunks.length === 1) controller.abort();
      }
    })();
    await reading;
    expect(chunks).toHaveLength(1);
    expect(admin.service.subscriberCount).toBe(0);
  });
});
