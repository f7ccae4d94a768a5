/**
 * Core's own node:http listener against the adapter contract: the reference
 * every framework adapter is measured by. Under a prefix, the host server
 * answers everything outside the mount with a plain 404 of its own.
 */
import { createServer } from 'node:http';
import { createNodeListener } from '@qadmin/core';
import { runAdapterContract } from '../src/adapter';
import { listenHarness } from '../src/adapter/serve';

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
  return listenHarness(server, basePath);
});
