/**
 * First-run setup then login, end to end over real processes: `qadmin serve`
 * bound beyond loopback with no users or tokens prints a one-time setup code,
 * refuses every change (and every read) until an admin is created with it,
 * keeps that admin (a scrypt hash) and the session secret in the state
 * directory, and on the next start requires login with no setup.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, verifyPassword } from '@qadmin/core';
import { describe, expect, it } from 'vitest';
import { resolveServeSettings } from '../src/config';
import { runQadmin, type Served, serveStoppedAfterEach } from './qadmin';

const serve = serveStoppedAfterEach();

const PASSWORD = 'correct-horse-battery';
const CSRF = { 'x-qadmin-csrf': '1' };

/** A server bound to 0.0.0.0 is reached through loopback. */
const local = (served: Served) => served.url.replace('://0.0.0.0:', '://127.0.0.1:');

async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {}
  return { status: response.status, headers: response.headers, body };
}

const pause = (base: string, headers: Record<string, string> = {}) =>
  call(base, 'POST', 'api/queues/memory%3Aemails/actions', {
    body: { type: 'pause' },
    headers: { ...CSRF, ...headers },
  });

describe('qadmin serve: first-run setup then login', () => {
  it('sets up the admin with the printed code, logs in, and requires login after a restart', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'qadmin-setup-')), 'state');
    const args = ['--demo', '--host', '0.0.0.0', '--port', '0'];
    // QADMIN_STATE_DIR: the --state-dir flag is the same setting (see the unit test below).
    const env = { QADMIN_STATE_DIR: stateDir };

    const first = await serve(args, { env });
    const output = first.output();
    const code = /setup code: (\S+)/.exec(output)?.[1];
    expect(code, output).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    expect(output).toContain(`Open ${first.url}`);
    expect(output).toContain('writes: off until the first-run setup creates an admin');
    expect(output).not.toContain('without login');
    const base = local(first);

    // Nothing can be changed, nor read, before the setup.
    const me = await call(base, 'GET', 'api/auth/me');
    expect(me.body).toMatchObject({ principal: null, setup: true, login: true });
    expect(String(me.body.readOnlyReason)).toMatch(/finish the first-run setup/);
    expect((await pause(base)).status).toBe(401);
    expect((await call(base, 'GET', 'api/overview')).status).toBe(401);

    // The state directory holds only the session secret so far, for its owner alone.
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    const file = join(stateDir, 'auth.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1, users: [] });

    const wrongCode = await call(base, 'POST', 'api/auth/setup', {
      body: { code: 'ABCDE-FGHJK-MNPQR-STVWX', username: 'root', password: PASSWORD },
      headers: CSRF,
    });
    expect(wrongCode.status).toBe(403);
    const short = await call(base, 'POST', 'api/auth/setup', {
      body: { code, username: 'root', password: 'too-short' },
      headers: CSRF,
    });
    expect(short.status).toBe(400);
    expect(short.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(short.body.field).toBe('body.password');

    const done = await call(base, 'POST', 'api/auth/setup', {
      body: { code, username: 'root', password: PASSWORD },
      headers: CSRF,
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ principal: { name: 'root', role: 'admin' }, setup: false });
    const setupSession = { cookie: done.headers.get('set-cookie')!.split(';')[0]! };
    expect((await pause(base, setupSession)).status).toBe(200);
    expect(first.output()).toContain(`first-run setup done: admin "root" kept in ${file}`);

    const again = await call(base, 'POST', 'api/auth/setup', {
      body: { code, username: 'eve', password: PASSWORD },
      headers: CSRF,
    });
    expect(again.status).toBe(409);

    // Only the hash is kept, with the session secret, written atomically (no temporary left).
    const stored = JSON.parse(readFileSync(file, 'utf8')) as {
      sessionSecret: string;
      users: { username: string; passwordHash: string; role: string }[];
    };
    expect(stored.users).toEqual([
      { username: 'root', passwordHash: expect.stringMatching(/^scrypt\$/), role: 'admin' },
    ]);
    expect(readFileSync(file, 'utf8')).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, stored.users[0]!.passwordHash)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Login works.
    const wrong = await call(base, 'POST', 'api/auth/login', {
      body: { username: 'root', password: 'not-the-password' },
      headers: CSRF,
    });
    expect(wrong.status).toBe(401);
    const login = await call(base, 'POST', 'api/auth/login', {
      body: { username: 'root', password: PASSWORD },
      headers: CSRF,
    });
    expect(login.status).toBe(200);
    const session = { cookie: login.headers.get('set-cookie')!.split(';')[0]! };
    expect((await call(base, 'GET', 'api/overview', { headers: session })).status).toBe(200);

    // A restart: the stored admin, login required, no setup; the session survives.
    await first.stop();
    const second = await serve(args, { env });
    expect(second.output()).not.toContain('setup code');
    expect(second.output()).toMatch(/writes: after login, by role: 1 user \(password login\)/);
    const restarted = local(second);
    expect((await call(restarted, 'GET', 'api/auth/me')).body).toMatchObject({
      principal: null,
      setup: false,
    });
    expect((await call(restarted, 'GET', 'api/overview')).status).toBe(401);
    expect((await pause(restarted)).status).toBe(401);
    const closed = await call(restarted, 'POST', 'api/auth/setup', {
      body: { code, username: 'eve', password: PASSWORD },
      headers: CSRF,
    });
    expect(closed.status).toBe(409);
    expect((await call(restarted, 'GET', 'api/overview', { headers: session })).status).toBe(200);
    const relogin = await call(restarted, 'POST', 'api/auth/login', {
      body: { username: 'root', password: PASSWORD },
      headers: CSRF,
    });
    expect(relogin.status).toBe(200);
    expect(JSON.parse(readFileSync(file, 'utf8')).sessionSecret).toBe(stored.sessionSecret);
  });

  it('offers no setup on loopback or with --read-only, and --read-only still wins after it', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'qadmin-setup-')), 'state');
    const env = { QADMIN_STATE_DIR: stateDir };
    const loopback = await serve(['--demo', '--port', '0'], { env });
    expect(loopback.output()).not.toContain('setup code');
    expect(loopback.output()).toContain('writes: off, because no users or tokens are configured');
    const readOnly = await serve(['--demo', '--host', '0.0.0.0', '--port', '0', '--read-only'], {
      env,
    });
    expect(readOnly.output()).not.toContain('setup code');
    expect(readOnly.output()).toContain('writes: off (--read-only)');
    // Neither wrote a state directory.
    expect(() => statSync(stateDir)).toThrow();

    // An admin kept by an earlier setup: login, and still no change under --read-only.
    mkdirSync(stateDir, { mode: 0o700 });
    writeFileSync(
      join(stateDir, 'auth.json'),
      JSON.stringify({
        version: 1,
        sessionSecret: 's'.repeat(43),
        users: [{ username: 'root', passwordHash: await hashPassword(PASSWORD), role: 'admin' }],
      }),
      { mode: 0o600 },
    );
    const locked = await serve(['--demo', '--port', '0', '--read-only'], { env });
    const base = local(locked);
    expect((await call(base, 'GET', 'api/overview')).status).toBe(401);
    const login = await call(base, 'POST', 'api/auth/login', {
      body: { username: 'root', password: PASSWORD },
      headers: CSRF,
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await pause(base, { cookie })).status).toBe(403);
  });

  it('names a broken state file and exits 1', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'qadmin-setup-'));
    writeFileSync(join(stateDir, 'auth.json'), '{"version": 1, "users": []}', { mode: 0o600 });
    const failed = await runQadmin(['serve', '--demo', '--host', '0.0.0.0', '--port', '0'], {
      env: { QADMIN_STATE_DIR: stateDir },
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(join(stateDir, 'auth.json'));
    expect(failed.stderr).toMatch(/sessionSecret/);
  });
});

describe('the state directory setting', () => {
  it('comes from --state-dir, QADMIN_STATE_DIR, the config file (relative to it), or ./.qadmin', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'qadmin-state-dir-'));
    const configDir = join(cwd, 'conf');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'qadmin.config.json'), JSON.stringify({ stateDir: 'kept' }));
    const config = join('conf', 'qadmin.config.json');
    const resolveWith = (flags: object, env: NodeJS.ProcessEnv) =>
      resolveServeSettings({ demo: true, ...flags }, env, cwd).then((s) => s.stateDir);

    expect(await resolveWith({}, {})).toBe(join(cwd, '.qadmin'));
    expect(await resolveWith({ config }, {})).toBe(join(configDir, 'kept'));
    expect(await resolveWith({ config }, { QADMIN_STATE_DIR: 'from-env' })).toBe(
      join(cwd, 'from-env'),
    );
    expect(
      await resolveWith({ config, 'state-dir': '/srv/qadmin' }, { QADMIN_STATE_DIR: 'x' }),
    ).toBe('/srv/qadmin');
    await expect(resolveWith({ 'state-dir': ' ' }, {})).rejects.toThrow(
      /--state-dir must not be empty/,
    );
  });
});
