import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, type QadminApp } from './admin';
import { injectUiConfig, isHashedFileName } from './static';
import { createFakeBackend, rawRequest, startServer } from './test-support';

const SCRIPT = `export const rows = [${Array.from({ length: 300 }, (_, i) => `{id:${i},label:"row ${i}"}`).join(',')}];\n`;
const INDEX =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>UI</title><base href="/old/">' +
  '<meta name="qadmin-config" content="{}"><script type="module" src="assets/app-3f9a1c2b.js"></script>' +
  '</head><body><qadmin-app></qadmin-app></body></html>';

type Served = Awaited<ReturnType<typeof startServer>>;

describe('UI files from uiDir', () => {
  let dir: string;
  let uiDir: string;
  let admin: QadminApp;
  let root: Served;
  let mounted: Served;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qadmin-static-'));
    uiDir = join(dir, 'ui');
    mkdirSync(join(uiDir, 'assets'), { recursive: true });
    writeFileSync(join(uiDir, 'index.html'), INDEX);
    writeFileSync(join(uiDir, 'assets', 'app-3f9a1c2b.js'), SCRIPT);
    writeFileSync(join(uiDir, 'assets', 'style.css'), `body { color: red; }\n`.repeat(100));
    writeFileSync(join(uiDir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    writeFileSync(join(uiDir, '.env'), 'TOKEN=inside');
    writeFileSync(join(dir, 'secret.txt'), 'TOKEN=outside');
    mkdirSync(join(dir, 'ui-private'));
    writeFileSync(join(dir, 'ui-private', 'secret.txt'), 'TOKEN=sibling');
    admin = createAdmin({ backends: [createFakeBackend()], uiDir, title: 'Ops <queues>' });
    root = await startServer(admin);
    mounted = await startServer(admin, '/admin/queues/');
  });

  afterAll(async () => {
    await root.close();
    await mounted.close();
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html with <base href>, the config meta tag and the title', async () => {
    const page = await rawRequest(root.origin, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    const html = page.body.toString();
    expect(html).toContain('<head><base href="/"><meta name="qadmin-config" content="');
    expect(html).not.toContain('/old/');
    expect(html.match(/qadmin-config/g)).toHaveLength(1);
    expect(html).toContain('<title>Ops &lt;queues&gt;</title>');
    expect(html).not.toMatch(/<script>/);
    const config = /name="qadmin-config" content="([^"]*)"/
      .exec(html)![1]!
      .replaceAll('&quot;', '"');
    expect(JSON.parse(config.replaceAll('&lt;', '<').replaceAll('&gt;', '>'))).toEqual({
      basePath: '',
      apiBase: '/api',
      title: 'Ops <queues>',
      readOnly: false,
    });

    const underPrefix = (await rawRequest(mounted.origin, '/admin/queues/')).body.toString();
    expect(underPrefix).toContain('<base href="/admin/queues/">');
    expect(underPrefix).toContain('&quot;apiBase&quot;:&quot;/admin/queues/api&quot;');
    expect((await rawRequest(mounted.origin, '/admin/queues')).status).toBe(200);
    expect((await rawRequest(mounted.origin, '/admin/queues/index.html')).body.toString()).toBe(
      underPrefix,
    );
  });

  it('hands the branding option to the UI in its config, and names a bad field at start', async () => {
    const branded = createAdmin({
      backends: [createFakeBackend()],
      uiDir,
      branding: { logoUrl: '/static/logo.svg', accentColor: 'oklch(60% 0.15 40)', theme: 'dark' },
    });
    const served = await startServer(branded);
    try {
      const html = (await rawRequest(served.origin, '/')).body.toString();
      const config = JSON.parse(
        /name="qadmin-config" content="([^"]*)"/.exec(html)![1]!.replaceAll('&quot;', '"'),
      );
      expect(config).toMatchObject({
        logoUrl: '/static/logo.svg',
        accentColor: 'oklch(60% 0.15 40)',
        theme: 'dark',
      });
    } finally {
      await served.close();
      await branded.close();
    }
    const bad: [unknown, RegExp][] = [
      [{ logoUrl: 'javascript:alert(1)' }, /^branding\.logoUrl: must be a path/],
      [{ faviconUrl: '' }, /^branding\.faviconUrl:/],
      [{ accentColor: 'red; background: url(x)' }, /^branding\.accentColor: must be a CSS colour/],
      [{ theme: 'blue' }, /^branding\.theme:/],
      [{ logo: '/x.svg' }, /^branding: .*logo/],
    ];
    for (const [branding, message] of bad) {
      expect(() =>
        createAdmin({ backends: [createFakeBackend()], uiDir, branding: branding as never }),
      ).toThrow(message);
    }
  });

  it('caches hashed files forever and revalidates the others', async () => {
    const hashed = await rawRequest(root.origin, '/assets/app-3f9a1c2b.js');
    expect(hashed.status).toBe(200);
    expect(hashed.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(hashed.body.toString()).toBe(SCRIPT);
    const css = await rawRequest(root.origin, '/assets/style.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    const png = await rawRequest(root.origin, '/logo.png', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-encoding']).toBeUndefined();
  });

  it('answers If-None-Match with 304', async () => {
    const first = await rawRequest(root.origin, '/assets/style.css');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await rawRequest(root.origin, '/assets/style.css', {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
    expect(again.headers.etag).toBe(etag);
    const listed = await rawRequest(root.origin, '/assets/style.css', {
      headers: { 'if-none-match': `"other", W/${etag}` },
    });
    expect(listed.status).toBe(304);
    const stale = await rawRequest(root.origin, '/assets/style.css', {
      headers: { 'if-none-match': '"other"' },
    });
    expect(stale.status).toBe(200);
    const index = await rawRequest(root.origin, '/');
    const index304 = await rawRequest(root.origin, '/', {
      headers: { 'if-none-match': index.headers.etag! },
    });
    expect(index304.status).toBe(304);
  });

  it('compresses with brotli or gzip as accepted, once per file', async () => {
    const br = await rawRequest(root.origin, '/assets/app-3f9a1c2b.js', {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    expect(br.body.byteLength).toBeLessThan(SCRIPT.length);
    const gzip = await rawRequest(root.origin, '/assets/app-3f9a1c2b.js', {
      headers: { 'accept-encoding': 'gzip, br;q=0' },
    });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);
    expect(gzip.headers.etag).not.toBe(br.headers.etag);
    const plain = await rawRequest(root.origin, '/assets/app-3f9a1c2b.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('accept-encoding');
    const gzip304 = await rawRequest(root.origin, '/assets/app-3f9a1c2b.js', {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': gzip.headers.etag! },
    });
    expect(gzip304.status).toBe(304);
    expect(Number(gzip.headers['content-length'])).toBe(gzip.body.byteLength);
  });

  it('falls back to index.html for deep links only', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const deep = await rawRequest(mounted.origin, '/admin/queues/queues/mem%3Aemails/jobs/2', {
      headers: html,
    });
    expect(deep.status).toBe(200);
    expect(deep.body.toString()).toContain('<base href="/admin/queues/">');
    expect(
      (
        await rawRequest(mounted.origin, '/admin/queues/queues/x', {
          headers: { accept: 'application/json' },
        })
      ).status,
    ).toBe(404);
    // Ids with a dot: a queue `emails.v2`, a job `order.17`, a name ending like a file.
    for (const path of [
      '/admin/queues/queues/mem%3Aemails.v2',
      '/admin/queues/queues/mem%3Aemails/jobs/order.17',
      '/admin/queues/queues/mem%3Aq%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D1%3E',
      '/admin/queues/queues/mem%3Aemails/jobs/x.__proto__',
    ]) {
      const page = await rawRequest(mounted.origin, path, { headers: html });
      expect(page.status, path).toBe(200);
      expect(page.body.toString(), path).toContain('<base href="/admin/queues/">');
    }
    const missingAsset = await rawRequest(
      mounted.origin,
      '/admin/queues/assets/missing-1234abcd.js',
      { headers: html },
    );
    expect(missingAsset.status).toBe(404);
    expect(missingAsset.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  });

  it('rejects paths that leave uiDir or name dotfiles', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/.env',
      '/assets/%00.js',
      '/%E0%A4%A',
    ]) {
      const result = await rawRequest(root.origin, path, { headers: { accept: 'text/html' } });
      expect(result.status, path).toBe(404);
      expect(result.body.toString(), path).not.toContain('TOKEN');
    }
    const direct = await admin.handle({
      method: 'GET',
      path: '/../secret.txt',
      basePath: '',
      query: new URLSearchParams(),
      headers: {},
    });
    expect(direct.status).toBe(404);
  });

  it('never serves a file outside uiDir, however the path is encoded or sent', async () => {
    const secret = join(dir, 'secret.txt');
    const sibling = `/../${basename(uiDir)}-private/secret.txt`;
    const paths = [
      // Double encoding: decoded once, `%2e%2e` is a plain (missing) file name.
      '/%252e%252e/secret.txt',
      '/%252e%252e%252fsecret.txt',
      '/assets/%252e%252e%252f%252e%252e%252fsecret.txt',
      // Mixed and partial encodings, overlong UTF-8 dots, `..;`.
      '/.%2e/secret.txt',
      '/%2e./secret.txt',
      '/..%2Fsecret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/..%2f..%2f..%2f' + secret.split('/').slice(1).map(encodeURIComponent).join('%2f'),
      '/%c0%ae%c0%ae/secret.txt',
      '/%c0%ae%c0%ae%c0%afsecret.txt',
      '/..;/secret.txt',
      // Backslashes, plain and encoded (node's URL parser reads a plain one as `/`).
      '/..\\secret.txt',
      '/assets\\..\\..\\secret.txt',
      '/%5c..%5c..%5csecret.txt',
      '/..%255csecret.txt',
      // Absolute paths: encoded in one segment, or after a double slash.
      `/${encodeURIComponent(secret)}`,
      `/%2F${secret.slice(1).split('/').map(encodeURIComponent).join('%2F')}`,
      `/${secret}`,
      `//${secret.slice(1)}`,
      '/C:%5C..%5Csecret.txt',
      // NUL, encoded (a plain one is refused by node's parser, see below).
      '/secret.txt%00',
      '/%00/../secret.txt',
      '/..%00/secret.txt',
      '/index.html%00/../../secret.txt',
      // A sibling directory whose name starts like uiDir's.
      sibling,
      sibling.replace('/../', '/%2e%2e/'),
      sibling.replace('/../', '/..%2f'),
    ];
    for (const path of paths) {
      for (const served of [root, mounted]) {
        const full = served === root ? path : `/admin/queues${path}`;
        for (const method of ['GET', 'HEAD']) {
          const result = await rawRequest(served.origin, full, {
            method,
            headers: { accept: 'text/html' },
          });
          const label = `${method} ${full}`;
          // A deep-link fallback may answer with index.html; never with a file outside.
          expect([200, 404], label).toContain(result.status);
          if (result.status === 200) {
            expect(result.headers['content-type'], label).toBe('text/html; charset=utf-8');
            expect(result.body.toString(), label).toContain('qadmin-config');
          }
          expect(result.body.toString(), label).not.toContain('TOKEN');
        }
      }
    }
  });

  it('refuses traversal sent as raw bytes: NUL, absolute-form and relative request targets', async () => {
    const raw = async (origin: string, target: Buffer | string) => {
      const { hostname, port } = new URL(origin);
      const socket = connect(Number(port), hostname);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(
        Buffer.concat([
          Buffer.from('GET '),
          Buffer.isBuffer(target) ? target : Buffer.from(target, 'latin1'),
          Buffer.from(
            ` HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/html\r\nConnection: close\r\n\r\n`,
          ),
        ]),
      );
      await closed;
      return Buffer.concat(chunks).toString('latin1');
    };
    for (const served of [root, mounted]) {
      const host = new URL(served.origin).host;
      const prefix = served === root ? '' : '/admin/queues';
      const targets: (Buffer | string)[] = [
        Buffer.from(`${prefix}/secret.txt\0`),
        Buffer.from(`${prefix}/..\0/secret.txt`),
        Buffer.from(`${prefix}/../secret.txt\0.html`),
        Buffer.from(`${prefix}/assets/..%2f..%2fsecret.txt\0`),
        '../secret.txt',
        '..%2fsecret.txt',
        `http://${host}${prefix}/../secret.txt`,
        `http://${host}${prefix}/%2e%2e/secret.txt`,
        `http://${host}${prefix}/assets/..%2f..%2fsecret.txt`,
        `http://evil.example${prefix}/assets/%2e%2e%2f%2e%2e%2fsecret.txt`,
        `${prefix}/assets/..%2f..%2fsecret.txt`,
        `${prefix}/../../../../../../../../../../secret.txt`,
        `${prefix}/./.././../secret.txt`,
      ];
      for (const target of targets) {
        const response = await raw(served.origin, target);
        const label = `GET ${String(target).replaceAll('\0', '\\0')}`;
        // 400: node's parser refuses a NUL or a target that is neither a path nor a URL.
        expect(response, label).toMatch(/^HTTP\/1\.1 (200|400|404) /);
        expect(response, label).not.toContain('TOKEN');
      }
    }
  });

  it('answers /favicon.ico with 204 when uiDir has none, and HEAD without a body', async () => {
    const favicon = await rawRequest(root.origin, '/favicon.ico');
    expect(favicon.status).toBe(204);
    const head = await rawRequest(root.origin, '/assets/style.css', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.body.byteLength).toBe(0);
  });

  it('notices a file that changed', async () => {
    const before = await rawRequest(root.origin, '/assets/style.css');
    writeFileSync(join(uiDir, 'assets', 'style.css'), 'body { color: blue; }\n');
    const after = await rawRequest(root.origin, '/assets/style.css');
    expect(after.body.toString()).toBe('body { color: blue; }\n');
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });
});

