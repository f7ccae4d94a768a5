/**
 * Access control over real HTTP: password login and its session cookie,
 * bearer tokens, a trusted proxy's headers, the read-only default, CSRF, the
 * security headers, and an authorization matrix of every route against every
 * kind of caller.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreateAdminOptions, createAdmin, type QadminApp } from '../http/admin';
import { apiRoutes } from '../http/routes';
import { createFakeBackend, startServer } from '../http/test-support';
import type { AccessOptions } from './access';
import { DEFAULT_PERMISSIONS, type Permission, type Role, roleAtLeast } from './model';
import { hashPassword, passwordAuth, verifyPassword } from './password';
import { proxyAuth, tokenAuth } from './token';

type Served = Awaited<ReturnType<typeof startServer>>;
const opened: { admin: QadminApp; server: Served }[] = [];
afterAll(async () => {
  for (const { admin, server } of opened) {
    await server.close();
    await admin.close();
  }
});

async function serve(options: Partial<CreateAdminOptions> & AccessOptions = {}) {
  const admin = createAdmin({ backends: [createFakeBackend()], warn: () => {}, ...options });
  const server = await startServer(admin);
  opened.push({ admin, server });
  return server;
}

async function call(
  server: Served,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${server.origin}/${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return {
    status: response.status,
    headers: response.headers,
    body: body as Record<string, unknown>,
  };
}

const CSRF = { 'x-qadmin-csrf': '1' };
const TOKENS = {
  viewer: 'viewer-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef012',
} as const;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('passwords', () => {
  it('hashes with scrypt and a salt, and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false);
  });
});

describe('qadmin-hash-password', () => {
  it('hashes a password piped to it, and refuses one under 12 characters', () => {
    const bin = fileURLToPath(new URL('../../bin/qadmin-hash-password.mjs', import.meta.url));
    const ok = spawnSync(process.execPath, [bin], {
      input: 'a-long-password-123\n',
      encoding: 'utf8',
    });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^scrypt\$32768\$8\$1\$\S+\n$/);
    return verifyPassword('a-long-password-123', ok.stdout.trim()).then((matches) => {
      expect(matches).toBe(true);
      const short = spawnSync(process.execPath, [bin], { input: 'short', encoding: 'utf8' });
      expect(short.status).toBe(1);
      expect(short.stderr).toMatch(/at least 12 characters/);
    });
  });
});

describe('password login', () => {
  let server: Served;
  let anaHash: string;
  beforeAll(async () => {
    anaHash = await hashPassword('ana-password-1');
    server = await serve({
      auth: passwordAuth({
        users: [
          { username: 'ana', passwordHash: anaHash, role: 'admin' },
          { username: 'vic', passwordHash: await hashPassword('vic-password-1'), role: 'viewer' },
        ],
        sessionSecret: 's'.repeat(32),
        maxFailuresPerUser: 3,
      }),
    });
  });

  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    call(server, 'POST', 'api/auth/login', {
      body: { username, password },
      headers: { ...CSRF, ...headers },
    });

  it('logs in with a session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS), and out', async () => {
    const before = await call(server, 'GET', 'api/overview');
    expect(before.status).toBe(401);
    expect(before.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(before.headers.get('www-authenticate')).toBe('Bearer realm="qadmin"');

    const answer = await login('ana', 'ana-password-1', { 'x-forwarded-proto': 'https' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      principal: { name: 'ana', role: 'admin', via: 'password' },
    });
    const cookie = answer.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^qadmin_session=[^;]+; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax; Secure$/,
    );
    const session = { cookie: cookie.split(';')[0]! };

    expect((await call(server, 'GET', 'api/overview', { headers: session })).status).toBe(200);
    const me = await call(server, 'GET', 'api/auth/me', { headers: session });
    expect(me.body.permissions).toEqual(Object.keys(DEFAULT_PERMISSIONS));

    const out = await call(server, 'POST', 'api/auth/logout', { headers: { ...session, ...CSRF } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(
      /^qadmin_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/,
    );
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await login('vic', 'nope-nope-nope');
    const unknown = await login('nobody', 'nope-nope-nope');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const { instance: _a, ...wrongBody } = wrong.body;
    const { instance: _b, ...unknownBody } = unknown.body;
    expect(wrongBody).toEqual(unknownBody);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('limits failed logins per username with 429 and Retry-After, the right password included', async () => {
    for (let i = 0; i < 3; i++) expect((await login('ana', `wrong-${i}`)).status).toBe(401);
    const limited = await login('ana', 'ana-password-1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.type).toMatch(/too-many-logins$/);
  });

  it('ignores a tampered or foreign cookie, and names the field of a bad login body', async () => {
    const good = await login('vic', 'vic-password-1');
    const [value] = good.headers.get('set-cookie')!.split(';');
    const tampered = `${value!.slice(0, -2)}xx`;
    expect(
      (await call(server, 'GET', 'api/overview', { headers: { cookie: tampered } })).status,
    ).toBe(401);
    const bad = await call(server, 'POST', 'api/auth/login', {
      body: { username: 'vic' },
      headers: CSRF,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('body.password');
  });

  it("ends a user's sessions when their password changes", async () => {
    const first = await login('vic', 'vic-password-1');
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    // The same secret, a new hash for vic: another instance after a password change.
    const changed = await serve({
      auth: passwordAuth({
        users: [
          { username: 'vic', passwordHash: await hashPassword('vic-password-2'), role: 'viewer' },
        ],
        sessionSecret: 's'.repeat(32),
      }),
    });
    expect((await call(changed, 'GET', 'api/overview', { headers: { cookie } })).status).toBe(401);
    expect((await call(server, 'GET', 'api/overview', { headers: { cookie } })).status).toBe(200);
  });

  it('refuses a cookie-authenticated change without the CSRF header or from another site', async () => {
    const answer = await login('ana', 'ana-password-1', { 'x-forwarded-for': 'other' });
    // ana may be rate limited by the test above; vic cannot retry, so log in as ana on a fresh server.
    const fresh = await serve({
      auth: passwordAuth({
        users: [{ username: 'ana', passwordHash: anaHash, role: 'admin' }],
      }),
    });
    const ok = await call(fresh, 'POST', 'api/auth/login', {
      body: { username: 'ana', password: 'ana-password-1' },
      headers: CSRF,
    });
    expect(ok.status, JSON.stringify(answer.body)).toBe(200);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
    const pause = (headers: Record<string, string>) =>
      call(fresh, 'POST', 'api/queues/mem%3Aemails/actions', {
        body: { type: 'pause' },
        headers: { cookie, ...headers },
      });
    expect((await pause({})).status).toBe(403);
    expect((await pause({ ...CSRF, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await pause({ ...CSRF, origin: 'https://evil.example' })).status).toBe(403);
    const host = new URL(fresh.origin).host;
    expect(
      (await pause({ ...CSRF, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status,
    ).toBe(200);
    // The login form itself needs the header too (login CSRF).
    const noHeader = await call(fresh, 'POST', 'api/auth/login', {
      body: { username: 'ana', password: 'ana-password-1' },
    });
    expect(noHeader.status).toBe(403);
  });
});

describe('tokens and a trusted proxy', () => {
  it('authenticates bearer tokens in constant time; a wrong one is 401, not anonymous', async () => {
    const server = await serve({
      auth: tokenAuth({ tokens: [{ name: 'ci', token: TOKENS.operator, role: 'operator' }] }),
    });
    const me = await call(server, 'GET', 'api/auth/me', { headers: bearer(TOKENS.operator) });
    expect(me.body.principal).toEqual({ id: 'ci', name: 'ci', role: 'operator', via: 'token' });
    const wrong = await call(server, 'GET', 'api/overview', {
      headers: bearer(`${TOKENS.operator}x`),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.type).toMatch(/invalid-token$/);
    // No CSRF header needed: a token is not sent by a browser on its own.
    const retry = await call(server, 'POST', 'api/queues/mem%3Aemails/jobs/2/actions', {
      body: { type: 'retry' },
      headers: bearer(TOKENS.operator),
    });
    expect(retry.status).toBe(200);
    expect(() => tokenAuth({ tokens: [{ name: 'short', token: 'short', role: 'admin' }] })).toThrow(
      /at least 24/,
    );
  });

  it("takes a proxy's user and role headers only from the proxy's address", async () => {
    const trusted = await serve({ auth: proxyAuth({ trustedProxies: ['127.0.0.0/8'] }) });
    const named = await call(trusted, 'GET', 'api/auth/me', {
      headers: { 'x-forwarded-user': 'sam', 'x-forwarded-role': 'operator' },
    });
    expect(named.body.principal).toEqual({
      id: 'sam',
      name: 'sam',
      role: 'operator',
      via: 'proxy',
    });
    const badRole = await call(trusted, 'GET', 'api/overview', {
      headers: { 'x-forwarded-user': 'sam', 'x-forwarded-role': 'root' },
    });
    expect(badRole.status).toBe(401);

    const elsewhere = await serve({ auth: proxyAuth({ trustedProxies: ['10.1.2.3'] }) });
    const spoofed = await call(elsewhere, 'GET', 'api/overview', {
      headers: { 'x-forwarded-user': 'sam', 'x-forwarded-role': 'admin' },
    });
    expect(spoofed.status).toBe(401);
  });
});

describe('the default', () => {
  it('is read-only without auth, says why, and warns once at start-up', async () => {
    const warnings: string[] = [];
    const server = await serve({ warn: (message) => warnings.push(message) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/read-only/);
    expect((await call(server, 'GET', 'api/overview')).status).toBe(200);
    const retry = await call(server, 'POST', 'api/queues/mem%3Aemails/jobs/2/actions', {
      body: { type: 'retry' },
      headers: CSRF,
    });
    expect(retry.status).toBe(403);
    expect(retry.body).toMatchObject({ permission: 'job.retry', role: 'viewer' });
    expect(String(retry.body.detail)).toMatch(/No auth provider is configured/);
    const me = await call(server, 'GET', 'api/auth/me');
    expect(me.body).toMatchObject({ anonymous: true, permissions: ['read'], login: false });
    expect(me.body.readOnlyReason).toMatch(/read-only/);
  });

  it('allows anonymous writes only when told so, loudly', async () => {
    const warnings: string[] = [];
    const server = await serve({ unsafeAnonymousWrites: true, warn: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/ANYONE who can reach this dashboard/);
    const retry = await call(server, 'POST', 'api/queues/mem%3Aemails/jobs/2/actions', {
      body: { type: 'retry' },
      headers: CSRF,
    });
    expect(retry.status).toBe(200);
  });

  it('sends the security headers with every answer, with the frame ancestors asked for', async () => {
    const server = await serve({ frameAncestors: ["'self'", 'https://admin.example.com'] });
    for (const path of ['api/overview', 'api/nope', '', 'metrics']) {
      const answer = await call(server, 'GET', path);
      const csp = answer.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'self' https://admin.example.com");
      expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(answer.headers.get('referrer-policy'), path).toBe('same-origin');
    }
  });
});

describe('authorization matrix', () => {
  type Caller = 'anonymous' | 'unauthenticated' | 'wrong token' | 'expired session' | Role;
  const CALLERS: Caller[] = [
    'anonymous',
    'unauthenticated',
    'wrong token',
    'expired session',
    'viewer',
    'operator',
    'admin',
  ];

  let locked: Served;
  let open: Served;
  let expiredCookie: string;
  beforeAll(async () => {
    const users = [
      {
        username: 'old',
        passwordHash: await hashPassword('old-password-1'),
        role: 'admin' as const,
      },
    ];
    const auth = [
      passwordAuth({ users, sessionSecret: 'e'.repeat(32), sessionTtlMs: 1 }),
      tokenAuth({
        tokens: (['viewer', 'operator', 'admin'] as const).map((role) => ({
          name: role,
          token: TOKENS[role],
          role,
        })),
      }),
    ];
    locked = await serve({ auth });
    open = await serve({});
    const login = await call(locked, 'POST', 'api/auth/login', {
      body: { username: 'old', password: 'old-password-1' },
      headers: CSRF,
    });
    expiredCookie = login.headers.get('set-cookie')!.split(';')[0]!;
    await new Promise((resolve) => setTimeout(resolve, 5));
  });

  /** A request that reaches each route's permission check, for each permission it can need. */
  function requestsOf(
    route: (typeof apiRoutes)[number],
  ): { permission: Permission | 'public'; path: string; body?: unknown }[] {
    const path = route.path
      .slice(1)
      .replace('{queueId}', 'mem%3Aemails')
      .replace('{jobId}', '2')
      .replace('{scheduleId}', 'nightly');
    const permission = route.permission ?? 'read';
    if (permission === 'ingest') return [];
    if (route.operationId === 'jobAction') {
      const bodies: Record<string, unknown> = {
        'update-data': { type: 'update-data', data: {} },
        'change-delay': { type: 'change-delay', delayMs: 1000 },
        'change-priority': { type: 'change-priority', priority: 1 },
      };
      return Object.keys(DEFAULT_PERMISSIONS)
        .filter((p) => p.startsWith('job.') && p !== 'job.add')
        .map((p) => {
          const type = p.slice(4);
          return { permission: p as Permission, path, body: bodies[type] ?? { type } };
        });
    }
    if (route.operationId === 'bulkAction') {
      return Object.keys(DEFAULT_PERMISSIONS)
        .filter((p) => p.startsWith('queue.'))
        .map((p) => {
          const type = p.slice(6);
          return {
            permission: p as Permission,
            path,
            body: type === 'clean' ? { type, state: 'completed' } : { type },
          };
        });
    }
    const bodies: Record<string, unknown> = {
      addJob: { name: 'x' },
      upsertSchedule: { id: 'nightly', jobName: 'x', pattern: '0 3 * * *' },
      login: { username: 'nobody', password: 'nothing-at-all' },
      setup: { code: 'ABCDE-FGHJK-MNPQR-STVWX', username: 'root', password: 'a-long-password' },
    };
    return [
      {
        permission: typeof permission === 'function' ? 'read' : permission,
        path,
        body: bodies[route.operationId],
      },
    ];
  }

  function headersOf(caller: Caller): Record<string, string> {
    switch (caller) {
      case 'viewer':
      case 'operator':
      case 'admin':
        return bearer(TOKENS[caller]);
      case 'wrong token':
        return bearer('z'.repeat(30));
      case 'expired session':
        return { cookie: expiredCookie };
      default:
        return {};
    }
  }

  function expected(caller: Caller, permission: Permission | 'public'): 'allow' | 'deny' {
    if (permission === 'public') return caller === 'wrong token' ? 'deny' : 'allow';
    if (caller === 'anonymous') return permission === 'read' ? 'allow' : 'deny';
    if (caller === 'unauthenticated' || caller === 'wrong token' || caller === 'expired session')
      return 'deny';
    return roleAtLeast(caller, DEFAULT_PERMISSIONS[permission]) ? 'allow' : 'deny';
  }

  it('allows and denies exactly what the role map says, for every route and caller', {
    timeout: 60_000,
  }, async () => {
    const surprises: string[] = [];
    let checked = 0;
    for (const route of apiRoutes) {
      if (route.operationId === 'events') continue; // a stream: its check is the same as overview's
      // Ingest routes take a backend's ingest token, never a role: src/http/ingest.test.ts.
      if (route.permission === 'ingest') continue;
      for (const request of requestsOf(route)) {
        for (const caller of CALLERS) {
          const server = caller === 'anonymous' ? open : locked;
          const answer = await call(server, route.method, request.path, {
            ...(request.body === undefined ? {} : { body: request.body }),
            headers: { ...headersOf(caller), ...CSRF },
          });
          // Denied by the access rules, not by what the route itself answers (a wrong login).
          const denied = /\/(unauthenticated|forbidden|invalid-token|cross-site)$/.test(
            String(answer.body.type ?? ''),
          );
          const outcome = denied ? 'deny' : 'allow';
          const want = expected(caller, request.permission);
          checked++;
          if (outcome !== want) {
            surprises.push(
              `${caller} ${route.method} ${request.path} ${JSON.stringify(request.body ?? '')} (${request.permission}): ${answer.status} ${JSON.stringify(answer.body).slice(0, 160)}`,
            );
          }
        }
      }
    }
    expect(surprises, 'unexpected allows and denies').toEqual([]);
    expect(checked).toBeGreaterThan(7 * 30);
  });
});

