/**
 * The adapter conformance suite: every HTTP behaviour a framework adapter
 * must get right, checked over a real server at the root and under a prefix.
 */
import { normalizeBasePath } from '@qadmin/core';
import { describe } from 'vitest';
import { createAdapterContext } from './context';
import { eventScenarios } from './scenarios/events';
import { headScenarios } from './scenarios/head';
import { jsonScenarios } from './scenarios/json';
import { lifecycleScenarios } from './scenarios/lifecycle';
import { mountScenarios } from './scenarios/mount';
import { mutationScenarios } from './scenarios/mutations';
import { problemScenarios } from './scenarios/problems';
import { staticScenarios } from './scenarios/static';
import type { AdapterContractOptions, MakeHarness } from './types';

export type {
  AdapterContractOptions,
  AdapterHarness,
  AdapterHarnessOptions,
  MakeHarness,
} from './types';

const DEFAULT_BASE_PATHS = ['', '/admin/queues'];
const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Registers the adapter conformance suite with vitest: one `describe` block
 * per mount path (by default the root and `/admin/queues`), each with its
 * own dashboard — a memory backend seeded with known jobs, including a
 * hostile ~300 KB payload, and a temporary UI directory — served by the
 * harness that `makeHarness` starts. Every scenario sends real HTTP requests
 * (fetch, or raw `node:http` where fetch would hide what was sent): the JSON
 * API, mutations, problem responses, HEAD, Server-Sent Events, the UI's
 * files and caching, mount isolation, and shutdown with a stream open.
 *
 * Call it at the top level of a test file. `makeHarness` is called once per
 * block, and again by the shutdown scenarios, which stop their own harness.
 *
 * @example
 * ```ts
 * // test/contract.test.ts: the plain node:http listener from @qadmin/core
 * import { once } from 'node:events';
 * import { createServer } from 'node:http';
 * import type { AddressInfo } from 'node:net';
 * import { createNodeListener } from '@qadmin/core';
 * import { runAdapterContract } from '@qadmin/testkit';
 *
 * runAdapterContract('node:http', async (admin, { basePath }) => {
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
 * });
 * ```
 */
export function runAdapterContract(
  name: string,
  makeHarness: MakeHarness,
  options: AdapterContractOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const basePaths = [
    ...new Set((options.basePaths ?? DEFAULT_BASE_PATHS).map((p) => normalizeBasePath(p))),
  ];
  for (const basePath of basePaths) {
    describe(`adapter contract: ${name} (mounted at ${basePath || '/'})`, () => {
      const ctx = createAdapterContext(name, makeHarness, basePath, timeoutMs);
      jsonScenarios(ctx);
      mutationScenarios(ctx);
      problemScenarios(ctx);
      headScenarios(ctx);
      eventScenarios(ctx);
      staticScenarios(ctx);
      mountScenarios(ctx);
      lifecycleScenarios(ctx);
    });
  }
}
