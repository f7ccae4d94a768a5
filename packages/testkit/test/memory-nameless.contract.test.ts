/**
 * The suite's other branch: a backend whose jobs are named after their queue
 * (`jobNames: false`, as in pg-boss), played by the memory backend with every
 * job named after its queue, no name search, and the add-job name ignored.
 */
import { MEMORY_CAPABILITIES, MemoryBackend } from '@qadmin/backend-memory';
import type { AddJobInput, Capabilities, Job } from '@qadmin/core';
import { seedMemoryQueue } from '@qadmin/test-fixtures';
import { runBackendContract } from '../src/index';

class NamedAfterQueueBackend extends MemoryBackend {
  override readonly capabilities: Capabilities = {
    ...structuredClone(MEMORY_CAPABILITIES),
    jobNames: false,
    search: ['data', 'error'],
  };

  override async addJob(queue: string, input: AddJobInput): Promise<Job> {
    return super.addJob(queue, { ...input, name: queue });
  }
}

runBackendContract({
  name: 'memory, jobs named after their queue',
  createBackend: () => new NamedAfterQueueBackend(),
  seed: (backend, queue, spec) => seedMemoryQueue(backend, queue, { ...spec, name: () => queue }),
});
