/**
 * The audit trail over real HTTP: what is recorded for operators and admins,
 * refusals included, who may read it, the host's hook, and that a failing
 * hook or store never fails the request. Plus the ring and the page merge.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type AuditEntry, AuditRing, mergeAuditPages } from './audit';
import { tokenAuth } from './auth/token';
import type { QueueBackend } from './backend';
import { type CreateAdminOptions, createAdmin, type QadminApp } from './http/admin';
import { createFakeBackend, FULL_CAPABILITIES, startServer } from './http/test-support';

type Served = Awaited<ReturnType<typeof startServer>>;
const opened: { admin: QadminApp; server: Served }[] = [];
afterAll(async () => {
  for (const { admin, server } of opened) {
    await server.close();
    await admin.close();
  }
});

const TOKENS = {
  viewer: 'viewer-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef012',
} as const;
type Who = keyof typeof TOKENS;

const auth = tokenAuth({
  tokens: (Object.keys(TOKENS) as Who[]).map((role) => ({ name: role, token: TOKENS[role], role })),
});

async function serve(options: Partial<CreateAdminOptions> = {}) {
  const admin = createAdmin({
    backends: [createFakeBackend()],
    auth,
    warn: () => {},
    ...options,
  } as CreateAdminOptions);
  const server = await startServer(admin);
  opened.push({ admin, server });
  return server;
}

async function call(server: Served, who: Who | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (who) headers.authorization = `Bearer ${TOKENS[who]}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.origin}/${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any };
}

const RETRY = ['POST', 'api/queues/mem%3Aemails/jobs/2/actions', { type: 'retry' }] as const;
const CLEAN = [
  'POST',
  'api/queues/mem%3Aemails/actions',
  { type: 'clean', state: 'completed', olderThanMs: 60_000, limit: 10 },
] as const;

describe('audit trail over HTTP', () => {
  it("records an operator's retry and a refused admin-only clean, readable by admins only", async () => {
    const seen: AuditEntry[] = [];
    const server = await serve({ onAudit: (entry) => seen.push(entry) });

    expect((await call(server, 'operator', ...RETRY)).status).toBe(200);
    expect((await call(server, 'operator', ...CLEAN)).status).toBe(403);
    // A retry of a job that is no longer failed: a 409, recorded as an error.
    expect((await call(server, 'operator', ...RETRY)).status).toBe(409);
    // Nobody logged in: not recorded (anyone could fill the log).
    expect((await call(server, null, ...RETRY)).status).toBe(401);
    expect((await call(server, 'admin', ...CLEAN)).status).toBe(200);

    expect((await call(server, 'viewer', 'GET', 'api/audit')).status).toBe(403);
    expect((await call(server, 'operator', 'GET', 'api/audit')).status).toBe(403);
    const page = await call(server, 'admin', 'GET', 'api/audit');
    expect(page.status).toBe(200);
    const entries = page.body.entries as AuditEntry[];
    expect(page.body.nextBefore).toBeNull();
    expect(page.body.unavailable).toEqual([]);
    expect(entries).toHaveLength(4);
    const [clean, conflict, refused, retry] = entries;
    expect(retry).toMatchObject({
      actor: { id: 'operator', name: 'operator', role: 'operator', via: 'token' },
      action: 'job.retry',
      queueId: 'mem:emails',
      jobId: '2',
      affected: 1,
      outcome: 'ok',
      status: 200,
      remoteAddress: expect.stringMatching(/127\.0\.0\.1|::1/),
    });
    expect(retry!.error).toBeUndefined();
    expect(refused).toMatchObject({
      actor: { role: 'operator' },
      action: 'queue.clean',
      filter: { state: 'completed', olderThanMs: 60_000, limit: 10 },
      affected: null,
      outcome: 'error',
      status: 403,
      error: { title: 'Not allowed', detail: expect.stringContaining('admin') },
    });
    expect(conflict).toMatchObject({ action: 'job.retry', outcome: 'error', status: 409 });
    expect(clean).toMatchObject({
      actor: { role: 'admin' },
      action: 'queue.clean',
      outcome: 'ok',
      status: 200,
      affected: expect.any(Number),
    });
    for (let i = 1; i < entries.length; i++) {
      expect(entries[i - 1]!.at).toBeGreaterThanOrEqual(entries[i]!.at);
    }
    // The hook received each entry, in the order they happened.
    expect(seen.map((e) => e.id)).toEqual(entries.map((e) => e.id).reverse());
  });

  it('pages with before/nextBefore and checks the limit', async () => {
    const server = await serve();
    for (let i = 0; i < 5; i++) {
      await call(server, 'operator', 'POST', 'api/queues/mem%3Aemails/jobs', { name: `j${i}` });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const first = await call(server, 'admin', 'GET', 'api/audit?limit=2');
    expect(first.body.entries.map((e: AuditEntry) => e.filter?.name)).toEqual(['j4', 'j3']);
    expect(first.body.entries[0]).toMatchObject({ action: 'job.add', affected: 1 });
    expect(first.body.entries[0].jobId).toEqual(expect.any(String));
    const names: string[] = [];
    let before: number | null = null;
    do {
      const page: { body: { entries: AuditEntry[]; nextBefore: number | null } } = await call(
        server,
        'admin',
        'GET',
        `api/audit?limit=2${before === null ? '' : `&before=${before}`}`,
      );
      names.push(...page.body.entries.map((e) => String(e.filter?.name)));
      before = page.body.nextBefore;
    } while (before !== null);
    expect(names).toEqual(['j4', 'j3', 'j2', 'j1', 'j0']);
    expect((await call(server, 'admin', 'GET', 'api/audit?limit=1001')).status).toBe(400);
  });

  it('never fails the request when the hook throws or the store fails, and keeps the entry', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const broken: QueueBackend = {
        ...createFakeBackend(),
        capabilities: { ...FULL_CAPABILITIES, audit: true },
        appendAudit: async () => {
          throw new Error('disk full');
        },
        listAudit: async () => [],
      };
      const server = await serve({
        backends: [broken],
        onAudit: () => {
          throw new Error('hook bug');
        },
      });
      expect((await call(server, 'operator', ...RETRY)).status).toBe(200);
      expect((await call(server, 'operator', ...RETRY)).status).toBe(409);
      const page = await call(server, 'admin', 'GET', 'api/audit');
      // Kept in process while the store fails: nothing is lost silently.
      expect(page.body.entries.map((e: AuditEntry) => e.status)).toEqual([409, 200]);
      // Logged once per failing source, not once per request.
      expect(errors).toHaveBeenCalledTimes(2);
      const logged = errors.mock.calls.map((call) => String(call[0]));
      expect(logged).toEqual([
        expect.stringMatching(/onAudit hook threw/),
        expect.stringMatching(/audit store of backend mem failed/),
      ]);
    } finally {
      errors.mockRestore();
    }
  });

  it("stores entries in the queue's backend when it has an audit store", async () => {
    const ring = new AuditRing(100);
    const backend: QueueBackend = {
      ...createFakeBackend(),
      capabilities: { ...FULL_CAPABILITIES, audit: true },
      appendAudit: async (entry) => ring.append(entry),
      listAudit: async (query) => ring.list(query),
    };
    const server = await serve({ backends: [backend] });
    await call(server, 'operator', ...RETRY);
    expect(ring.size).toBe(1);
    const page = await call(server, 'admin', 'GET', 'api/audit');
    expect(page.body.entries).toEqual(ring.list({ limit: 10 }));
  });

  it('does not record the refusals of a read-only dashboard nobody logs in to', async () => {
    const seen: AuditEntry[] = [];
    const server = await serve({ auth: undefined, onAudit: (e) => seen.push(e) });
    const answer = await fetch(`${server.origin}/${RETRY[1]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: JSON.stringify(RETRY[2]),
    });
    expect(answer.status).toBe(403);
    expect(seen).toEqual([]);
  });
});

describe('AuditRing and mergeAuditPages', () => {
  const entry = (id: string, at: number): AuditEntry => ({
    id,
    at,
    actor: { id: 'a', name: 'a', role: 'admin', via: 'token' },
    action: 'job.retry',
    queueId: 'mem:emails',
    affected: 1,
    outcome: 'ok',
    status: 200,
  });

  it('keeps the newest cap entries, newest first', () => {
    const ring = new AuditRing(3);
    for (let i = 1; i <= 5; i++) ring.append(entry(`e${i}`, i));
    expect(ring.size).toBe(3);
    expect(ring.list({ limit: 10 }).map((e) => e.id)).toEqual(['e5', 'e4', 'e3']);
    expect(ring.list({ limit: 10, before: 5 }).map((e) => e.id)).toEqual(['e4', 'e3']);
    expect(ring.list({ limit: 1 }).map((e) => e.id)).toEqual(['e5']);
  });

  it('merges stores newest first, drops duplicates, and keeps a millisecond on one page', () => {
    const a = [entry('a3', 30), entry('a2', 20), entry('a1', 10)];
    const b = [entry('b2', 20), entry('a2', 20), entry('b1', 5)];
    const first = mergeAuditPages([a, b], 2);
    // a2 and b2 share 20 ms: both move to the next page, which asks before 30.
    expect(first.entries.map((e) => e.id)).toEqual(['a3']);
    expect(first.nextBefore).toBe(30);
    const all = mergeAuditPages([a, b], 10);
    expect(all.entries.map((e) => e.id)).toEqual(['a3', 'b2', 'a2', 'a1', 'b1']);
    expect(all.nextBefore).toBeNull();
  });
});
