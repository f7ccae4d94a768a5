import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdapterHarness } from './types';

/**
 * Starts `server` on a free port of 127.0.0.1 and returns it as an
 * {@link AdapterHarness} for the dashboard mounted at `basePath`. `close()`
 * also drops open connections, so an event stream cannot keep it waiting.
 *
 * @example
 * ```ts
 * runAdapterContract('express', (admin, { basePath }) => {
 *   const app = express();
 *   app.use(basePath || '/', qadmin(admin));
 *   return listenHarness(createServer(app), basePath);
 * });
 * ```
 */
export async function listenHarness(server: Server, basePath: string): Promise<AdapterHarness> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    async close() {
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      await closed;
    },
  };
}
