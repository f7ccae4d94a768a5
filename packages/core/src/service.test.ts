import { describe, expect, it, vi } from 'vitest';
import { defineBackend } from './backend';
import { createFakeBackend } from './http/test-support';
import { DEFAULT_SCHEDULE_ID } from './model';
import { AdminService } from './service';

describe('AdminService', () => {
  it('coalesces concurrent overview() calls into one backend read', async () => {
    const backend = createFakeBackend();
    const service = new AdminService({ backends: [backend] });
    const overviews = await Promise.all(Array.from({ length: 50 }, () => service.overview()));
    expect(backend.calls.getStats).toBe(1);
    expect(backend.calls.listQueues).toBe(1);
    expect(new Set(overviews).size).toBe(1);
    // Within the refresh interval the snapshot is shared; a mutation invalidates it.
    await service.overview();
    expect(backend.calls.getStats).toBe(1);
    await service.bulkAction('mem:emails', { type: 'pause' });
    expect((await service.overview()).queues.find((q) => q.id === 'mem:emails')?.paused).toBe(true);
    expect(backend.calls.getStats).toBe(2);
    await service.close();
  });

  it('with viewers subscribed, reads the backend once per refresh interval, however long a read takes', async () => {
    vi.useFakeTimers();
    try {
      const backend = createFakeBackend();
      const getStats = backend.getStats.bind(backend);
      // A read that takes 60 ms of the 200 ms interval.
      backend.getStats = async (names) => {
        await new Promise((resolve) => setTimeout(resolve, 60));
        return getStats(names);
      };
      const service = new AdminService({ backends: [backend], refreshIntervalMs: 200 });
      const stop = service.subscribe(() => {});
      await vi.advanceTimersByTimeAsync(100);
      const first = backend.calls.getStats ?? 0;
      await vi.advanceTimersByTimeAsync(1_000);
      // One read per tick: five in 1 s (a snapshot stamped when its read ended is younger
      // than an interval at the next tick, and used to be reused every other tick).
      expect((backend.calls.getStats ?? 0) - first).toBe(5);
      stop();
      await service.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('accepts raw query strings in listJobs and names the field at fault', async () => {
    const service = new AdminService({ backends: [createFakeBackend()] });
    const page = await service.listJobs('mem:emails', {
      state: 'failed',
      limit: '1',
      q: 'smtp',
      in: 'error',
    });
    expect(page.jobs.map((j) => j.id)).toEqual(['2']);
    await expect(service.listJobs('mem:emails', { state: 'nope' })).rejects.toMatchObject({
      status: 400,
      field: 'query.state',
    });
    await service.close();
  });

  it('unsubscribing the last listener stops the backend subscription', async () => {
    const backend = createFakeBackend();
    const service = new AdminService({ backends: [backend] });
    const stop = service.subscribe(() => {});
    expect(backend.listenerCount()).toBe(1);
    stop();
    expect(service.subscriberCount).toBe(0);
    expect(backend.listenerCount()).toBe(0);
    await service.close();
  });

  it('namespaces queues of several backends and keeps a failing backend from hiding the others', async () => {
    const healthy = createFakeBackend({ id: 'a' });
    const broken = defineBackend({
      ...createFakeBackend({ id: 'b' }),
      id: 'b',
      async listQueues() {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), {
          code: 'ECONNREFUSED',
        });
      },
    });
    const service = new AdminService({ backends: [healthy, broken] });
    const overview = await service.overview();
    expect(overview.queues.map((q) => q.id)).toEqual(['a:emails', 'a:reports']);
    expect(overview.backends).toEqual([
      expect.objectContaining({ id: 'a', ok: true, queueCount: 2 }),
      expect.objectContaining({ id: 'b', ok: false, error: 'unreachable (ECONNREFUSED)' }),
    ]);
    expect((await service.health()).status).toBe('degraded');
    await expect(service.getJob('b:emails', '1')).rejects.toMatchObject({ status: 503 });
    await expect(service.getJob('c:emails', '1')).rejects.toMatchObject({ status: 404 });
    await expect(service.getJob('no-colon', '1')).rejects.toMatchObject({ status: 404 });
    expect(() => new AdminService({ backends: [healthy, createFakeBackend({ id: 'a' })] })).toThrow(
      /share the id/,
    );
    await service.close();
  });

  it('refuses every mutation when read-only, before touching the backend', async () => {
    const backend = createFakeBackend();
    const service = new AdminService({ backends: [backend], readOnly: true });
    const refusals = [
      service.jobAction('mem:emails', '2', { type: 'retry' }),
      service.addJob('mem:emails', { name: 'x' }),
      service.bulkAction('mem:emails', { type: 'empty' }),
      service.upsertSchedule('mem:emails', { id: 's', jobName: 'x', everyMs: 60_000 }),
      service.removeSchedule('mem:emails', 's'),
    ];
    for (const refusal of refusals) await expect(refusal).rejects.toMatchObject({ status: 403 });
    expect(backend.calls.jobAction ?? 0).toBe(0);
    expect((await service.getJob('mem:emails', '2')).state).toBe('failed');
    await service.close();
  });

  it('refuses what a backend does not declare with 501 naming the capability', async () => {
    const backend = createFakeBackend();
    const limited = defineBackend({
      ...backend,
      id: 'mem',
      capabilities: {
        ...backend.capabilities,
        jobActions: ['remove'],
        bulkActions: [],
        search: [],
      },
    });
    const service = new AdminService({ backends: [limited] });
    await expect(service.jobAction('mem:emails', '2', { type: 'retry' })).rejects.toMatchObject({
      status: 501,
      extra: { capability: 'retry' },
    });
    await expect(service.bulkAction('mem:emails', { type: 'empty' })).rejects.toMatchObject({
      status: 501,
    });
    await expect(
      service.listJobs('mem:emails', { state: 'failed', q: 'smtp' }),
    ).rejects.toMatchObject({ status: 501 });
    await service.close();
  });

  it('validates pages: size limit, cursor with offset, states the queue lacks', async () => {
    const service = new AdminService({ backends: [createFakeBackend()], maxPageSize: 10 });
    await expect(
      service.listJobs('mem:emails', { state: 'failed', limit: 11 }),
    ).rejects.toMatchObject({ status: 400, field: 'query.limit' });
    await expect(
      service.listJobs('mem:emails', { state: 'failed', cursor: 'x', offset: 1 }),
    ).rejects.toMatchObject({ status: 400, field: 'query.offset' });
    await expect(service.listJobs('mem:emails', { state: 'abandoned' })).rejects.toMatchObject({
      status: 400,
      field: 'query.state',
    });
    await expect(
      service.listJobs('mem:emails', { state: 'failed', q: 'x', in: 'data,bogus' }),
    ).rejects.toMatchObject({ status: 400, field: 'query.in' });
    await service.close();
  });

  it('refuses a name filter, and needs no name to add a job, where jobs are named after their queue', async () => {
    const base = createFakeBackend();
    const nameless = defineBackend({
      ...base,
      id: 'mem',
      capabilities: { ...base.capabilities, jobNames: false, search: ['data', 'error'] },
    });
    const service = new AdminService({ backends: [nameless] });
    const refusal = service.listJobs('mem:emails', { state: 'waiting', name: 'send' });
    await expect(refusal).rejects.toMatchObject({
      status: 400,
      code: 'invalid-input',
      field: 'query.name',
    });
    expect(base.calls.listJobs ?? 0).toBe(0);
    expect((await service.listJobs('mem:emails', { state: 'waiting' })).jobs.length).toBe(2);
    const added = await service.addJob('mem:emails', { data: { to: 'a@example.com' } });
    expect(added.name).toBe('emails');
    await service.close();
  });

  it('refuses a name filter on a queue whose own capabilities withdraw job names', async () => {
    const base = createFakeBackend();
    const mixed = defineBackend({
      ...base,
      id: 'mem',
      queueCapabilities: (queue: string) =>
        queue === 'reports' ? { ...base.capabilities, jobNames: false } : undefined,
    });
    const service = new AdminService({ backends: [mixed] });
    const named = await service.listJobs('mem:emails', { state: 'waiting', name: 'slashed' });
    expect(named.jobs.map((j) => j.id)).toEqual(['a/b']);
    await expect(
      service.listJobs('mem:reports', { state: 'waiting', name: 'build' }),
    ).rejects.toMatchObject({ status: 400, field: 'query.name' });
    await service.close();
  });

  it('refuses a job without a name where jobs have names of their own', async () => {
    const backend = createFakeBackend();
    const service = new AdminService({ backends: [backend] });
    await expect(service.addJob('mem:emails', { data: {} })).rejects.toMatchObject({
      status: 400,
      code: 'invalid-input',
      field: 'body.name',
    });
    expect(backend.calls.addJob ?? 0).toBe(0);
    expect((await service.addJob('mem:emails', { name: 'welcome' })).name).toBe('welcome');
    await service.close();
  });

  it('refuses an interval where schedules are cron patterns only', async () => {
    const base = createFakeBackend();
    const cronOnly = defineBackend({
      ...base,
      id: 'mem',
      capabilities: {
        ...base.capabilities,
        schedules: { ...base.capabilities.schedules, intervals: false },
      },
    });
    const service = new AdminService({ backends: [cronOnly] });
    await expect(
      service.upsertSchedule('mem:reports', { id: 'tick', jobName: 'build', everyMs: 60_000 }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid-input', field: 'body.everyMs' });
    expect(base.calls.upsertSchedule ?? 0).toBe(0);
    const cron = await service.upsertSchedule('mem:reports', {
      id: 'nightly',
      jobName: 'build',
      pattern: '0 3 * * *',
    });
    expect(cron).toMatchObject({ id: 'nightly', pattern: '0 3 * * *', everyMs: null });
    await service.close();
  });

  it('refuses a schedule id other than the default one where a queue keeps one schedule', async () => {
    const base = createFakeBackend();
    const single = defineBackend({
      ...base,
      id: 'mem',
      queueCapabilities: (queue: string) =>
        queue === 'reports'
          ? {
              ...base.capabilities,
              schedules: { ...base.capabilities.schedules, multiple: false },
            }
          : undefined,
    });
    const service = new AdminService({ backends: [single] });
    const input = { jobName: 'build', pattern: '0 3 * * *' };
    await expect(
      service.upsertSchedule('mem:reports', { ...input, id: 'nightly' }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid-input', field: 'body.id' });
    expect(base.calls.upsertSchedule ?? 0).toBe(0);
    const only = await service.upsertSchedule('mem:reports', { ...input, id: DEFAULT_SCHEDULE_ID });
    expect(only.id).toBe('default');
    // Another queue of the same backend keeps several.
    expect((await service.upsertSchedule('mem:emails', { ...input, id: 'nightly' })).id).toBe(
      'nightly',
    );
    await service.close();
  });

  it('filters a page by job id within the state', async () => {
    const service = new AdminService({ backends: [createFakeBackend()] });
    const hit = await service.listJobs('mem:emails', { state: 'failed', id: '3' });
    expect(hit.jobs.map((j) => j.id)).toEqual(['3']);
    const wrongState = await service.listJobs('mem:emails', { state: 'waiting', id: '3' });
    expect(wrongState).toMatchObject({ jobs: [], total: 0, nextCursor: null });
    await service.close();
  });

  it('applies formatJob to details, list rows and their previews', async () => {
    const service = new AdminService({
      backends: [createFakeBackend()],
      formatJob: (job, ctx) => ({
        ...job,
        data: { redacted: true, queue: ctx.queueId },
        failedReason: job.failedReason && '[hidden]',
      }),
    });
    const job = await service.getJob('mem:emails', '3');
    expect(job.data).toEqual({ redacted: true, queue: 'mem:emails' });
    expect(job.failedReason).toBe('[hidden]');
    const page = await service.listJobs('mem:emails', { state: 'failed' });
    for (const row of page.jobs) {
      expect(row.dataPreview).toBe('{"redacted":true,"queue":"mem:emails"}');
      expect(row).not.toHaveProperty('data');
    }
    await service.close();
  });

  it('reports a backend that does not answer in time as 503, never hanging', async () => {
    const backend = createFakeBackend();
    const stuck = defineBackend({
      ...backend,
      id: 'mem',
      getJob: () => new Promise<never>(() => {}),
    });
    const service = new AdminService({ backends: [stuck], backendTimeoutMs: 50 });
    await expect(service.getJob('mem:emails', '1')).rejects.toMatchObject({
      status: 503,
      code: 'backend-timeout',
    });
    await service.close();
  });

  it('emits an action event for every mutation through the service', async () => {
    const service = new AdminService({ backends: [createFakeBackend()] });
    const events: unknown[] = [];
    const stop = service.subscribe((e) => events.push(e));
    await service.jobAction('mem:emails', '2', { type: 'retry' });
    await service.bulkAction('mem:emails', { type: 'pause' });
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'action',
          queueId: 'mem:emails',
          jobId: '2',
          action: 'retry',
        }),
        expect.objectContaining({
          type: 'action',
          queueId: 'mem:emails',
          jobId: null,
          action: 'pause',
        }),
      ]),
    );
    stop();
    await service.close();
  });

  it('refuses a schedule in an unknown time zone before the backend sees it', async () => {
    const service = new AdminService({ backends: [createFakeBackend()] });
    await expect(
      service.upsertSchedule('mem:emails', {
        id: 'nightly',
        jobName: 'report',
        pattern: '0 3 * * *',
        timezone: 'Mars/Olympus_Mons',
      }),
    ).rejects.toMatchObject({ status: 400, field: 'body.timezone' });
    await service.close();
  });
  it("answers every queue's recent throughput in one shared, cached read", async () => {
    const backend = createFakeBackend();
    const service = new AdminService({ backends: [backend] });
    const [first, second] = await Promise.all([service.throughput(), service.throughput()]);
    expect(first).toBe(second);
    expect(first.bucketMs).toBe(300_000);
    expect(first.to - first.from).toBe(3_600_000);
    expect(Object.keys(first.queues).sort()).toEqual(['mem:emails', 'mem:reports']);
    expect(first.queues['mem:emails']).toEqual({
      completed: Array(12).fill(1),
      failed: Array(12).fill(0),
    });
    const reads = backend.calls.getMetrics;
    await service.throughput();
    expect(backend.calls.getMetrics).toBe(reads);
    await service.close();
  });

  it('leaves a queue whose metrics fail out of the throughput, not the others', async () => {
    const base = createFakeBackend();
    const backend = defineBackend({
      ...base,
      async getMetrics(name, query) {
        if (name === 'reports') throw new Error('metrics store down');
        return base.getMetrics!(name, query);
      },
    });
    const service = new AdminService({ backends: [backend] });
    expect(Object.keys((await service.throughput()).queues)).toEqual(['mem:emails']);
    await service.close();
  });
});
