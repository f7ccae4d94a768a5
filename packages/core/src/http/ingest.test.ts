/**
 * The ingest seam over real HTTP: which token reaches which backend, the
 * envelope's limits, and that ingest tokens and dashboard logins never stand
 * in for each other. What an event means is the collector's (its own tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenAuth } from '../auth/token';
import { defineBackend } from '../backend';
import { type IngestCommand, type IngestEndpoint, MAX_INGEST_BATCH, tokenMatcher } from '../ingest';
import { createAdmin, type QadminApp } from './admin';
import { createFakeBackend, startServer } from './test-support';

type Served = Awaited<ReturnType<typeof startServer>>;

const INGEST_A = 'ingest-token-of-backend-a-0001';
const INGEST_B = 'ingest-token-of-backend-b-0002';
const DASHBOARD = 'dashboard-admin-token-000000001';

/** A backend taking events: it keeps each batch so the test sees what arrived. */
function eventsBackend(id: string, token: string) {
  const batches: unknown[][] = [];
  const polls: { worker: string; queues: readonly string[] }[] = [];
  const ingest: IngestEndpoint = {
    accepts: tokenMatcher([token]),
    async ingest(events) {
      batches.push([...events]);
      return { accepted: events.length, duplicates: 0, rejected: [] };
    },
    async commands(query) {
      polls.push(query);
      const command: IngestCommand = {
        id: 'c1',
        type: 'retry',
        queue: query.queues[0] ?? 'none',
        jobId: '1',
        name: 'x',
        data: null,
        attempt: 1,
        createdAt: 0,
      };
      return [command];
    },
  };
  const base = createFakeBackend({ id });
  return { backend: defineBackend({ ...base, ingest }), batches, polls };
}

const a = eventsBackend('a', INGEST_A);
const b = eventsBackend('b', INGEST_B);
let admin: QadminApp;
let server: Served;
let plainAdmin: QadminApp;
let plain: Served;

beforeAll(async () => {
  admin = createAdmin({
    backends: [a.backend, b.backend],
    auth: tokenAuth({ tokens: [{ name: 'ops', token: DASHBOARD, role: 'admin' }] }),
    warn: () => {},
  });
  server = await startServer(admin, '/q');
  plainAdmin = createAdmin({ backends: [createFakeBackend()], warn: () => {} });
  plain = await startServer(plainAdmin);
});
afterAll(async () => {
  await server.close();
  await admin.close();
  await plain.close();
  await plainAdmin.close();
});

async function post(base: string, body: unknown, token?: string, raw?: string) {
  const response = await fetch(`${base}/api/ingest/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: raw ?? JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as Record<string, any>,
  };
}

describe('POST api/ingest/events', () => {
  it('hands the batch to the backend whose token it carries, with no CSRF header', async () => {
    const events = [{ id: 'e1', type: 'queued', time: 1, queue: 'q', jobId: '1' }];
    const answer = await post(`${server.origin}/q`, { events }, INGEST_B);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(b.batches).toEqual([events]);
    expect(a.batches).toEqual([]);
  });

  it('refuses a missing token, an unknown one and a dashboard login with 401', async () => {
    for (const token of [undefined, 'not-an-ingest-token-at-all-000', DASHBOARD]) {
      const answer = await post(`${server.origin}/q`, { events: [] }, token);
      expect(answer.status).toBe(401);
      expect(answer.type).toContain('application/problem+json');
      expect(answer.body.type).toMatch(/invalid-ingest-token$/);
    }
  });

  it('does not let an ingest token read or change the dashboard', async () => {
    const read = await fetch(`${server.origin}/q/api/overview`, {
      headers: { authorization: `Bearer ${INGEST_A}` },
    });
    expect(read.status).toBe(401);
    const write = await fetch(`${server.origin}/q/api/queues/a%3Aemails/actions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${INGEST_A}`,
        'content-type': 'application/json',
        'x-qadmin-csrf': '1',
      },
      body: JSON.stringify({ type: 'pause' }),
    });
    expect(write.status).toBe(401);
  });

  it('names the field of a bad envelope, and refuses an oversized batch whole', async () => {
    const notArray = await post(`${server.origin}/q`, { events: 'x' }, INGEST_A);
    expect(notArray.status).toBe(400);
    expect(notArray.body.field).toBe('body.events');
    const broken = await post(`${server.origin}/q`, null, INGEST_A, '{"events": [');
    expect(broken.status).toBe(400);
    const tooMany = Array.from({ length: MAX_INGEST_BATCH + 1 }, (_, i) => ({ id: `e${i}` }));
    const over = await post(`${server.origin}/q`, { events: tooMany }, INGEST_A);
    expect(over.status).toBe(400);
    expect(over.body.field).toBe('body.events');
    const huge = await post(
      `${server.origin}/q`,
      { events: ['x'.repeat(2 * 1024 * 1024)] },
      INGEST_A,
    );
    expect(huge.status).toBe(413);
    expect(a.batches).toEqual([]);
  });

  it('answers 404 on a dashboard where no backend takes events', async () => {
    const answer = await post(plain.origin, { events: [] }, INGEST_A);
    expect(answer.status).toBe(404);
  });
});

describe('GET api/ingest/commands', () => {
  it('passes the worker and its queues, and needs an ingest token', async () => {
    const url = `${server.origin}/q/api/ingest/commands?worker=w1&queues=emails,reports`;
    const answer = await fetch(url, { headers: { authorization: `Bearer ${INGEST_A}` } });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { commands: IngestCommand[] };
    expect(body.commands[0]).toMatchObject({ type: 'retry', queue: 'emails' });
    expect(a.polls.at(-1)).toEqual({ worker: 'w1', queues: ['emails', 'reports'] });
    expect((await fetch(url)).status).toBe(401);
    const noWorker = await fetch(`${server.origin}/q/api/ingest/commands`, {
      headers: { authorization: `Bearer ${INGEST_A}` },
    });
    expect(noWorker.status).toBe(400);
    expect(((await noWorker.json()) as { field: string }).field).toBe('query.worker');
  });

  it('refuses ingest tokens shorter than 24 characters when the backend is made', () => {
    expect(() => tokenMatcher(['short'])).toThrow(/ingestTokens\[0\]/);
  });
});
