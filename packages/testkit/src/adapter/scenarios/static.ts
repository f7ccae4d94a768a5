/**
 * The UI's files: index.html configured for the mount path, caching by kind
 * of file, validators, compression, the SPA fallback, and nothing outside
 * the UI directory.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect } from 'vitest';
import type { AdapterContext } from '../context';
import {
  HASHED_ASSET,
  HASHED_ASSET_BODY,
  INDEX_MARKER,
  SECRET_TEXT,
  UNHASHED_FILE,
  UNHASHED_FILE_BODY,
} from '../fixture';
import { mediaType, rawRequest } from '../http';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

function expectIndex(response: Response, text: string, basePath: string): void {
  expect(response.status, text.slice(0, 300)).toBe(200);
  expect(mediaType(response.headers.get('content-type'))).toBe('text/html');
  expect(text).toContain(INDEX_MARKER);
  expect(text).toContain(`<base href="${basePath}/">`);
}

/**
 * Registers the UI file scenarios: index.html with `<base href>` for the
 * mount, caching of hashed and unhashed files, ETag and 304, gzip, the SPA
 * fallback, 404 for unknown assets, traversal and dotfiles, the favicon.
 *
 * @example
 * ```ts
 * staticScenarios(ctx);
 * ```
 */
export function staticScenarios(ctx: AdapterContext): void {
  describe('UI files', () => {
    ctx.test(
      'GET {mount}/ serves index.html with <base href> for the mount, not cached',
      async () => {
        const { url } = ctx.shared();
        const response = await fetch(url(), { headers: HTML });
        expectIndex(response, await response.text(), ctx.basePath);
        expect(response.headers.get('cache-control')).toContain('no-cache');
      },
    );

    if (ctx.basePath !== '') {
      ctx.test('GET {mount} without the trailing slash reaches the UI too', async () => {
        const { origin, mountPath } = ctx.shared();
        // A redirect to `{mount}/` is as good as the page itself.
        const response = await fetch(`${origin}${mountPath}`, { headers: HTML });
        expectIndex(response, await response.text(), ctx.basePath);
      });
    }

    ctx.test(
      'a hashed asset is immutable for a year, with an ETag and 304 on If-None-Match',
      async () => {
        const { origin, mountPath } = ctx.shared();
        const path = `${mountPath}/${HASHED_ASSET}`;
        const response = await rawRequest(origin, path);
        expect(response.status).toBe(200);
        expect(mediaType(response.headers['content-type'])).toBe('text/javascript');
        expect(response.headers['content-encoding'] ?? 'identity').toBe('identity');
        expect(response.body.toString('utf8')).toBe(HASHED_ASSET_BODY);
        const cacheControl = String(response.headers['cache-control']);
        expect(cacheControl).toContain('max-age=31536000');
        expect(cacheControl).toContain('immutable');
        const etag = response.headers.etag;
        expect(etag).toEqual(expect.any(String));

        const revalidated = await rawRequest(origin, path, { headers: { 'if-none-match': etag! } });
        expect(revalidated.status).toBe(304);
        expect(revalidated.body.byteLength).toBe(0);
      },
    );

    ctx.test(
      'Accept-Encoding gzip gets a gzip body that decompresses to the same bytes',
      async () => {
        const { origin, mountPath } = ctx.shared();
        const response = await rawRequest(origin, `${mountPath}/${HASHED_ASSET}`, {
          headers: { 'accept-encoding': 'gzip' },
        });
        expect(response.status).toBe(200);
        expect(response.headers['content-encoding']).toBe('gzip');
        expect(String(response.headers.vary).toLowerCase()).toContain('accept-encoding');
        expect(gunzipSync(response.body).toString('utf8')).toBe(HASHED_ASSET_BODY);
      },
    );

    ctx.test('a file without a hash in its name must be revalidated', async () => {
      const { url } = ctx.shared();
      const response = await fetch(url(UNHASHED_FILE));
      expect(response.status).toBe(200);
      expect(mediaType(response.headers.get('content-type'))).toBe('text/plain');
      expect(await response.text()).toBe(UNHASHED_FILE_BODY);
      expect(response.headers.get('cache-control')).toContain('must-revalidate');
    });

    ctx.test('a deep link asked for as HTML gets index.html (SPA fallback)', async () => {
      const { url } = ctx.shared();
      const response = await fetch(url('queues/memory:emails/jobs/1'), { headers: HTML });
      expectIndex(response, await response.text(), ctx.basePath);
    });

    ctx.test('an unknown asset is a 404', async () => {
      const { url } = ctx.shared();
      const response = await fetch(url('assets/nope-12345678.js'));
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain(INDEX_MARKER);
    });

    ctx.test('path traversal and dotfiles never reach a file', async () => {
      const { origin, mountPath } = ctx.shared();
      const attempts = [
        '/..%2f..%2fetc/passwd',
        '/..%2fsecret.txt',
        '/%2e%2e/secret.txt',
        '/%2e%2e%2fsecret.txt',
        '/assets/..%2f..%2fsecret.txt',
        '/assets/%2e%2e%5c%2e%2e%5csecret.txt',
        '/..%5csecret.txt',
        '/.env',
        '/%2eenv',
      ];
      for (const attempt of attempts) {
        const response = await rawRequest(origin, `${mountPath}${attempt}`, { headers: HTML });
        const text = response.body.toString('utf8');
        expect([400, 403, 404], `${attempt} answered ${response.status}`).toContain(
          response.status,
        );
        expect(text, attempt).not.toContain(SECRET_TEXT);
        expect(text, attempt).not.toMatch(/root:.*:0:0:/);
      }
    });

    ctx.test('GET /favicon.ico answers 200 or 204', async () => {
      const { url } = ctx.shared();
      const response = await fetch(url('favicon.ico'));
      expect([200, 204]).toContain(response.status);
    });
  });
}
