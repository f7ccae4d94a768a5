import { createMemoryBackend, type MemoryBackend } from '@qadmin/backend-memory';
import { afterEach, describe, expect, it } from 'vitest';
import {
  manyQueues,
  type QueueSpec,
  SEED_STATES,
  smallQueue,
  specTotal,
  standardQueue,
} from './datasets';
import { HUGE_STRING_MARKER, hostilePayloads, payloads, realisticPayloads } from './payloads';
import { seedMemoryQueue, seedMemoryQueues } from './seed-memory';

let backend: MemoryBackend;
afterEach(async () => {
  await backend?.close();
});

describe('seedMemoryQueue', () => {
  it('puts exactly the requested number of jobs in each state', async () => {
    backend = createMemoryBackend();
    const ids = await seedMemoryQueue(backend, 'standard', standardQueue);
    const stats = await backend.getStats(['standard']);
    for (const state of SEED_STATES) {
      expect(stats.standard?.counts[state], state).toBe(standardQueue[state] ?? 0);
      expect(ids[state], state).toHaveLength(standardQueue[state] ?? 0);
      for (const id of ids[state]) expect(backend.queue('standard').getJob(id)?.state).toBe(state);
    }
    expect(await backend.listQueues()).toEqual([{ name: 'standard' }]);
    const [worker] = await backend.getWorkers(['standard']);
    expect(worker).toMatchObject({ id: 'seed-worker', activeJobs: 5 });
    const failed = backend.queue('standard').getJob(ids.failed[0]!);
    expect(failed?.failedReason).toBeTruthy();
    expect(failed?.stacktrace).toHaveLength(1);
  });

  it('ends the parent chain in whatever unfinished state the spec has', async () => {
    backend = createMemoryBackend();
    const specs: QueueSpec[] = [
      { 'waiting-children': 3, delayed: 1 },
      { 'waiting-children': 2, cancelled: 1 },
      { 'waiting-children': 2, failed: 2, completed: 1 },
      { 'waiting-children': 2, active: 1 },
      { 'waiting-children': 1, prioritized: 1 },
    ];
    for (const [i, spec] of specs.entries()) await seedMemoryQueue(backend, `chain-${i}`, spec);
    expect(backend.hasQueue('chain-0-children')).toBe(false);
  });

  it('uses a companion queue for the last child when the spec has nothing unfinished', async () => {
    backend = createMemoryBackend();
    const ids = await seedMemoryQueue(backend, 'lonely', { 'waiting-children': 2, completed: 2 });
    expect(backend.queue('lonely').counts()).toMatchObject({ 'waiting-children': 2, completed: 2 });
    expect(backend.queue('lonely-children').counts().waiting).toBe(1);
    expect(ids['waiting-children']).toHaveLength(2);
  });

  it('is additive and follows the names, data, failure reasons and logs it is given', async () => {
    backend = createMemoryBackend();
    await seedMemoryQueue(backend, 'custom', { waiting: 2, active: 1 });
    const ids = await seedMemoryQueue(backend, 'custom', {
      waiting: 1,
      active: 2,
      failed: 2,
      'waiting-children': 1,
      name: (state, i) => `${state}-${i}`,
      data: (state, i) => ({ state, i }),
      failedReason: (i) => `boom ${i}`,
      logs: (state, i) => (state === 'failed' ? [`line ${i}`] : []),
    });
    const queue = backend.queue('custom');
    expect(queue.counts()).toMatchObject({
      waiting: 3,
      active: 3,
      failed: 2,
      'waiting-children': 1,
    });
    expect(ids.failed.map((id) => queue.getJob(id)?.failedReason)).toEqual(['boom 0', 'boom 1']);
    expect(ids.failed.map((id) => queue.getLogs(id).map((l) => l.message))).toEqual([
      ['line 0'],
      ['line 1'],
    ]);
    // The waiting job is the chain's last child: still listed under waiting, index 0.
    expect(queue.getJob(ids.waiting[0]!)).toMatchObject({
      name: 'waiting-0',
      data: { state: 'waiting', i: 0 },
      parent: { id: ids['waiting-children'][0] },
    });
    expect(ids.active.map((id) => queue.getJob(id)?.name)).toEqual(['active-0', 'active-1']);
  });

  it('seeds a fleet from manyQueues', async () => {
    backend = createMemoryBackend();
    const fleet = manyQueues(14, { base: smallQueue });
    expect(fleet[0]!.name).toBe('queue-0001');
    await seedMemoryQueues(backend, fleet);
    const stats = await backend.getStats(fleet.map((q) => q.name));
    for (const { name, spec } of fleet) {
      const total = Object.values(stats[name]?.counts ?? {}).reduce((a, b) => a + b, 0);
      expect(total, name).toBe(specTotal(spec));
    }
    await expect(seedMemoryQueue(backend, 'bad', { waiting: -1 })).rejects.toThrow(RangeError);
    await expect(seedMemoryQueue(backend, 'bad', { paused: 1 } as never)).rejects.toThrow(/paused/);
  });
});

describe('payloads', () => {
  it('survive a trip through the memory backend: stored, listed and searched', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('payloads');
    const idByName = new Map<string, string>();
    for (const { name, data, roundTrips } of [...realisticPayloads, ...hostilePayloads]) {
      const job = queue.add(name, data);
      idByName.set(name, job.id);
      const stored = queue.getJob(job.id)?.data;
      if (roundTrips) expect(stored, name).toEqual(data);
      else expect(stored, name).toEqual(JSON.parse(JSON.stringify(data)));
    }
    const special = queue.getJob(idByName.get('special-keys')!)?.data as Record<string, unknown>;
    expect(Object.hasOwn(special, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const hits = await backend.searchJobs('payloads', {
      state: 'waiting',
      text: HUGE_STRING_MARKER.toLowerCase(),
      fields: ['data'],
      order: 'newest',
      limit: 10,
      scanLimit: 100,
    });
    expect(hits.jobs.map((j) => j.name)).toEqual(['huge-string']);
    expect(Object.keys(payloads)).toContain('html-injection');
  });

  it('are as big and deep as promised', () => {
    const blob = (payloads['huge-string'] as { blob: string }).blob;
    expect(blob.length).toBeGreaterThan(1_500_000);
    expect((payloads['huge-array'] as { items: unknown[] }).items).toHaveLength(10_000);
    let depth = 0;
    for (let node = payloads['deeply-nested'] as { child?: unknown } | undefined; node; depth++) {
      node = node.child as typeof node;
    }
    expect(depth).toBe(200);
  });
});
