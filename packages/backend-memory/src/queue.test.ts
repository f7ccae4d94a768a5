import { type BackendEvent, isQadminError } from '@qadmin/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryBackend, type MemoryBackend } from './backend';
import type { JobContext } from './types';

let backend: MemoryBackend;
afterEach(async () => {
  await backend?.close();
});

/** A promise to resolve from outside: holds a handler until the test lets it go. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets pending immediates (the dispatch loop) and microtasks run. */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

function statesOf(events: BackendEvent[], jobId: string): string[] {
  return events.flatMap((e) => (e.type === 'job' && e.jobId === jobId ? [e.state] : []));
}

async function expectQadminError(fn: () => unknown, status: number): Promise<void> {
  try {
    await fn();
  } catch (err) {
    expect(isQadminError(err)).toBe(true);
    expect((err as { status: number }).status).toBe(status);
    return;
  }
  throw new Error(`expected a ${status} error`);
}

describe('processors', () => {
  it('runs jobs with at most `concurrency` at once and records return values', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('work');
    const release = gate();
    let running = 0;
    let maxRunning = 0;
    const worker = queue.process(
      '*',
      async (job: JobContext<{ n: number }>) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await release.promise;
        running--;
        return { doubled: job.data.n * 2 };
      },
      { concurrency: 2 },
    );
    const ids = Array.from({ length: 6 }, (_, n) => queue.add('double', { n }).id);
    await vi.waitFor(() => expect(queue.counts().active).toBe(2));
    expect(queue.counts().waiting).toBe(4);
    expect(worker.activeJobs).toBe(2);
    release.open();
    const finished = await Promise.all(ids.map((id) => queue.whenFinished(id)));
    expect(finished.map((j) => j.state)).toEqual(Array(6).fill('completed'));
    expect(finished.map((j) => j.returnValue)).toEqual(
      [0, 2, 4, 6, 8, 10].map((d) => ({ doubled: d })),
    );
    expect(finished.every((j) => j.workerId === worker.id && j.attemptsMade === 1)).toBe(true);
    expect(maxRunning).toBe(2);
  });

  it('runs FIFO within a queue and gives named processors only their jobs', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('named');
    const seen: string[] = [];
    queue.process('email', async (job) => {
      seen.push(job.id);
    });
    const other = queue.add('sms', {});
    const a = queue.add('email', {});
    const b = queue.add('email', {});
    await queue.whenFinished(b.id);
    expect(seen).toEqual([a.id, b.id]);
    expect(queue.getJob(other.id)?.state).toBe('waiting');
  });

  it('reports progress and logs from the handler', async () => {
    backend = createMemoryBackend();
    const events: BackendEvent[] = [];
    backend.subscribe((e) => events.push(e));
    const queue = backend.queue('progress');
    queue.process('*', async (job) => {
      await job.log('step 1');
      await job.updateProgress(50);
      await job.log('step 2');
      await job.updateProgress({ done: 2, of: 2 });
    });
    const { id } = queue.add('p', {});
    const done = await queue.whenFinished(id);
    expect(done.progress).toEqual({ done: 2, of: 2 });
    expect(queue.getLogs(id).map((l) => l.message)).toEqual(['step 1', 'step 2']);
    expect(
      events.filter((e) => e.type === 'progress').map((e) => 'progress' in e && e.progress),
    ).toEqual([50, { done: 2, of: 2 }]);
    expect(statesOf(events, id)).toEqual(['waiting', 'active', 'completed']);
  });

  it('retries with backoff: failed attempts go to delayed, then back to waiting', async () => {
    backend = createMemoryBackend();
    const events: BackendEvent[] = [];
    backend.subscribe((e) => events.push(e));
    const queue = backend.queue('retries');
    const attemptsSeen: number[] = [];
    queue.process('*', async (job) => {
      attemptsSeen.push(job.attemptsMade);
      if (job.attemptsMade < 2) throw new Error(`boom ${job.attemptsMade}`);
      return 'ok';
    });
    const { id } = queue.add('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delayMs: 5 } });
    const done = await queue.whenFinished(id);
    expect(done.state).toBe('completed');
    expect(done.attemptsMade).toBe(3);
    expect(done.attemptsAllowed).toBe(3);
    expect(done.stacktrace).toHaveLength(2);
    expect(done.stacktrace[0]).toContain('boom 0');
    expect(attemptsSeen).toEqual([0, 1, 2]);
    expect(statesOf(events, id)).toEqual([
      'waiting',
      'active',
      'delayed',
      'waiting',
      'active',
      'delayed',
      'waiting',
      'active',
      'completed',
    ]);
  });

  it('fails for good once attempts are used up; without backoff it retries at once', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('doomed');
    queue.process('*', async () => {
      throw new TypeError('always');
    });
    const { id } = queue.add('x', {}, { attempts: 2 });
    const done = await queue.whenFinished(id);
    expect(done.state).toBe('failed');
    expect(done.attemptsMade).toBe(2);
    expect(done.failedReason).toBe('always');
    expect(done.stacktrace).toHaveLength(2);
    expect(done.finishedAt).not.toBeNull();
  });

  it('fails the attempt when the return value is not JSON', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('bigint');
    queue.process('*', async () => 10n);
    const done = await queue.whenFinished(queue.add('x', {}).id);
    expect(done.state).toBe('failed');
    expect(done.failedReason).toMatch(/JSON/);
  });

  it('pauses: nothing new starts and the jobs keep their states; resume starts them', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('paused');
    queue.pause();
    expect(queue.isPaused).toBe(true);
    queue.process('*', async () => 'ran');
    const { id } = queue.add('x', {});
    await settle();
    expect(queue.getJob(id)?.state).toBe('waiting');
    expect(queue.takeNext()).toBeNull();
    expect((await backend.getStats(['paused'])).paused?.paused).toBe(true);
    queue.resume();
    expect((await queue.whenFinished(id)).state).toBe('completed');
  });

  it('cancels an active job: the handler signal aborts and its outcome is ignored', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('cancel');
    const started = gate<AbortSignal>();
    let reason: unknown;
    queue.process('*', async (job) => {
      started.open(job.signal);
      await new Promise<void>((resolve) =>
        job.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      reason = job.signal.reason;
      return 'too late';
    });
    const { id } = queue.add('long', {});
    const signal = await started.promise;
    const cancelled = queue.cancel(id);
    expect(cancelled.state).toBe('cancelled');
    expect(signal.aborted).toBe(true);
    await settle();
    expect((reason as Error).name).toBe('AbortError');
    expect(queue.getJob(id)?.state).toBe('cancelled');
    expect(queue.getJob(id)?.returnValue).toBeNull();
  });

  it('discards an active job: failed at once, no more attempts, signal aborted', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('discard');
    const started = gate<AbortSignal>();
    queue.process('*', async (job) => {
      started.open(job.signal);
      await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      throw new Error('aborted');
    });
    const { id } = queue.add('x', {}, { attempts: 5 });
    const signal = await started.promise;
    const job = queue.discard(id);
    expect(signal.aborted).toBe(true);
    expect(job.state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    await settle();
    expect(queue.getJob(id)?.state).toBe('failed');
  });

  it('marks an active job completed by hand: signal aborted, the late outcome ignored', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('mark-completed');
    const started = gate<AbortSignal>();
    queue.process('*', async (job) => {
      started.open(job.signal);
      await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      return 'from the handler';
    });
    const { id } = queue.add('x', {}, { attempts: 5 });
    const signal = await started.promise;
    const job = queue.markCompleted(id, { by: 'hand' });
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('Job completed by hand');
    expect(job).toMatchObject({ state: 'completed', returnValue: { by: 'hand' }, attemptsMade: 1 });
    expect(job.finishedAt).not.toBeNull();
    await settle();
    expect(queue.getJob(id)).toMatchObject({ state: 'completed', returnValue: { by: 'hand' } });
    expect(queue.counts()).toMatchObject({ active: 0, completed: 1 });
  });

  it('closes a worker gracefully: the running job finishes, no new one starts', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('graceful');
    const release = gate();
    const worker = queue.process('*', async () => {
      await release.promise;
      return 'done';
    });
    const first = queue.add('x', {});
    const second = queue.add('x', {});
    await vi.waitFor(() => expect(queue.getJob(first.id)?.state).toBe('active'));
    const closing = worker.close();
    release.open();
    await closing;
    expect(queue.getJob(first.id)?.state).toBe('completed');
    await settle();
    expect(queue.getJob(second.id)?.state).toBe('waiting');
    expect(await backend.getWorkers(['graceful'])).toEqual([]);
  });

  it('removes finished jobs with removeOnComplete (all, or all but the newest N)', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('tidy');
    queue.process('*', async () => 'ok');
    const gone = queue.add('x', {}, { removeOnComplete: true });
    await queue.whenFinished(gone.id);
    expect(queue.getJob(gone.id)).toBeNull();
    const kept = Array.from({ length: 4 }, () => queue.add('y', {}, { removeOnComplete: 2 }).id);
    for (const id of kept) await queue.whenFinished(id);
    expect(queue.counts().completed).toBe(2);
    expect(queue.getJob(kept[3]!)?.state).toBe('completed');
  });
});

