import type { QadminApp } from '@qadmin/core';

/**
 * A running server that answers the dashboard below `url`, built by the
 * adapter under test.
 *
 * @example
 * ```ts
 * const harness: AdapterHarness = {
 *   url: `http://127.0.0.1:${port}/admin/queues`,
 *   close: () => new Promise((resolve) => server.close(() => resolve())),
 * };
 * ```
 */
export interface AdapterHarness {
  /**
   * The origin followed by the mount path, without a trailing slash:
   * `http://127.0.0.1:4321` at the root, `http://127.0.0.1:4321/admin/queues`
   * under a prefix.
   */
  url: string;
  /**
   * Stops the server. It must resolve even while an event stream is open
   * (close idle and open connections rather than wait for them).
   */
  close(): Promise<void>;
}

/**
 * What a {@link MakeHarness} receives besides the admin.
 *
 * @example
 * ```ts
 * const options: AdapterHarnessOptions = { basePath: '/admin/queues' };
 * ```
 */
export interface AdapterHarnessOptions {
  /** Where to mount the dashboard: `''` for the root, or a path like `/admin/queues`. */
  basePath: string;
}

/**
 * Starts a real HTTP server (on port 0) whose app mounts `admin` with the
 * adapter under test at `options.basePath`. Requests outside the mount path
 * must reach the host app, not the dashboard (its own 404 is fine). The
 * harness may pre-parse JSON bodies the way the framework's users usually do;
 * the adapter must cope with either.
 *
 * @example
 * ```ts
 * import { once } from 'node:events';
 * import { createServer } from 'node:http';
 * import type { AddressInfo } from 'node:net';
 * import { createNodeListener } from '@qadmin/core';
 *
 * const makeHarness: MakeHarness = async (admin, { basePath }) => {
 *   const server = createServer(createNodeListener(admin, { basePath }));
 *   server.listen(0, '127.0.0.1');
 *   await once(server, 'listening');
 *   const { port } = server.address() as AddressInfo;
 *   return {
 *     url: `http://127.0.0.1:${port}${basePath}`,
 *     close: async () => {
 *       const closed = new Promise((resolve) => server.close(resolve));
 *       server.closeAllConnections();
 *       await closed;
 *     },
 *   };
 * };
 * ```
 */
export type MakeHarness = (
  admin: QadminApp,
  options: AdapterHarnessOptions,
) => Promise<AdapterHarness>;

/**
 * Options of {@link runAdapterContract}.
 *
 * @example
 * ```ts
 * const options: AdapterContractOptions = { basePaths: ['', '/ops/queues'], timeoutMs: 20_000 };
 * ```
 */
export interface AdapterContractOptions {
  /**
   * Mount paths to run the whole suite under, one `describe` block each.
   * Default `['', '/admin/queues']`: the root and a prefix.
   */
  basePaths?: string[];
  /**
   * Upper bound of each test and hook in milliseconds, a guard against a
   * hanging server rather than a speed requirement. Default 15 000.
   */
  timeoutMs?: number;
}
