import {
  type AuditEntry,
  type BackendEvent,
  capabilitiesSchema,
  JOB_ACTIONS,
  type Job,
  jobSchema,
  type ListJobsQuery,
} from '@qadmin/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBackend, MEMORY_CAPABILITIES, type MemoryBackend } from './backend';

let backend: MemoryBackend;
afterEach(async () => {
  await backend?.close();
});

async function allPages(queue: string, query: Omit<ListJobsQuery, 'cursor'>): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.listJobs(queue, { ...query, cursor });
    expect(page.jobs.length).toBeLessThanOrEqual(query.limit);
    jobs.push(...page.jobs);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return jobs;
}

describe('capabilities and queues', () => {
  it('declares every capability, valid against the schema, and no state it never reports', () => {
    backend = createMemoryBackend({ id: 'mem', label: 'Memory' });
    expect(capabilitiesSchema.parse(backend.capabilities)).toEqual(MEMORY_CAPABILITIES);
    expect(backend.capabilities.jobActions).toEqual([...JOB_ACTIONS]);
    expect(backend.capabilities.states).not.toContain('paused');
    expect(backend).toMatchObject({ id: 'mem', kind: 'memory', label: 'Memory' });
    expect(() => createMemoryBackend({ id: 'Not Valid' })).toThrow(TypeError);
  });

  it('lists queues and batches stats; unknown queues are left out', async () => {
    backend = createMemoryBackend();
    const a = backend.queue('b-queue');
    backend.queue('a-queue');
    a.add('x', {});
    a.add('x', {}, { delayMs: 60_000 });
    a.add('x', {}, { priority: 2 });
    a.takeNext();
    a.pause();
    expect(await backend.listQueues()).toEqual([{ name: 'a-queue' }, { name: 'b-queue' }]);
    const stats = await backend.getStats(['b-queue', 'a-queue', 'missing']);
    expect(Object.keys(stats).sort()).toEqual(['a-queue', 'b-queue']);
    expect(stats['b-queue']).toEqual({
      counts: {
        waiting: 1,
        prioritized: 0,
        'waiting-children': 0,
        delayed: 1,
        active: 1,
        completed: 0,
        failed: 0,
        cancelled: 0,
      },
      paused: true,
      workers: 0,
    });
  });

  it('answers 404 for an unknown queue, null for an unknown job in a known queue', async () => {
    backend = createMemoryBackend();
    backend.queue('known');
    await expect(backend.getJob('nope', '1')).rejects.toMatchObject({ status: 404 });
    await expect(
      backend.listJobs('nope', { state: 'waiting', order: 'newest', limit: 10 }),
    ).rejects.toMatchObject({ status: 404 });
    expect(await backend.getJob('known', '1')).toBeNull();
    await expect(backend.jobAction('known', '1', { type: 'retry' })).rejects.toMatchObject({
      status: 404,
      detail: 'No job with id "1"',
    });
  });

  it('returns jobs that match the model schema', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('shape');
    queue.addFlow({ name: 'p', children: [{ name: 'c', data: { a: 1 } }] });
    const taken = queue.takeNext({ workerId: 'w' });
    queue.log(taken!.id, 'hello');
    queue.fail(taken!.id, new Error('bad'));
    for (const state of backend.capabilities.states) {
      const page = await backend.listJobs('shape', { state, order: 'oldest', limit: 10 });
      for (const job of page.jobs) expect(() => jobSchema.parse(job)).not.toThrow();
    }
    const logs = await backend.getJobLogs('shape', taken!.id, { offset: 0, limit: 10 });
    expect(logs).toMatchObject({ total: 1, lines: [{ message: 'hello' }] });
  });
});

