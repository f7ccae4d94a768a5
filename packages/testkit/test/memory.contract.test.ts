/**
 * The reference backend against the backend contract: every capability is
 * declared, so every scenario runs and none may be skipped for lack of support.
 */
import { createMemoryBackend } from '@qadmin/backend-memory';
import { seedMemoryQueue } from '@qadmin/test-fixtures';
import { runBackendContract } from '../src/index';

runBackendContract({
  name: 'memory',
  createBackend: () => createMemoryBackend(),
  seed: (backend, queue, spec) => seedMemoryQueue(backend, queue, spec),
});
