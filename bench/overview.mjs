// Overview through AdminService over the memory backend with 10, 100 and 1,000
// queues: time per call uncached (every backend asked) and cached (the shared
// snapshot), how many backend calls 100 concurrent viewers cost, the size of
// the answer, and memory. Run: pnpm bench (from the repository root), or
// `node bench/overview.mjs [sizes...]` after a build. Prints a table.
import { performance } from 'node:perf_hooks';
import { createMemoryBackend } from '@qadmin/backend-memory';
import { AdminService } from '@qadmin/core';
import { manyQueues, seedMemoryQueues, specTotal, standardQueue } from '@qadmin/test-fixtures';

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const queueCounts = sizes.length ? sizes : [10, 100, 1000];

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function time(fn, { minRuns, minMs }) {
  const samples = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < minMs) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), runs: samples.length };
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const rows = [];
for (const n of queueCounts) {
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const backend = createMemoryBackend();
  const fleet = manyQueues(n, { base: standardQueue });
  const jobs = fleet.reduce((sum, q) => sum + specTotal(q.spec), 0);
  const seedStart = performance.now();
  await seedMemoryQueues(backend, fleet);
  const seedMs = performance.now() - seedStart;
  globalThis.gc?.();
  const heapSeeded = process.memoryUsage().heapUsed;

  let getStatsCalls = 0;
  const getStats = backend.getStats.bind(backend);
  backend.getStats = (queues) => {
    getStatsCalls++;
    return getStats(queues);
  };
  const service = new AdminService({ backends: [backend], refreshIntervalMs: 60_000 });
  const first = await service.overview({ fresh: true });
  const bytes = Buffer.byteLength(JSON.stringify(first));

  // Uncached: a new service each time, so the queue listing and the counts are both asked for.
  const uncached = await time(
    () => new AdminService({ backends: [backend], closeBackends: false }).overview(),
    { minRuns: 20, minMs: 1500 },
  );
  const cached = await time(() => service.overview(), { minRuns: 1000, minMs: 500 });

  getStatsCalls = 0;
  await service.close(); // closes the backend's timers; the snapshot logic is what we count
  const viewers = new AdminService({
    backends: [backend],
    refreshIntervalMs: 60_000,
    closeBackends: false,
  });
  await Promise.all(Array.from({ length: 100 }, () => viewers.overview()));
  const callsFor100 = getStatsCalls;

  globalThis.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  rows.push({
    queues: n,
    jobs,
    'seed s': (seedMs / 1000).toFixed(1),
    'uncached p50 ms': uncached.p50.toFixed(2),
    'uncached p95 ms': uncached.p95.toFixed(2),
    'cached p50 µs': (cached.p50 * 1000).toFixed(2),
    'getStats calls / 100 viewers': callsFor100,
    'answer KB': (bytes / 1024).toFixed(1),
    'heap for jobs MB': mb(heapSeeded - heapBefore),
    'heap after MB': mb(heapAfter),
  });
  await viewers.close();
}

console.log(
  `node ${process.version}, ${process.platform}/${process.arch}${globalThis.gc ? '' : ' (run with --expose-gc for steadier heap figures)'}`,
);
console.table(rows);
