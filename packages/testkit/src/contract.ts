import type { QueueBackend } from '@qadmin/core';
import { describe } from 'vitest';
import { createHarness, releaseBackend } from './harness';
import { addJobScenarios } from './scenarios/add-job';
import { auditScenarios } from './scenarios/audit';
import { bulkScenarios } from './scenarios/bulk';
import { concurrencyScenarios } from './scenarios/concurrency';
import { declarationScenarios } from './scenarios/declaration';
import { eventScenarios } from './scenarios/events';
import { getJobScenarios } from './scenarios/get-job';
import { jobActionScenarios } from './scenarios/job-actions';
import { listJobScenarios } from './scenarios/list-jobs';
import { logScenarios } from './scenarios/logs';
import { observabilityScenarios } from './scenarios/observability';
import { queueScenarios } from './scenarios/queues';
import { scheduleScenarios } from './scenarios/schedules';
import { searchScenarios } from './scenarios/search';
import type { BackendContractOptions } from './types';

/**
 * Registers the backend conformance suite with vitest: every scenario a
 * {@link QueueBackend} must pass, each gated by the capabilities the backend
 * declares. A scenario for a capability the backend does not declare is
 * skipped and says so in its name (`(not supported: promote)`); a declared
 * capability must pass.
 *
 * Call it at the top level of a test file. It creates one backend while the
 * suite is collected to read its capabilities, then a fresh backend per
 * `describe` block; each test works in a queue of its own
 * (`contract-<n>-<random>-<m>`), seeded through `options.seed`.
 *
 * @example
 * ```ts
 * // test/contract.test.ts
 * import { runBackendContract } from '@qadmin/testkit';
 * import { createMyBackend } from '../src/index.js';
 * import { seedMyQueue } from './seed.js';
 *
 * runBackendContract({
 *   name: 'my-queue',
 *   createBackend: () => createMyBackend({ url: process.env.MY_QUEUE_URL! }),
 *   seed: (backend, queue, spec) => seedMyQueue(backend.client, queue, spec),
 * });
 * ```
 */
export function runBackendContract<B extends QueueBackend>(
  options: BackendContractOptions<B>,
): void {
  describe(`backend contract: ${options.name}`, async () => {
    // Capabilities decide which tests exist, so they are read while collecting.
    const probe = await options.createBackend();
    const declared: unknown = probe.capabilities;
    await releaseBackend(options, probe);

    const h = createHarness(options, declared);
    declarationScenarios(h);
    queueScenarios(h);
    listJobScenarios(h);
    getJobScenarios(h);
    searchScenarios(h);
    logScenarios(h);
    jobActionScenarios(h);
    addJobScenarios(h);
    bulkScenarios(h);
    concurrencyScenarios(h);
    scheduleScenarios(h);
    observabilityScenarios(h);
    eventScenarios(h);
    auditScenarios(h);
  });
}