describe('manual mode, delays and priorities', () => {
  it('takes prioritized jobs first (lower number first, FIFO among equals), then waiting FIFO', () => {
    backend = createMemoryBackend();
    const queue = backend.queue('prio');
    const a = queue.add('a', {});
    const p3 = queue.add('p3', {}, { priority: 3 });
    const p1 = queue.add('p1', {}, { priority: 1 });
    const b = queue.add('b', {});
    const p1b = queue.add('p1b', {}, { priority: 1 });
    expect(p1.state).toBe('prioritized');
    expect(a.state).toBe('waiting');
    expect(queue.counts()).toMatchObject({ waiting: 2, prioritized: 3 });
    const order: string[] = [];
    for (let job = queue.takeNext(); job; job = queue.takeNext()) order.push(job.id);
    expect(order).toEqual([p1.id, p1b.id, p3.id, a.id, b.id]);
    expect(queue.counts().active).toBe(5);
  });

  it('takes by name and completes or fails by hand', () => {
    backend = createMemoryBackend();
    const queue = backend.queue('manual');
    queue.add('a', { n: 1 });
    const b = queue.add('b', { n: 2 });
    const taken = queue.takeNext({ name: 'b', workerId: 'w1' });
    expect(taken).toMatchObject({ id: b.id, state: 'active', workerId: 'w1' });
    expect(taken?.processedAt).not.toBeNull();
    const done = queue.complete(b.id, { ok: true });
    expect(done).toMatchObject({ state: 'completed', returnValue: { ok: true }, attemptsMade: 1 });
    const c = queue.add('c', {});
    queue.pause();
    expect(queue.takeNext()).toBeNull();
    expect(queue.takeNext({ id: b.id })).toBeNull();
    expect(queue.takeNext({ id: c.id })?.state).toBe('active');
    expect(() => queue.complete(b.id, null)).toThrow(
      expect.objectContaining({ status: 409, detail: expect.stringMatching(/only active jobs/) }),
    );
  });

  it('delays jobs until due, by the injected clock', () => {
    let t = 1_000_000;
    backend = createMemoryBackend({ now: () => t });
    const queue = backend.queue('delays');
    const job = queue.add('later', {}, { delayMs: 5000 });
    expect(job).toMatchObject({ state: 'delayed', delayedUntil: t + 5000 });
    t += 4999;
    backend.tick();
    expect(queue.getJob(job.id)?.state).toBe('delayed');
    t += 1;
    backend.tick();
    expect(queue.getJob(job.id)).toMatchObject({ state: 'waiting', delayedUntil: null });
  });

  it('runs delayed jobs on real timers', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('timers');
    queue.process('*', async () => 'ran');
    const { id } = queue.add('soon', {}, { delayMs: 15 });
    expect(queue.getJob(id)?.state).toBe('delayed');
    expect((await queue.whenFinished(id)).state).toBe('completed');
  });

  it('backs off exponentially: delayMs * 2^(attempt-1)', () => {
    let t = 0;
    backend = createMemoryBackend({ now: () => t });
    const queue = backend.queue('expo');
    const { id } = queue.add(
      'x',
      {},
      { attempts: 4, backoff: { type: 'exponential', delayMs: 1000 } },
    );
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      queue.takeNext();
      const failed = queue.fail(id, new Error(`attempt ${attempt}`));
      expect(failed.state).toBe('delayed');
      waits.push((failed.delayedUntil ?? 0) - t);
      t = failed.delayedUntil ?? 0;
      backend.tick();
    }
    expect(waits).toEqual([1000, 2000, 4000]);
    queue.takeNext();
    const last = queue.fail(id, 'plain string reason');
    expect(last).toMatchObject({
      state: 'failed',
      attemptsMade: 4,
      failedReason: 'plain string reason',
    });
  });

  it('stores data as JSON: a copy, and refuses what JSON cannot carry', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('json');
    const data = { list: [1, 2], when: new Date(0) };
    const job = queue.add('x', data);
    data.list.push(3);
    expect(queue.getJob(job.id)?.data).toEqual({ list: [1, 2], when: '1970-01-01T00:00:00.000Z' });
    await expectQadminError(() => queue.add('x', { n: 1n }), 400);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expectQadminError(() => queue.add('x', cyclic), 400);
  });

  it('returns the existing job for a jobId that exists', () => {
    backend = createMemoryBackend();
    const queue = backend.queue('dedupe');
    const first = queue.add('x', { v: 1 }, { jobId: 'order-7' });
    const again = queue.add('x', { v: 2 }, { jobId: 'order-7' });
    expect(again.id).toBe(first.id);
    expect(again.data).toEqual({ v: 1 });
    expect(queue.counts().waiting).toBe(1);
    // Generated ids skip ids taken by hand.
    queue.add('y', {}, { jobId: '1' });
    expect(queue.add('z', {}).id).not.toBe('1');
  });

  it('rejects whenFinished when the job is removed', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('gone');
    const { id } = queue.add('x', {});
    const waiting = queue.whenFinished(id);
    queue.remove(id);
    await expect(waiting).rejects.toMatchObject({ status: 404 });
  });
});