describe('listJobs', () => {
  it('pages by cursor newest or oldest first, with exact totals, by name too', async () => {
    let t = 0;
    backend = createMemoryBackend({ now: () => t });
    const queue = backend.queue('pages');
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      // Several jobs share a millisecond: the sequence number breaks the tie.
      if (i % 3 === 0) t++;
      ids.push(queue.add(i % 2 ? 'odd' : 'even', { i }).id);
    }
    const newest = await allPages('pages', { state: 'waiting', order: 'newest', limit: 4 });
    expect(newest.map((j) => j.id)).toEqual([...ids].reverse());
    const oldest = await allPages('pages', { state: 'waiting', order: 'oldest', limit: 7 });
    expect(oldest.map((j) => j.id)).toEqual(ids);
    const odd = await backend.listJobs('pages', {
      state: 'waiting',
      order: 'oldest',
      limit: 5,
      name: 'odd',
    });
    expect(odd.total).toBe(12);
    expect(odd.jobs.every((j) => j.name === 'odd')).toBe(true);
    const empty = await backend.listJobs('pages', { state: 'failed', order: 'newest', limit: 5 });
    expect(empty).toEqual({ jobs: [], nextCursor: null, total: 0 });
  });

  it('keeps cursor pages stable while jobs are added and removed between fetches', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('stable');
    const ids = Array.from({ length: 30 }, (_, i) => queue.add('x', { i }).id);
    const first = await backend.listJobs('stable', {
      state: 'waiting',
      order: 'oldest',
      limit: 10,
    });
    expect(first.jobs.map((j) => j.id)).toEqual(ids.slice(0, 10));
    // Between fetches: remove seen and unseen jobs, add new ones.
    queue.remove(ids[2]!);
    queue.remove(ids[12]!);
    queue.remove(ids[10]!);
    const added = queue.add('x', { late: true }).id;
    const rest: Job[] = [];
    let cursor = first.nextCursor ?? undefined;
    while (cursor) {
      const page = await backend.listJobs('stable', {
        state: 'waiting',
        order: 'oldest',
        limit: 10,
        cursor,
      });
      rest.push(...page.jobs);
      cursor = page.nextCursor ?? undefined;
    }
    const expected = [...ids.slice(10).filter((id) => id !== ids[12] && id !== ids[10]), added];
    expect(rest.map((j) => j.id)).toEqual(expected);

    const newestFirst = await backend.listJobs('stable', {
      state: 'waiting',
      order: 'newest',
      limit: 5,
    });
    queue.add('x', { later: true });
    const next = await backend.listJobs('stable', {
      state: 'waiting',
      order: 'newest',
      limit: 5,
      cursor: newestFirst.nextCursor ?? undefined,
    });
    const seen = new Set(newestFirst.jobs.map((j) => j.id));
    expect(next.jobs.some((j) => seen.has(j.id))).toBe(false);
    expect(Number(next.jobs[0]!.id)).toBe(Number(newestFirst.jobs[4]!.id) - 1);
  });

  it('supports offsets, alone or after a cursor, and refuses a foreign cursor', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('offsets');
    const ids = Array.from({ length: 12 }, () => queue.add('x', {}).id);
    const page = await backend.listJobs('offsets', {
      state: 'waiting',
      order: 'oldest',
      limit: 3,
      offset: 4,
    });
    expect(page.jobs.map((j) => j.id)).toEqual(ids.slice(4, 7));
    const newest = await backend.listJobs('offsets', {
      state: 'waiting',
      order: 'newest',
      limit: 3,
      offset: 10,
    });
    expect(newest.jobs.map((j) => j.id)).toEqual([ids[1], ids[0]]);
    expect(newest.nextCursor).toBeNull();
    const beyond = await backend.listJobs('offsets', {
      state: 'waiting',
      order: 'oldest',
      limit: 3,
      offset: 50,
    });
    expect(beyond.jobs).toEqual([]);
    await expect(
      backend.listJobs('offsets', { state: 'waiting', order: 'oldest', limit: 3, cursor: 'abc' }),
    ).rejects.toMatchObject({ status: 400, field: 'query.cursor' });
  });
});

