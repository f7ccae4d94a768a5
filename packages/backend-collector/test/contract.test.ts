/**
 * The backend conformance suite from @qadmin/testkit against the collector,
 * each backend over a fresh SQLite file of its own, seeded by reporting
 * events. Heartbeats are given ten minutes, so the seeded running jobs stay
 * running while the suite works.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackendContract } from '@qadmin/testkit';
import { afterAll } from 'vitest';
import { type CollectorBackend, createCollectorBackend } from '../src/index';
import { seedCollector } from './seed';

const folder = mkdtempSync(join(tmpdir(), 'qadmin-collector-contract-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let next = 0;

runBackendContract<CollectorBackend>({
  name: 'collector',
  createBackend: () =>
    createCollectorBackend({
      file: join(folder, `store-${next++}.db`),
      heartbeatTimeoutMs: 10 * 60_000,
    }),
  seed: seedCollector,
});
