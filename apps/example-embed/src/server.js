// @ts-check
/**
 * "Acme admin", an admin site that already exists, with qadmin's elements in
 * its own pages: `<qadmin-overview>` and friends in cards on `/`, and
 * `<qadmin-queue-list>` driven by React on `/react.html`. The dashboard's JSON
 * API (and the full dashboard, where the elements link) is mounted at
 * /admin/queues, over the in-memory backend with a synthetic workload.
 *
 * The pages are plain files in public/ and style the elements with
 * `--qadmin-*` tokens in the site's own stylesheet (public/acme.css). Their
 * scripts are bundled with esbuild when the server starts, as your own
 * bundler would: @qadmin/ui ships ES modules that import `lit` and friends by
 * bare name, which a browser cannot load as they are.
 *
 * Environment: PORT (default 3000, 0 picks a free port), HOST (default 127.0.0.1).
 */
import { fileURLToPath } from 'node:url';
import { createMemoryBackend, startDemoWorkload } from '@qadmin/backend-memory';
import { createAdmin } from '@qadmin/core';
import { qadmin } from '@qadmin/express';
import { build } from 'esbuild';
import express from 'express';

const here = (/** @type {string} */ path) => fileURLToPath(new URL(path, import.meta.url));

// The page scripts: src/embed-entry.js (just `import '@qadmin/ui/define'`) for
// the plain page, src/react-page.jsx for the React one. Shared code (Lit and
// the elements) goes to one chunk both pages load.
await build({
  entryPoints: { embed: here('./embed-entry.js'), 'react-page': here('./react-page.jsx') },
  outdir: here('../dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  minify: true,
  sourcemap: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
  // @qadmin/ui's entries import its shared chunks for ordering only ("sideEffects"
  // says they have none); esbuild says so once per import. Nothing is lost.
  logOverride: { 'ignored-bare-import': 'silent' },
});

// The queues. With BullMQ or pg-boss this is where their backend goes instead.
const backend = createMemoryBackend({ label: 'in-memory' });
const stopWorkload = startDemoWorkload(backend);
const admin = createAdmin({
  backends: [backend],
  title: 'Acme admin: queues',
  // A local example: anyone who reaches it (127.0.0.1 by default) may change jobs, and
  // qadmin says so at start-up. In production, configure `auth` (see the security section
  // of the root README) and leave this out: without auth the dashboard is read-only.
  unsafeAnonymousWrites: true,
});

const app = express();
// The dashboard's API (and the full dashboard the elements link to).
app.use('/admin/queues', qadmin(admin));

// The site's own pages: no inline script or style anywhere, so a strict policy holds.
app.use((_req, res, next) => {
  res.set(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
      "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
  );
  next();
});
app.use('/assets', express.static(here('../dist'), { fallthrough: false }));
app.use(express.static(here('../public')));

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  const url =
    typeof address === 'object' && address ? `http://${address.address}:${address.port}` : '';
  console.log(`example-embed: dashboard at ${url}/`);
  console.log(
    `example-embed: React page at ${url}/react.html, full dashboard at ${url}/admin/queues/`,
  );
});

async function shutdown() {
  stopWorkload();
  server.closeAllConnections();
  server.close();
  await admin.close();
  process.exit(0);
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