describe('searchJobs', () => {
  it('bounds each call by scanLimit and continues with the cursor until exhausted', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('search');
    const matching = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const job = queue.add('task', { note: i % 10 === 3 ? 'Needle IN haystack' : 'hay' });
      if (i % 10 === 3) matching.add(job.id);
    }
    const first = await backend.searchJobs('search', {
      state: 'waiting',
      text: 'needle',
      fields: ['data'],
      order: 'newest',
      limit: 50,
      scanLimit: 25,
    });
    expect(first.scanned).toBe(25);
    expect(first.exhausted).toBe(false);
    expect(first.nextCursor).not.toBeNull();
    const found = first.jobs.map((j) => j.id);
    let cursor = first.nextCursor;
    let calls = 1;
    while (cursor) {
      const page = await backend.searchJobs('search', {
        state: 'waiting',
        text: 'NEEDLE',
        fields: ['data'],
        order: 'newest',
        limit: 50,
        scanLimit: 25,
        cursor,
      });
      expect(page.scanned).toBeLessThanOrEqual(25);
      found.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor;
      calls++;
      if (!cursor) expect(page.exhausted).toBe(true);
    }
    expect(calls).toBe(4);
    expect(new Set(found)).toEqual(matching);
  });

  it('stops at the page limit and searches names and errors', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('search2');
    for (let i = 0; i < 10; i++) queue.add(i < 5 ? 'Send-Email' : 'resize', {});
    const byName = await backend.searchJobs('search2', {
      state: 'waiting',
      text: 'email',
      fields: ['name'],
      order: 'oldest',
      limit: 2,
      scanLimit: 1000,
    });
    expect(byName.jobs).toHaveLength(2);
    expect(byName.scanned).toBe(2);
    expect(byName.exhausted).toBe(false);
    for (let i = 0; i < 3; i++) {
      const job = queue.takeNext();
      queue.fail(job!.id, new Error(i === 1 ? 'SMTP Timeout' : 'refused'));
    }
    const byError = await backend.searchJobs('search2', {
      state: 'failed',
      text: 'smtp timeout',
      fields: ['error'],
      order: 'newest',
      limit: 10,
      scanLimit: 1000,
    });
    expect(byError).toMatchObject({ scanned: 3, exhausted: true, nextCursor: null });
    expect(byError.jobs.map((j) => j.failedReason)).toEqual(['SMTP Timeout']);
  });
});

