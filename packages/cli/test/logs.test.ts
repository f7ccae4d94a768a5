/**
 * `qadmin serve --log-format json` and `--access-log`, over real processes:
 * every line is one JSON object with its fields, failures included, and the
 * access log names who asked for what without a query value, a cookie or a
 * credential.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type Output, routeConsole } from '../src/log';
import { runQadmin, type Served, serveStoppedAfterEach } from './qadmin';

const serve = serveStoppedAfterEach();

type Line = Record<string, unknown> & { time: string; level: string; msg: string };

/** Every line of `text` as JSON: fails on the first that is not an object with time, level, msg. */
function jsonLines(text: string): Line[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
      expect(parsed).toMatchObject({
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        level: expect.stringMatching(/^(info|warn|error)$/),
        msg: expect.any(String),
      });
      return parsed as Line;
    });
}

/** Waits until `served` has printed a line that `match` accepts. */
async function waitForOutput(served: Served, match: RegExp, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!match.test(served.output())) {
    if (Date.now() > until)
      throw new Error(`no ${match} within ${timeoutMs} ms:\n${served.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const configDir = (config: object): string => {
  const dir = mkdtempSync(join(tmpdir(), 'qadmin-logs-'));
  writeFileSync(join(dir, 'qadmin.config.json'), JSON.stringify(config));
  return dir;
};

describe('qadmin serve --log-format json', () => {
  it('prints the start-up report and the shutdown as JSON lines with their fields', async () => {
    const served = await serve(['--demo', '--port', '0', '--log-format', 'json']);
    const { code } = await served.stop();
    // The whole output on failure: a missing line is otherwise a riddle.
    expect(code, served.output()).toBe(0);
    const lines = jsonLines(served.output());
    const byEvent = (event: string) => lines.find((line) => line.event === event);

    expect(byEvent('listening')).toMatchObject({ level: 'info', url: served.url, ui: true });
    expect(byEvent('source')).toMatchObject({
      id: 'memory',
      kind: 'demo',
      source: 'demo (in-memory, with a synthetic workload)',
      queues: expect.arrayContaining(['emails', 'exports']),
    });
    expect(byEvent('endpoints')).toMatchObject({ metrics: `${served.url}metrics` });
    expect(byEvent('writes')).toMatchObject({
      writes: 'off',
      reason: 'no-users-or-tokens',
      msg: expect.stringMatching(/^writes: off, because no users or tokens are configured/),
    });
    expect(byEvent('stopping'), served.output()).toMatchObject({
      reason: 'SIGTERM',
      msg: 'SIGTERM: stopping',
    });
    // The same words as the text format: only the `qadmin: ` prefix is gone.
    expect(byEvent('ready')?.msg).toBe('Ctrl+C (or SIGTERM) stops it');
  });

  it('prints the first-run setup code as a field (QADMIN_LOG_FORMAT)', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'qadmin-logs-')), 'state');
    const served = await serve(['--demo', '--host', '0.0.0.0', '--port', '0'], {
      env: { QADMIN_LOG_FORMAT: 'json', QADMIN_STATE_DIR: stateDir },
    });
    const lines = jsonLines(served.output());
    const setupCode = lines.find((line) => line.event === 'setup-code')?.setupCode;
    expect(setupCode).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    expect(lines.find((line) => line.event === 'writes')).toMatchObject({
      writes: 'off',
      reason: 'first-run-setup-pending',
    });
  });

  it('takes logFormat from the config file, and flags win over it', async () => {
    const cwd = configDir({ demo: true, logFormat: 'json' });
    const fromFile = await serve(['--port', '0'], { cwd });
    expect(jsonLines(fromFile.output()).some((line) => line.event === 'config-file')).toBe(true);
    const fromFlag = await serve(['--port', '0', '--log-format', 'text'], { cwd });
    expect(fromFlag.output()).toMatch(/^qadmin: dashboard at /);
  });

  it('reports failures as one JSON line on stderr, with the exit code and no stack', async () => {
    const badPort = await runQadmin(['serve', '--demo', '--log-format', 'json', '--port', 'x']);
    expect(badPort.code).toBe(2);
    expect(badPort.stdout).toBe('');
    const [line, ...more] = jsonLines(badPort.stderr);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 'error',
      event: 'failed',
      exitCode: 2,
      msg: expect.stringContaining('--port must be a whole number'),
    });

    const unreachable = await runQadmin(
      ['serve', '--redis', 'redis://:s3cret@127.0.0.1:1/0', '--port', '0'],
      { env: { QADMIN_LOG_FORMAT: 'json' } },
    );
    expect(unreachable.code).toBe(1);
    const [failed] = jsonLines(unreachable.stderr);
    expect(failed).toMatchObject({ level: 'error', exitCode: 1 });
    expect(failed!.msg).toMatch(/cannot read from source "bullmq".*ECONNREFUSED/);
    expect(failed!.stack).toBeUndefined();
    expect(unreachable.stderr).not.toContain('s3cret');
  });

  it('refuses an unknown format in one line (exit 2)', async () => {
    const result = await runQadmin(['serve', '--demo', '--log-format', 'xml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('qadmin serve: --log-format must be text or json, not "xml"\n');
  });
});

describe('qadmin serve --access-log', () => {
  const token = 'ci-token-0123456789abcdefghijkl';

  it('logs a compact line per request: path and query names, never their values', async () => {
    const served = await serve(['--demo', '--port', '0', '--access-log']);
    const response = await fetch(
      `${served.url}api/queues/memory:emails/jobs?state=failed&search=ana%40example.com&token=hunter2`,
      // Bytes are counted as sent: uncompressed, to compare them with the body.
      { headers: { 'accept-encoding': 'identity' } },
    );
    const body = await response.arrayBuffer();
    await waitForOutput(served, /GET \/api\/queues\/memory:emails\/jobs/);
    const line = served
      .output()
      .split('\n')
      .find((text) => text.includes('GET /api/queues/memory:emails/jobs'));
    expect(line).toMatch(
      new RegExp(
        `^qadmin: GET /api/queues/memory:emails/jobs\\?state&search&token 200 \\d+(\\.\\d)?ms ${body.byteLength}B$`,
      ),
    );
    expect(served.output()).not.toMatch(/hunter2|ana%40|failed&/);
  });

  it('in JSON: method, path, query names, status, duration, bytes and the principal, no credential', async () => {
    const cwd = configDir({
      demo: true,
      logFormat: 'json',
      accessLog: true,
      auth: { tokens: [{ name: 'ci', token, role: 'viewer' }] },
    });
    const served = await serve(['--port', '0'], { cwd });
    const ok = await fetch(`${served.url}api/overview?cursor=abc`, {
      headers: {
        authorization: `Bearer ${token}`,
        cookie: 'qadmin_session=not-a-session',
        'accept-encoding': 'identity',
      },
    });
    const bytes = (await ok.arrayBuffer()).byteLength;
    const refused = await fetch(`${served.url}api/overview`);
    await refused.arrayBuffer();
    await waitForOutput(served, /"status":401/);

    const requests = jsonLines(served.output()).filter((line) => line.event === 'request');
    expect(requests[0]).toMatchObject({
      level: 'info',
      method: 'GET',
      path: '/api/overview',
      query: ['cursor'],
      status: 200,
      durationMs: expect.any(Number),
      bytes,
      principal: 'ci',
    });
    expect(requests[1]).toMatchObject({ path: '/api/overview', status: 401 });
    expect(requests[1]).not.toHaveProperty('principal');
    expect(served.output()).not.toContain(token);
    expect(served.output()).not.toContain('not-a-session');
  });

  it('names whoever the first-run setup creates on that very request', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'qadmin-logs-')), 'state');
    const served = await serve(
      ['--demo', '--host', '0.0.0.0', '--port', '0', '--access-log', '--log-format', 'json'],
      { env: { QADMIN_STATE_DIR: stateDir } },
    );
    const code = jsonLines(served.output()).find((line) => line.event === 'setup-code')?.setupCode;
    const base = served.url.replace('://0.0.0.0:', '://127.0.0.1:');
    const password = 'correct-horse-battery';
    const done = await fetch(`${base}api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: JSON.stringify({ code, username: 'root', password }),
    });
    expect(done.status).toBe(200);
    await done.arrayBuffer();
    await waitForOutput(served, /"path":"\/api\/auth\/setup"/);
    const requests = jsonLines(served.output()).filter((line) => line.event === 'request');
    const setup = requests.find((line) => line.path === '/api/auth/setup');
    expect(setup).toMatchObject({ method: 'POST', status: 200, principal: 'root' });
    expect(served.output()).not.toContain(password);
    expect(JSON.stringify(requests)).not.toContain(String(code));
  });

  it('prints no request lines without --access-log', async () => {
    const served = await serve(['--demo', '--port', '0']);
    await (await fetch(`${served.url}api/overview`)).arrayBuffer();
    await served.stop();
    expect(served.output()).not.toContain('GET /api/overview');
  });
});

