/**
 * Core's own node:http listener against the adapter contract: the reference
 * every framework adapter is measured by. Under a prefix, the host server
 * answers everything outside the mount with a plain 404 of its own.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeListener } from '@qadmin/core';
import { runAdapterContract } from '../src/adapter';

runAdapterContract('node:http', async (admin, { basePath }) => {
  const dashboard = createNodeListener(admin, { basePath });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (basePath === '' || path === basePath || path.startsWith(`${basePath}/`)) {
      dashboard(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('host app: not found');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    async close() {
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      // Open event streams would keep close() waiting forever.
      server.closeAllConnections();
      await closed;
    },
  };
});
