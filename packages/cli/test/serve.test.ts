import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQadmin, serveStoppedAfterEach } from './qadmin';

const serve = serveStoppedAfterEach();

describe('qadmin serve --demo', () => {
  it('prints its URL, sources and why writes are off, and serves the UI and the API', async () => {
    const served = await serve(['--demo', '--port', '0']);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const output = served.output();
    expect(output).toMatch(/source memory: demo .*: 5 queues: emails, exports/);
    expect(output).toContain('writes: off, because no users or tokens are configured');

    const page = await fetch(served.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<script type="module" src="assets\/app-[^"]+\.js">/);

    const overview = await fetch(`${served.url}api/overview`);
    expect(overview.status).toBe(200);
    const body = (await overview.json()) as { queues: { id: string }[] };
    expect(body.queues.map((queue) => queue.id)).toContain('memory:emails');
  });

  it('serves under --base-path, with --title', async () => {
    const served = await serve([
      '--demo',
      '--port',
      '0',
      '--base-path',
      '/ops/queues/',
      '--title',
      'Ops',
    ]);
    expect(served.url).toMatch(/\/ops\/queues\/$/);
    const openapi = (await (await fetch(`${served.url}api/openapi.json`)).json()) as {
      info: { title: string };
    };
    expect(openapi.info.title).toBe('Ops');
  });

  it('takes its settings from QADMIN_* when no flag gives them', async () => {
    const served = await serve([], {
      env: { QADMIN_DEMO: 'true', QADMIN_PORT: '0', QADMIN_BASE_PATH: '/from-env' },
    });
    expect(served.url).toMatch(/\/from-env\/$/);
  });

  it('--no-ui keeps the API, OpenAPI, metrics and events, and serves none of the UI', async () => {
    const withUi = await serve(['--demo', '--port', '0']);
    const uiHtml = await (await fetch(withUi.url, { headers: { accept: 'text/html' } })).text();
    const asset = /src="(assets\/app-[^"]+\.js)"/.exec(uiHtml)![1]!;

    const served = await serve(['--demo', '--port', '0', '--no-ui']);
    expect(served.output()).toContain('--no-ui');
    const root = await fetch(served.url, { headers: { accept: 'text/html' } });
    const html = await root.text();
    expect(html).not.toContain('assets/app-');
    expect(html).toContain('api/openapi.json');
    expect((await fetch(`${served.url}${asset}`)).status).toBe(404);
    expect((await fetch(`${served.url}jobs/some-deep-link`)).status).toBe(404);

    expect((await fetch(`${served.url}api/overview`)).status).toBe(200);
    expect((await fetch(`${served.url}api/openapi.json`)).status).toBe(200);
    const metrics = await fetch(`${served.url}metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('queue="emails"');
    const controller = new AbortController();
    const events = await fetch(`${served.url}api/events`, { signal: controller.signal });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    controller.abort();
  });

  it('stops within 2 s on SIGTERM with exit code 0 while an event stream is open', async () => {
    const served = await serve(['--demo', '--port', '0']);
    const events = await fetch(`${served.url}api/events`);
    const reader = events.body!.getReader();
    // The first event (the overview) proves the stream is open and flowing.
    await reader.read();
    const { code, ms } = await served.stop();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2_000);
    expect(served.output()).toContain('SIGTERM: stopping');
    // The stream ended with the server rather than hanging.
    let done = false;
    while (!done) done = (await reader.read().catch(() => ({ done: true }))).done;
  });
});

describe('qadmin serve with a config file', () => {
  const token = 'ci-token-0123456789abcdefghijkl';

  function configDir(config: object): string {
    const dir = mkdtempSync(join(tmpdir(), 'qadmin-cli-'));
    writeFileSync(join(dir, 'qadmin.config.json'), JSON.stringify(config));
    return dir;
  }

  it('lets a request with a configured bearer token retry a job, and no one else', async () => {
    const cwd = configDir({
      demo: true,
      auth: { tokens: [{ name: 'ci', token, role: 'operator' }] },
    });
    const served = await serve(['--port', '0'], { cwd });
    expect(served.output()).toContain('qadmin.config.json');
    expect(served.output()).toMatch(/writes: after login, by role.*1 token/);

    const authorization = `Bearer ${token}`;
    // The demo fails a webhook for good every 2.5 s.
    let jobId: string | undefined;
    const until = Date.now() + 30_000;
    while (jobId === undefined && Date.now() < until) {
      const page = (await (
        await fetch(`${served.url}api/queues/memory:webhooks/jobs?state=failed&limit=1`, {
          headers: { authorization },
        })
      ).json()) as { jobs: { id: string }[] };
      jobId = page.jobs[0]?.id;
      if (jobId === undefined) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(jobId).toBeDefined();
    const action = `${served.url}api/queues/memory:webhooks/jobs/${encodeURIComponent(jobId!)}/actions`;
    const body = JSON.stringify({ type: 'retry' });
    const headers = { 'content-type': 'application/json' };

    const anonymous = await fetch(action, { method: 'POST', headers, body });
    expect([401, 403]).toContain(anonymous.status);
    const wrongToken = await fetch(action, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${'x'.repeat(32)}` },
      body,
    });
    expect(wrongToken.status).toBe(401);
    const retried = await fetch(action, {
      method: 'POST',
      headers: { ...headers, authorization },
      body,
    });
    expect(retried.status).toBe(200);
  });

  it('reads qadmin.config.mjs when there is no JSON one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qadmin-cli-'));
    writeFileSync(
      join(dir, 'qadmin.config.mjs'),
      'export default { demo: true, title: process.env.DASHBOARD_TITLE };\n',
    );
    const served = await serve(['--port', '0'], {
      cwd: dir,
      env: { DASHBOARD_TITLE: 'From module' },
    });
    expect(served.output()).toContain('qadmin.config.mjs');
    const openapi = (await (await fetch(`${served.url}api/openapi.json`)).json()) as {
      info: { title: string };
    };
    expect(openapi.info.title).toBe('From module');
  });

  it('flags win over the config file', async () => {
    const cwd = configDir({ demo: true, title: 'From file', readOnly: true });
    const served = await serve(['--port', '0', '--title', 'From flag', '--no-read-only'], { cwd });
    const openapi = (await (await fetch(`${served.url}api/openapi.json`)).json()) as {
      info: { title: string };
    };
    expect(openapi.info.title).toBe('From flag');
    expect(served.output()).not.toContain('--read-only');
  });

  it('refuses a config file with an unknown field or a bad token, naming it (exit 2)', async () => {
    const typo = await runQadmin(['serve'], { cwd: configDir({ demo: true, prot: 3000 }) });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/qadmin\.config\.json.*prot/);
    const short = await runQadmin(['serve'], {
      cwd: configDir({
        demo: true,
        auth: { tokens: [{ name: 'ci', token: 'short', role: 'admin' }] },
      }),
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 24 characters');
  });
});