describe('the logger', () => {
  const capture = () => {
    const lines: { stream: 'out' | 'err'; line: string }[] = [];
    const output: Output = {
      out: (line) => lines.push({ stream: 'out', line }),
      err: (line) => lines.push({ stream: 'err', line }),
    };
    return { lines, output };
  };
  const at = () => new Date('2025-01-02T03:04:05.678Z');

  it('writes info to stdout, warn and error to stderr, as text or JSON', () => {
    const { lines, output } = capture();
    const text = createLogger(output, 'text', at);
    text.info('hello', { ignored: true });
    text.warn('careful');
    const json = createLogger(output, 'json', at);
    json.error('broken', { id: 'bullmq' });
    expect(lines).toEqual([
      { stream: 'out', line: 'qadmin: hello' },
      { stream: 'err', line: 'qadmin: careful' },
      {
        stream: 'err',
        line: '{"time":"2025-01-02T03:04:05.678Z","level":"error","msg":"broken","id":"bullmq"}',
      },
    ]);
  });

  it('keeps time, level and msg when a field has the same name', () => {
    const { lines, output } = capture();
    createLogger(output, 'json', at).info('real', { msg: 'fake', level: 'error', time: 'x' });
    expect(JSON.parse(lines[0]!.line)).toEqual({
      time: '2025-01-02T03:04:05.678Z',
      level: 'info',
      msg: 'real',
    });
  });

  it('routes console output through the logger, an Error as fields, until restored', () => {
    const { lines, output } = capture();
    const original = console.error;
    const restore = routeConsole(createLogger(output, 'json', at));
    try {
      console.error('[qadmin] GET /api/x failed:', new Error('boom'));
    } finally {
      restore();
    }
    expect(console.error).toBe(original);
    const line = JSON.parse(lines[0]!.line) as Record<string, string>;
    expect(line).toMatchObject({
      level: 'error',
      msg: '[qadmin] GET /api/x failed:',
      error: 'boom',
    });
    expect(line.stack).toMatch(/^Error: boom\n\s+at /);
  });
});