describe('flows', () => {
  it('keeps the parent in waiting-children until every child completed, across queues', () => {
    backend = createMemoryBackend();
    const reports = backend.queue('reports');
    const data = backend.queue('data');
    const { job: parent, children } = reports.addFlow({
      name: 'render',
      data: { report: 1 },
      children: [
        { name: 'fetch-sales', data: {} },
        { name: 'fetch-costs', queue: 'data', data: {} },
      ],
    });
    expect(parent.state).toBe('waiting-children');
    expect(children.map((c) => c.job.parent)).toEqual([
      { queue: 'reports', id: parent.id, state: 'waiting-children' },
      { queue: 'reports', id: parent.id, state: 'waiting-children' },
    ]);
    expect(reports.getJob(parent.id)?.children).toHaveLength(2);

    // The child in `reports` is runnable; the parent is not.
    const first = reports.takeNext();
    expect(first?.id).toBe(children[0]!.job.id);
    reports.complete(first!.id, 'sales');
    expect(reports.getJob(parent.id)?.state).toBe('waiting-children');

    const second = data.takeNext();
    data.complete(second!.id, 'costs');
    const released = reports.getJob(parent.id);
    expect(released?.state).toBe('waiting');
    expect(released?.children.map((c) => c.state)).toEqual(['completed', 'completed']);
  });

  it('a failed child keeps the parent waiting until it is retried or removed', () => {
    backend = createMemoryBackend();
    const queue = backend.queue('flow');
    const { job: parent, children } = queue.addFlow({
      name: 'parent',
      children: [{ name: 'child' }],
    });
    const child = children[0]!.job;
    queue.takeNext();
    queue.fail(child.id, new Error('no'));
    expect(queue.getJob(parent.id)?.state).toBe('waiting-children');
    queue.remove(child.id);
    expect(queue.getJob(parent.id)?.state).toBe('waiting');
    expect(queue.getJob(parent.id)?.children).toEqual([]);
  });

  it('adding a child to a waiting job makes it wait; a started parent refuses children', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('adopt');
    const parent = queue.add('parent', {});
    const child = queue.add('child', {}, { parent: { queue: 'adopt', id: parent.id } });
    expect(queue.getJob(parent.id)?.state).toBe('waiting-children');
    expect(child.parent).toMatchObject({ queue: 'adopt', id: parent.id });
    queue.takeNext();
    queue.complete(child.id);
    const started = queue.takeNext();
    expect(started?.id).toBe(parent.id);
    await expectQadminError(
      () => queue.add('late', {}, { parent: { queue: 'adopt', id: parent.id } }),
      409,
    );
    await expectQadminError(
      () => queue.add('orphan', {}, { parent: { queue: 'adopt', id: 'nope' } }),
      404,
    );
  });

  it('releases a parent with a delay into delayed', () => {
    let t = 0;
    backend = createMemoryBackend({ now: () => t });
    const queue = backend.queue('delayed-parent');
    const { job } = queue.addFlow({
      name: 'p',
      opts: { delayMs: 1000 },
      children: [{ name: 'c' }],
    });
    const child = queue.takeNext();
    t = 10;
    queue.complete(child!.id);
    expect(queue.getJob(job.id)).toMatchObject({ state: 'delayed', delayedUntil: 1010 });
  });
});

describe('close', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stops processors, timers and schedules', async () => {
    // Fake timers count every timer, also the unref()'d ones the queue uses.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    backend = createMemoryBackend();
    const queue = backend.queue('closing');
    queue.add('later', {}, { delayMs: 60_000 });
    queue.upsertSchedule({ id: 'beat', jobName: 'beat', everyMs: 60_000 });
    let signal: AbortSignal | undefined;
    queue.process('forever', (job) => {
      signal = job.signal;
      return new Promise(() => {});
    });
    const { id } = queue.add('forever', {});
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.getJob(id)?.state).toBe('active');
    expect(vi.getTimerCount()).toBe(2);
    await backend.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(signal?.aborted).toBe(true);
    expect(queue.isClosed).toBe(true);
    expect(queue.getJob(id)?.state).toBe('active');
    expect(() => queue.add('x', {})).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => backend.queue('new')).toThrow(expect.objectContaining({ status: 409 }));
  });
});
