/**
 * The first-run setup over real HTTP: a dashboard whose password login starts
 * with no user, the one-time code, the first admin created through
 * `POST api/auth/setup`, stored through the caller's callback and logged in,
 * and the route closed for good afterwards.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createAdmin, type QadminApp } from '../http/admin';
import { createFakeBackend, startServer } from '../http/test-support';
import { DEFAULT_PERMISSIONS } from './model';
import {
  createSetupCode,
  hashPassword,
  type PasswordAuthOptions,
  type PasswordUser,
  passwordAuth,
  verifyPassword,
} from './password';
import { tokenAuth } from './token';

type Served = Awaited<ReturnType<typeof startServer>>;
const opened: { admin: QadminApp; server: Served }[] = [];
afterAll(async () => {
  for (const { admin, server } of opened) {
    await server.close();
    await admin.close();
  }
});

const CSRF = { 'x-qadmin-csrf': '1' };
const SECRET = 'setup-test-secret-0123456789abcdef';
const PASSWORD = 'a-long-admin-password';

/** A dashboard waiting for its first-run setup, and what its store callback received. */
async function firstRun(
  options: Partial<PasswordAuthOptions> & {
    store?: (user: PasswordUser) => Promise<void> | void;
  } = {},
) {
  const code = createSetupCode();
  const stored: PasswordUser[] = [];
  const { store, ...rest } = options;
  const auth = passwordAuth({
    users: [],
    sessionSecret: SECRET,
    setup: {
      code,
      store: async (user) => {
        await store?.(user);
        stored.push(user);
      },
    },
    ...rest,
  });
  const admin = createAdmin({ backends: [createFakeBackend()], auth, warn: () => {} });
  const server = await startServer(admin);
  opened.push({ admin, server });
  return { code, stored, server };
}