describe('qadmin serve refuses bad flags with one clear line and exit code 2', () => {
  const cases: [string[], RegExp][] = [
    [['--demo', '--bogus'], /unknown flag --bogus/],
    [['--demo', '--port', 'http'], /--port must be a whole number from 0 to 65535/],
    [['--demo', '--port', '70000'], /--port must be a whole number/],
    [['--demo', '--port'], /--port needs a value/],
    [['--redis', 'localhost:6379'], /--redis: .* must start with redis:\/\/ or rediss:\/\//],
    [['--postgres', 'not a url'], /--postgres: .* is not a URL/],
    [['--demo', '--base-path', 'queues'], /--base-path must start with \//],
    [[], /no source: give --redis URL, --postgres URL, --collector FILE or --demo/],
    [
      ['--demo', '--host', '0.0.0.0', '--unsafe-anonymous-writes'],
      /only allowed on 127\.0\.0\.1, localhost or ::1, not on 0\.0\.0\.0/,
    ],
    [['--demo', '--config', 'missing.json'], /--config: no such file/],
  ];
  for (const [args, message] of cases) {
    it(`qadmin serve ${args.join(' ')}`, async () => {
      const result = await runQadmin(['serve', ...args], { cwd: tmpdir() });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    });
  }

  it('QADMIN_PORT is checked like --port', async () => {
    const result = await runQadmin(['serve', '--demo'], { env: { QADMIN_PORT: 'x' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('QADMIN_PORT must be a whole number');
  });

  it('a port in use is a start-up failure (exit 1)', async () => {
    const first = await serve(['--demo', '--port', '0']);
    const port = new URL(first.url).port;
    const result = await runQadmin(['serve', '--demo', '--port', port]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
  });
});