describe('hidden queues', () => {
  let server: Served;
  beforeAll(async () => {
    server = await serve({
      auth: tokenAuth({
        tokens: [
          { name: 'viewer', token: TOKENS.viewer, role: 'viewer' },
          { name: 'admin', token: TOKENS.admin, role: 'admin' },
        ],
      }),
      // Viewers see the emails queue only.
      canSeeQueue: (principal, queue) => principal.role === 'admin' || queue.name === 'emails',
    });
  });

  const as = (role: 'viewer' | 'admin') => ({ headers: bearer(TOKENS[role]) });

  it('leaves them out of every answer and answers 404 for their own routes', async () => {
    const overview = await call(server, 'GET', 'api/overview', as('viewer'));
    const ids = (overview.body.queues as { id: string }[]).map((q) => q.id);
    expect(ids).toEqual(['mem:emails']);
    const all = await call(server, 'GET', 'api/overview', as('admin'));
    expect((all.body.queues as { id: string }[]).map((q) => q.id).sort()).toEqual([
      'mem:emails',
      'mem:reports',
    ]);

    for (const path of [
      'api/queues/mem%3Areports',
      'api/queues/mem%3Areports/jobs?state=waiting',
      'api/queues/mem%3Areports/jobs/r1',
    ]) {
      const hidden = await call(server, 'GET', path, as('viewer'));
      expect(hidden.status, path).toBe(404);
      expect(hidden.body.type, path).toMatch(/not-found$/);
      expect((await call(server, 'GET', path, as('admin'))).status, path).toBe(200);
    }
    const throughput = await call(server, 'GET', 'api/throughput', as('viewer'));
    expect(Object.keys(throughput.body.queues as object).every((id) => id === 'mem:emails')).toBe(
      true,
    );
    const workers = await call(server, 'GET', 'api/workers', as('viewer'));
    for (const worker of workers.body as unknown as { queueIds: string[] }[]) {
      expect(worker.queueIds).not.toContain('mem:reports');
    }
    const metrics = await call(server, 'GET', 'metrics', as('viewer'));
    expect(String(metrics.body)).toContain('queue="emails"');
    expect(String(metrics.body)).not.toContain('queue="reports"');
    const adminMetrics = await call(server, 'GET', 'metrics', as('admin'));
    expect(String(adminMetrics.body)).toContain('queue="reports"');
  });

  it('leaves them out of the live stream', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.origin}/api/events`, {
      headers: bearer(TOKENS.viewer),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('event: overview')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    while (!/event: overview\ndata: .*\n\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const data = JSON.parse(/event: overview\ndata: (.*)\n/.exec(text)![1]!);
    expect(data.overview.queues.map((q: { id: string }) => q.id)).toEqual(['mem:emails']);
  });
});