async function call(
  server: Served,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
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

const setup = (server: Served, body: unknown, headers: Record<string, string> = CSRF) =>
  call(server, 'POST', 'api/auth/setup', { body, headers });
const pause = (server: Served, headers: Record<string, string>) =>
  call(server, 'POST', 'api/queues/mem%3Aemails/actions', {
    body: { type: 'pause' },
    headers: { ...CSRF, ...headers },
  });

describe('first-run setup', () => {
  it('lets nobody in until it is done, and says so', async () => {
    const { server } = await firstRun();
    const me = await call(server, 'GET', 'api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      principal: null,
      permissions: [],
      login: true,
      anonymous: false,
      setup: true,
    });
    expect(String(me.body.readOnlyReason)).toMatch(/finish the first-run setup/);

    const overview = await call(server, 'GET', 'api/overview');
    expect(overview.status).toBe(401);
    expect(String(overview.body.detail)).toMatch(/first-run setup/);
    expect((await pause(server, {})).status).toBe(401);
    const login = await call(server, 'POST', 'api/auth/login', {
      body: { username: 'root', password: PASSWORD },
      headers: CSRF,
    });
    expect(login.status).toBe(401);
  });

  it('refuses a wrong code, a short password, a bad username and a cross-site form', async () => {
    const { code, stored, server } = await firstRun();
    const wrong = await setup(server, {
      code: createSetupCode(),
      username: 'root',
      password: PASSWORD,
    });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(wrong.body.type).toMatch(/invalid-setup-code$/);

    const short = await setup(server, { code, username: 'root', password: 'short-pass' });
    expect(short.status).toBe(400);
    expect(short.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(short.body).toMatchObject({ field: 'body.password' });
    expect(String(short.body.detail)).toMatch(/at least 12 characters/);

    const spaced = await setup(server, { code, username: ' root', password: PASSWORD });
    expect(spaced.status).toBe(400);
    expect(spaced.body.field).toBe('body.username');

    const noCode = await setup(server, { username: 'root', password: PASSWORD });
    expect(noCode.body.field).toBe('body.code');

    // The same CSRF rules as every change: a form on another site cannot set it up.
    expect((await setup(server, { code, username: 'root', password: PASSWORD }, {})).status).toBe(
      403,
    );
    const crossSite = await setup(
      server,
      { code, username: 'root', password: PASSWORD },
      { ...CSRF, origin: 'https://evil.example' },
    );
    expect(crossSite.body.type).toMatch(/cross-site$/);

    expect(stored).toEqual([]);
    expect((await call(server, 'GET', 'api/auth/me')).body.setup).toBe(true);
  });

  it('creates the admin, stores only the scrypt hash, logs them in, and closes for good', async () => {
    const { code, stored, server } = await firstRun();
    // Typed the way a person might: lower case, without the dashes.
    const typed = code.replaceAll('-', '').toLowerCase();
    const done = await setup(server, { code: typed, username: 'root', password: PASSWORD });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({
      principal: { id: 'root', name: 'root', role: 'admin', via: 'password' },
      setup: false,
      readOnlyReason: null,
    });
    expect(done.headers.get('cache-control')).toBe('no-store');
    const setCookie = done.headers.get('set-cookie')!;
    expect(setCookie).toMatch(
      /^qadmin_session=[^;]+; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/,
    );
    const session = { cookie: setCookie.split(';')[0]! };

    expect(stored).toHaveLength(1);
    expect(stored[0]).toEqual({
      username: 'root',
      passwordHash: expect.any(String),
      role: 'admin',
    });
    expect(stored[0]!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, stored[0]!.passwordHash)).toBe(true);

    const me = await call(server, 'GET', 'api/auth/me', { headers: session });
    expect(me.body.permissions).toEqual(Object.keys(DEFAULT_PERMISSIONS));
    expect((await pause(server, session)).status).toBe(200);

    // Closed for good: the code, another code, the same body.
    const again = await setup(server, { code, username: 'eve', password: PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body.type).toMatch(/setup-closed$/);
    expect((await call(server, 'GET', 'api/auth/me')).body).toMatchObject({
      principal: null,
      setup: false,
      readOnlyReason: null,
    });

    const login = await call(server, 'POST', 'api/auth/login', {
      body: { username: 'root', password: PASSWORD },
      headers: CSRF,
    });
    expect(login.status).toBe(200);
    expect(stored).toHaveLength(1);
  });

  it('limits wrong codes per client like failed logins, the right code included', async () => {
    const { code, server } = await firstRun({ maxFailuresPerClient: 2 });
    for (let i = 0; i < 2; i++) {
      const wrong = await setup(server, {
        code: createSetupCode(),
        username: 'root',
        password: PASSWORD,
      });
      expect(wrong.status).toBe(403);
    }
    const limited = await setup(server, { code, username: 'root', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(server, 'GET', 'api/auth/me')).body.setup).toBe(true);
  });

  it('stays pending when the store fails, and lets exactly one of two racing setups win', async () => {
    let failures = 1;
    const { code, stored, server } = await firstRun({
      store: () => {
        if (failures-- > 0) throw new Error('disk full');
      },
    });
    // The unexpected failure is logged; keep the test's output quiet.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const failed = await setup(server, { code, username: 'root', password: PASSWORD });
    const logLines = logged.mock.calls.map((args) => String(args[0]));
    logged.mockRestore();
    expect(failed.status).toBe(500);
    expect(logLines.join('\n')).toMatch(/api\/auth\/setup/);
    expect(failed.headers.get('set-cookie')).toBeNull();
    expect((await call(server, 'GET', 'api/auth/me')).body.setup).toBe(true);

    const [a, b] = await Promise.all([
      setup(server, { code, username: 'ana', password: PASSWORD }),
      setup(server, { code, username: 'bob', password: PASSWORD }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(stored.map((user) => user.username)).toEqual([a.status === 200 ? 'ana' : 'bob']);
  });

  it('after a restart with the stored admin: no setup, and the session still holds', async () => {
    const { code, stored, server } = await firstRun();
    const done = await setup(server, { code, username: 'root', password: PASSWORD });
    const cookie = done.headers.get('set-cookie')!.split(';')[0]!;
    // The next start: the stored admin, the same session secret, the setup still offered.
    const admin = createAdmin({
      backends: [createFakeBackend()],
      auth: passwordAuth({
        users: stored,
        sessionSecret: SECRET,
        setup: { code: createSetupCode(), store: () => {} },
      }),
      warn: () => {},
    });
    const restarted = await startServer(admin);
    opened.push({ admin, server: restarted });
    expect((await call(restarted, 'GET', 'api/auth/me')).body.setup).toBe(false);
    expect((await call(restarted, 'GET', 'api/overview', { headers: { cookie } })).status).toBe(
      200,
    );
    const again = await setup(restarted, { code, username: 'eve', password: PASSWORD });
    expect(again.status).toBe(409);
  });

  it('answers 409 where no setup was ever offered, and leaves token holders their role', async () => {
    const tokenOnly = createAdmin({
      backends: [createFakeBackend()],
      auth: tokenAuth({ tokens: [{ name: 'ci', token: 't'.repeat(30), role: 'operator' }] }),
      warn: () => {},
    });
    const server = await startServer(tokenOnly);
    opened.push({ admin: tokenOnly, server });
    const closed = await setup(server, {
      code: createSetupCode(),
      username: 'root',
      password: PASSWORD,
    });
    expect(closed.status).toBe(409);

    // A setup beside tokens: the tokens still work, so writing is not off for everyone.
    const code = createSetupCode();
    const mixed = createAdmin({
      backends: [createFakeBackend()],
      auth: [
        passwordAuth({ users: [], setup: { code, store: () => {} } }),
        tokenAuth({ tokens: [{ name: 'ci', token: 't'.repeat(30), role: 'operator' }] }),
      ],
      warn: () => {},
    });
    const both = await startServer(mixed);
    opened.push({ admin: mixed, server: both });
    const me = await call(both, 'GET', 'api/auth/me');
    expect(me.body).toMatchObject({ setup: true, readOnlyReason: null });
    const retry = await call(both, 'POST', 'api/queues/mem%3Aemails/jobs/2/actions', {
      body: { type: 'retry' },
      headers: { authorization: `Bearer ${'t'.repeat(30)}` },
    });
    expect(retry.status).toBe(200);
  });
});

describe('createSetupCode and the setup option', () => {
  it('makes 100-bit codes in groups of five, and refuses weak codes or no store', async () => {
    const codes = new Set(Array.from({ length: 50 }, () => createSetupCode()));
    expect(codes.size).toBe(50);
    for (const code of codes)
      expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{5}-){3}[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(() =>
      passwordAuth({ users: [], setup: { code: 'too-short', store: () => {} } }),
    ).toThrow(/at least 16 characters/);
    expect(() =>
      passwordAuth({
        users: [],
        setup: { code: createSetupCode(), store: undefined as unknown as () => void },
      }),
    ).toThrow(/setup.store/);
    // With users there is nothing to set up.
    const withUsers = passwordAuth({
      users: [
        { username: 'ana', passwordHash: await hashPassword('ana-password-1'), role: 'admin' },
      ],
      setup: { code: createSetupCode(), store: () => {} },
    });
    expect(withUsers.setupPending?.()).toBe(false);
    const request = { headers: {}, secure: false, basePath: '' };
    await expect(
      withUsers.setup!(request, { code: 'x', username: 'y', password: PASSWORD }),
    ).rejects.toMatchObject({ status: 409 });
    const plain = passwordAuth({ users: [] });
    expect(plain.setupPending).toBeUndefined();
    expect(plain.setup).toBeUndefined();
  });
});
