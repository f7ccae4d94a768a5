/**
 * The embedded default: the qadmin dashboard over the in-memory backend, with
 * a live synthetic workload. `pnpm demo` from the repository root runs it.
 *
 * Environment: PORT (default 3000; the next free port is used when taken),
 * HOST (default 127.0.0.1), BASE_PATH (default /), WORKLOAD_RATE (default 1).
 */
import { createServer } from 'node:http';
import { createMemoryBackend, startDemoWorkload } from '@qadmin/backend-memory';
import { createAdmin, createNodeListener } from '@qadmin/core';

const host = process.env.HOST ?? '127.0.0.1';
const wantedPort = Number(process.env.PORT ?? 3000);
const basePath = process.env.BASE_PATH ?? '/';
const rate = Number(process.env.WORKLOAD_RATE ?? 1);

const backend = createMemoryBackend({ id: 'memory', label: 'demo (in-memory)' });
const stopWorkload = startDemoWorkload(backend, { rate });
const admin = createAdmin({
  backends: [backend],
  title: 'qadmin demo',
  // A local demo: anyone who reaches it (127.0.0.1 by default) may change jobs, and
  // qadmin says so at start-up. In production, configure `auth` (see the security section
  // of the root README) and leave this out: without auth the dashboard is read-only.
  unsafeAnonymousWrites: true,
});
const server = createServer(createNodeListener(admin, { basePath }));

function listen(port: number, attemptsLeft: number): void {
  server.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE' && attemptsLeft > 0) return listen(port + 1, attemptsLeft - 1);
    console.error(`qadmin demo: cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    const path = basePath === '/' ? '/' : `${basePath.replace(/\/$/, '')}/`;
    console.log(`qadmin demo: dashboard at http://${host}:${actual}${path}`);
    console.log(`qadmin demo: JSON API at http://${host}:${actual}${path}api/overview`);
    console.log('qadmin demo: in-memory backend with a synthetic workload; Ctrl+C stops it');
  });
}
listen(wantedPort, 20);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  stopWorkload();
  server.closeAllConnections?.();
  server.close();
  await admin.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