describe('without a UI (uiDir: false, or @qadmin/ui not installed)', () => {
  let admin: QadminApp;
  let server: Served;
  beforeAll(async () => {
    admin = createAdmin({ backends: [createFakeBackend()], uiDir: false });
    server = await startServer(admin, '/ops');
  });
  afterAll(async () => {
    await server.close();
    await admin.close();
  });

  it('serves a built-in page listing the API, without scripts', async () => {
    const page = await rawRequest(server.origin, '/ops/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = page.body.toString();
    expect(html).toContain('<base href="/ops/">');
    expect(html).toContain('<a href="api/openapi.json">');
    expect(html).toContain('<a href="api/overview"><code>GET api/overview</code></a>');
    expect(html).toContain('<code>POST api/queues/{queueId}/jobs/{jobId}/actions</code>');
    expect(html).not.toContain('<script');
    // Turned off on purpose, so the page does not tell the operator to install it.
    expect(html).toContain('The web UI is turned off on this server');
    expect(html).not.toContain('npm install @qadmin/ui');
    const deep = await rawRequest(server.origin, '/ops/queues/mem%3Aemails', {
      headers: { accept: 'text/html' },
    });
    expect(deep.body.toString()).toBe(html);
    expect((await rawRequest(server.origin, '/ops/favicon.ico')).status).toBe(204);
    expect((await rawRequest(server.origin, '/ops/app.js')).status).toBe(404);
    expect((await rawRequest(server.origin, '/elsewhere')).status).toBe(404);
  });
});

describe('helpers', () => {
  it('isHashedFileName', () => {
    for (const name of [
      'assets/app-3f9a1c2b.js',
      'app.3f9a1c2b.css',
      'chunk-5JNOUDAG.js',
      'index-BxQ3f_9a.js',
      'index-DxQaKbmN.js',
      'index-B-x3f_9a.js',
      'font-abcdef0123456789.woff2',
    ]) {
      expect(isHashedFileName(name), name).toBe(true);
    }
    for (const name of [
      'index.html',
      'favicon.ico',
      'custom-elements.json',
      'service-worker.js',
      'apple-touch-icon.png',
      'Inter-Variable.woff2',
      'app-3f9a1c.js',
      'noextension-3f9a1c2b',
    ]) {
      expect(isHashedFileName(name), name).toBe(false);
    }
  });

  it('injectUiConfig works without a <head>', () => {
    const html = injectUiConfig('<!doctype html><p>hi</p>', {
      basePath: '/a',
      title: 't',
      readOnly: true,
    });
    expect(html).toMatch(
      /^<!doctype html><head><base href="\/a\/"><meta name="qadmin-config" content="[^"]+"><\/head><p>/,
    );
  });
});