describe('jobAction', () => {
  it('applies each action in the states that allow it and refuses the others with 409', async () => {
    let t = 0;
    backend = createMemoryBackend({ now: () => t });
    const queue = backend.queue('acts');
    const act = (id: string, action: Parameters<MemoryBackend['jobAction']>[2]) =>
      backend.jobAction('acts', id, action);

    const waiting = queue.add('w', { v: 1 });
    await expect(act(waiting.id, { type: 'retry' })).rejects.toMatchObject({ status: 409 });
    await expect(act(waiting.id, { type: 'promote' })).rejects.toMatchObject({ status: 409 });
    await expect(act(waiting.id, { type: 'discard' })).rejects.toMatchObject({ status: 409 });
    await expect(act(waiting.id, { type: 'change-delay', delayMs: 5 })).rejects.toMatchObject({
      status: 409,
    });
    expect(await act(waiting.id, { type: 'change-priority', priority: 2 })).toMatchObject({
      state: 'prioritized',
      priority: 2,
    });
    expect(await act(waiting.id, { type: 'change-priority', priority: 0 })).toMatchObject({
      state: 'waiting',
      priority: null,
    });
    expect(await act(waiting.id, { type: 'update-data', data: { v: 2 } })).toMatchObject({
      data: { v: 2 },
    });
    const copy = await act(waiting.id, { type: 'duplicate' });
    expect(copy).toMatchObject({ name: 'w', data: { v: 2 }, state: 'waiting' });
    expect(copy?.id).not.toBe(waiting.id);

    const delayed = queue.add('d', {}, { delayMs: 10_000 });
    expect(await act(delayed.id, { type: 'change-delay', delayMs: 50_000 })).toMatchObject({
      state: 'delayed',
      delayedUntil: 50_000,
    });
    expect(await act(delayed.id, { type: 'promote' })).toMatchObject({ state: 'waiting' });
    const delayed2 = queue.add('d', {}, { delayMs: 10_000 });
    expect(await act(delayed2.id, { type: 'change-delay', delayMs: 0 })).toMatchObject({
      state: 'waiting',
    });

    queue.remove(copy!.id);
    queue.remove(delayed.id);
    queue.remove(delayed2.id);
    const active = queue.takeNext({ workerId: 'w1' })!;
    expect(active.id).toBe(waiting.id);
    await expect(act(active.id, { type: 'remove' })).rejects.toMatchObject({ status: 409 });
    await expect(act(active.id, { type: 'change-priority', priority: 1 })).rejects.toMatchObject({
      status: 409,
    });
    t = 100;
    expect(await act(active.id, { type: 'discard' })).toMatchObject({
      state: 'failed',
      finishedAt: 100,
    });
    await expect(act(active.id, { type: 'cancel' })).rejects.toMatchObject({ status: 409 });
    expect(await act(active.id, { type: 'retry' })).toMatchObject({
      state: 'waiting',
      attemptsMade: 0,
      failedReason: null,
      finishedAt: null,
    });
    expect(await act(active.id, { type: 'cancel' })).toMatchObject({ state: 'cancelled' });
    expect(await act(active.id, { type: 'remove' })).toBeNull();
    expect(await backend.getJob('acts', active.id)).toBeNull();
  });

  it('completes a job by hand from active, waiting, prioritized or delayed, and no other state', async () => {
    let t = 1000;
    backend = createMemoryBackend({ now: () => t });
    const queue = backend.queue('by-hand');
    const act = (id: string, action: Parameters<MemoryBackend['jobAction']>[2]) =>
      backend.jobAction('by-hand', id, action);

    const active = queue.add('a', {});
    queue.takeNext({ workerId: 'w1' });
    const waiting = queue.add('w', {});
    const prioritized = queue.add('p', {}, { priority: 2 });
    const delayed = queue.add('d', {}, { delayMs: 60_000 });
    t = 2000;
    expect(await act(active.id, { type: 'complete', returnValue: { ok: 1 } })).toMatchObject({
      state: 'completed',
      returnValue: { ok: 1 },
      finishedAt: 2000,
      attemptsMade: 1,
    });
    expect((await backend.getWorkers(['by-hand'])).map((w) => w.id)).not.toContain('w1');
    for (const job of [waiting, prioritized, delayed]) {
      expect(await act(job.id, { type: 'complete' })).toMatchObject({
        state: 'completed',
        returnValue: null,
        finishedAt: 2000,
        delayedUntil: null,
        processedAt: null,
        attemptsMade: 0,
      });
    }
    expect(queue.counts()).toMatchObject({
      waiting: 0,
      prioritized: 0,
      delayed: 0,
      active: 0,
      completed: 4,
    });

    const failed = queue.add('f', {});
    queue.takeNext({ workerId: 'w2' });
    queue.fail(failed.id, new Error('boom'));
    const cancelled = queue.add('c', {});
    queue.cancel(cancelled.id);
    for (const id of [active.id, failed.id, cancelled.id]) {
      await expect(act(id, { type: 'complete' })).rejects.toMatchObject({ status: 409 });
    }
    await expect(act('missing', { type: 'complete' })).rejects.toMatchObject({ status: 404 });
  });

  it('adds jobs from the dashboard, refusing an existing id', async () => {
    backend = createMemoryBackend();
    const job = await backend.addJob('new-queue', {
      name: 'send',
      data: { to: 'a@example.com' },
      attempts: 3,
      priority: 1,
      jobId: 'custom-1',
      options: { backoff: { type: 'fixed', delayMs: 100 }, ignored: true },
    });
    expect(job).toMatchObject({
      id: 'custom-1',
      state: 'prioritized',
      attemptsAllowed: 3,
      options: expect.objectContaining({ backoff: { type: 'fixed', delayMs: 100 } }),
    });
    expect(backend.hasQueue('new-queue')).toBe(true);
    await expect(
      backend.addJob('new-queue', { name: 'send', jobId: 'custom-1' }),
    ).rejects.toMatchObject({
      status: 409,
    });
    await expect(
      backend.addJob('new-queue', { name: 'x', options: { backoff: 'soon' } }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe('bulkAction', () => {
  it('returns exact counts for retry-all, promote-all, clean and empty', async () => {
    let t = 0;
    backend = createMemoryBackend({ now: () => t });
    const queue = backend.queue('bulk');
    for (let i = 0; i < 6; i++) {
      queue.add('x', {});
      t += 1000;
      const job = queue.takeNext()!;
      if (i < 4) queue.fail(job.id, new Error('x'));
      else queue.complete(job.id);
    }
    for (let i = 0; i < 3; i++) queue.add('later', {}, { delayMs: 100_000 });
    queue.add('busy', {});
    queue.takeNext();
    queue.add('idle', {});
    const bulk = (action: Parameters<MemoryBackend['bulkAction']>[1]) =>
      backend.bulkAction('bulk', action);

    // Failed jobs finished at 1000, 2000, 3000, 4000; now is 6000.
    expect(await bulk({ type: 'clean', state: 'failed', olderThanMs: 3500, limit: 10 })).toEqual({
      affected: 2,
    });
    expect(await bulk({ type: 'clean', state: 'failed', olderThanMs: 0, limit: 1 })).toEqual({
      affected: 1,
    });
    expect(queue.counts().failed).toBe(1);
    expect(await bulk({ type: 'retry-all', state: 'failed' })).toEqual({ affected: 1 });
    expect(await bulk({ type: 'retry-all', state: 'completed' })).toEqual({ affected: 2 });
    expect(await bulk({ type: 'promote-all' })).toEqual({ affected: 3 });
    expect(queue.counts()).toMatchObject({ waiting: 7, delayed: 0, active: 1, failed: 0 });
    expect(await bulk({ type: 'empty' })).toEqual({ affected: 7 });
    expect(queue.counts()).toMatchObject({ waiting: 0, active: 1 });
  });

  it('pauses, resumes and obliterates (refused while a job is active)', async () => {
    backend = createMemoryBackend();
    const events: BackendEvent[] = [];
    backend.subscribe((e) => events.push(e));
    const queue = backend.queue('doomed');
    queue.add('x', {});
    queue.add('y', {});
    expect(await backend.bulkAction('doomed', { type: 'pause' })).toEqual({ affected: 0 });
    expect((await backend.getStats(['doomed'])).doomed?.paused).toBe(true);
    expect(await backend.bulkAction('doomed', { type: 'resume' })).toEqual({ affected: 0 });
    expect(events.filter((e) => e.type === 'queue')).toEqual([
      { type: 'queue', queue: 'doomed', paused: true },
      { type: 'queue', queue: 'doomed', paused: false },
    ]);
    const active = queue.takeNext()!;
    await expect(backend.bulkAction('doomed', { type: 'obliterate' })).rejects.toMatchObject({
      status: 409,
    });
    queue.complete(active.id);
    events.length = 0;
    expect(await backend.bulkAction('doomed', { type: 'obliterate' })).toEqual({ affected: 2 });
    expect(events).toContainEqual({ type: 'queues-changed' });
    expect(await backend.listQueues()).toEqual([]);
    await expect(backend.getJob('doomed', active.id)).rejects.toMatchObject({ status: 404 });
    expect(queue.isClosed).toBe(true);
    expect(queue.getJob(active.id)).toBeNull();
    expect(queue.counts().completed).toBe(0);
    // The name can be used again: a fresh, empty queue.
    expect(backend.queue('doomed').counts().completed).toBe(0);
  });
});

describe('workers, metrics and events', () => {
  it('lists processors and manual workers holding jobs', async () => {
    let t = 1000;
    backend = createMemoryBackend({ now: () => t });
    const queue = backend.queue('workers');
    const worker = queue.process('never', async () => {}, { concurrency: 3, name: 'never-runs' });
    backend.queue('other').add('x', {});
    queue.add('x', {});
    backend.queue('other').takeNext({ workerId: 'hand' });
    queue.takeNext({ workerId: 'hand' });
    t = 1500;
    const workers = await backend.getWorkers();
    expect(workers).toContainEqual({
      id: worker.id,
      name: 'never-runs',
      queues: ['workers'],
      address: null,
      startedAt: 1000,
      lastSeenAt: 1500,
      idleMs: 500,
      concurrency: 3,
      activeJobs: 0,
    });
    expect(workers.find((w) => w.id === 'hand')).toMatchObject({
      queues: ['workers', 'other'],
      activeJobs: 2,
    });
    expect((await backend.getWorkers(['other'])).map((w) => w.id)).toEqual(['hand']);
    expect((await backend.getStats(['workers'])).workers?.workers).toBe(2);
  });

  it('buckets finished jobs per minute, gap-free, with duration percentiles', async () => {
    let t = 10 * 60_000;
    backend = createMemoryBackend({ now: () => t });
    const queue = backend.queue('metrics');
    const run = (waitMs: number, processMs: number, ok: boolean) => {
      const { id } = queue.add('x', {});
      t += waitMs;
      queue.takeNext();
      t += processMs;
      if (ok) queue.complete(id);
      else queue.fail(id, new Error('x'));
    };
    run(100, 1000, true); // finishes in minute 10
    run(300, 3000, true);
    run(0, 500, false);
    t = 12 * 60_000 + 5;
    run(0, 10, true); // minute 12
    const perMinute = await backend.getMetrics('metrics', {
      from: 9 * 60_000,
      to: 14 * 60_000,
      bucketMs: 60_000,
    });
    expect(perMinute.buckets.map((b) => b.start)).toEqual(
      [9, 10, 11, 12, 13].map((m) => m * 60_000),
    );
    expect(perMinute.buckets.map((b) => [b.completed, b.failed])).toEqual([
      [0, 0],
      [2, 1],
      [0, 0],
      [1, 0],
      [0, 0],
    ]);
    const minute10 = perMinute.buckets[1]!;
    expect(minute10.processMs).toEqual({ p50: 1000, p95: 3000, p99: 3000 });
    expect(minute10.waitMs?.p99).toBeGreaterThanOrEqual(300);
    expect(perMinute.buckets[0]!.waitMs).toBeNull();

    const coarse = await backend.getMetrics('metrics', {
      from: 0,
      to: 15 * 60_000,
      bucketMs: 5 * 60_000,
    });
    expect(coarse.buckets.map((b) => b.completed)).toEqual([0, 0, 3]);
    // Samples of minutes 10 and 12 together: 10, 500, 1000, 3000 (failed jobs count too).
    expect(coarse.buckets[2]!.processMs).toEqual({ p50: 500, p95: 3000, p99: 3000 });
  });

  it('keeps metrics only for the retention', async () => {
    let t = 0;
    backend = createMemoryBackend({ now: () => t, metricsRetentionMs: 5 * 60_000 });
    const queue = backend.queue('short-memory');
    const finish = () => {
      const job = queue.add('x', {});
      queue.takeNext();
      queue.complete(job.id);
    };
    finish();
    t = 10 * 60_000;
    finish();
    const series = await backend.getMetrics('short-memory', {
      from: 0,
      to: 11 * 60_000,
      bucketMs: 60_000,
    });
    expect(series.buckets.reduce((n, b) => n + b.completed, 0)).toBe(1);
  });

  it('emits an event for each state change and stops after unsubscribe', async () => {
    backend = createMemoryBackend();
    const events: BackendEvent[] = [];
    const stop = backend.subscribe((e) => events.push(e));
    const queue = backend.queue('events');
    const job = queue.add('x', {});
    queue.takeNext();
    queue.complete(job.id);
    queue.remove(job.id);
    expect(events).toEqual([
      { type: 'queues-changed' },
      { type: 'job', queue: 'events', jobId: job.id, state: 'waiting', name: 'x' },
      { type: 'job', queue: 'events', jobId: job.id, state: 'active', name: 'x' },
      { type: 'job', queue: 'events', jobId: job.id, state: 'completed', name: 'x' },
      { type: 'job', queue: 'events', jobId: job.id, state: 'removed', name: 'x' },
    ]);
    stop();
    queue.add('y', {});
    expect(events).toHaveLength(5);
  });

  it('keeps stats O(1): a thousand queues with jobs in one call', async () => {
    backend = createMemoryBackend();
    const names: string[] = [];
    for (let q = 0; q < 1000; q++) {
      const name = `q${q}`;
      names.push(name);
      const queue = backend.queue(name);
      for (let j = 0; j < 5; j++) queue.add('x', {});
    }
    const stats = await backend.getStats(names);
    expect(Object.keys(stats)).toHaveLength(1000);
    expect(stats.q999?.counts.waiting).toBe(5);
  });
});

describe('audit store', () => {
  // Order, `before`, `limit`, round trips and concurrent appends are the backend contract's
  // (packages/testkit/test/memory.contract.test.ts); the cap needs an option it cannot set.
  const entry = (n: number): AuditEntry => ({
    id: `e${n}`,
    at: 1_700_000_000_000 + n,
    actor: { id: 'ana', name: 'ana', role: 'operator', via: 'password' },
    action: 'job.retry',
    queueId: 'memory:emails',
    jobId: String(n),
    affected: 1,
    outcome: 'ok',
    status: 200,
  });

  it('keeps the newest auditCap entries, and refuses a cap below 1', async () => {
    backend = createMemoryBackend({ auditCap: 3 });
    for (let n = 1; n <= 5; n++) await backend.appendAudit(entry(n));
    expect((await backend.listAudit({ limit: 10 })).map((e) => e.id)).toEqual(['e5', 'e4', 'e3']);
    expect(() => createMemoryBackend({ auditCap: 0 })).toThrow(TypeError);
  });
});
