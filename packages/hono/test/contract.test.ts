/**
 * @qadmin/hono against the adapter contract, over @hono/node-server, mounted
 * the way the README recommends: `app.route(path, qadmin(admin))` next to a
 * host route, the host's own notFound and onError, behind `hono/compress`
 * (which must leave event streams alone). test/host.test.ts covers host
 * middleware, params in the mount path and `app.request()`.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { listenHarness, runAdapterContract } from '@qadmin/testkit';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { expect, it } from 'vitest';
import { qadmin } from '../src/index';

/** The version of the `hono` this test resolves (its exports map may not expose package.json). */
function resolvedHonoVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('hono'));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (manifest.name === 'hono') return manifest.version;
    } catch {
      // No package.json here (or not hono's): keep climbing.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('hono/package.json not found above the resolved entry');
    dir = parent;
  }
}

const version = resolvedHonoVersion();

it('runs against Hono 4', () => {
  expect(version.split('.')[0]).toBe('4');
});

runAdapterContract(`hono ${version}`, (admin, { basePath }) => {
  const app = new Hono();
  app.use(compress());
  app.get('/health', (c) => c.json({ ok: true }));
  app.route(basePath || '/', qadmin(admin));
  app.notFound((c) => c.text('host app: not found', 404));
  app.onError((error, c) => c.text(`host error handler: ${error.message}`, 500));
  return listenHarness(createAdaptorServer({ fetch: app.fetch }) as Server, basePath);
});
