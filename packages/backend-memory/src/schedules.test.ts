import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryBackend, type MemoryBackend } from './backend';

let backend: MemoryBackend;
afterEach(async () => {
  await backend?.close();
});

describe('schedules', () => {
  it('every: runs on the interval, keeps its phase and skips missed runs', async () => {
    let t = 0;
    backend = createMemoryBackend({ now: () => t });
    const schedule = await backend.upsertSchedule('beats', {
      id: 'heartbeat',
      jobName: 'ping',
      everyMs: 1000,
      data: { source: 'schedule' },
      options: { attempts: 2, priority: 4 },
    });
    expect(schedule).toMatchObject({
      id: 'heartbeat',
      queue: 'beats',
      nextRunAt: 1000,
      lastRunAt: null,
    });
    t = 999;
    backend.tick();
    expect(backend.queue('beats').counts().prioritized).toBe(0);
    t = 1000;
    backend.tick();
    const job = backend.queue('beats').getJob('repeat:heartbeat:1000');
    expect(job).toMatchObject({
      name: 'ping',
      data: { source: 'schedule' },
      state: 'prioritized',
      priority: 4,
      attemptsAllowed: 2,
      options: expect.objectContaining({ repeat: { scheduleId: 'heartbeat' } }),
    });
    t = 5500;
    backend.tick();
    const [after] = await backend.listSchedules('beats');
    expect(after).toMatchObject({ lastRunAt: 5500, nextRunAt: 6000 });
    expect(backend.queue('beats').counts().prioritized).toBe(2);
  });

  it('cron: next run from croner, in the schedule time zone', async () => {
    let t = Date.UTC(2024, 0, 1, 0, 0);
    backend = createMemoryBackend({ now: () => t });
    const nightly = await backend.upsertSchedule('reports', {
      id: 'nightly',
      jobName: 'build',
      pattern: '0 3 * * *',
      timezone: 'America/New_York',
    });
    // 03:00 in New York in January is 08:00 UTC.
    expect(nightly.nextRunAt).toBe(Date.UTC(2024, 0, 1, 8, 0));
    t = Date.UTC(2024, 0, 1, 8, 0, 0, 5);
    backend.tick();
    const [after] = await backend.listSchedules('reports');
    expect(after?.lastRunAt).toBe(t);
    expect(after?.nextRunAt).toBe(Date.UTC(2024, 0, 2, 8, 0));
    expect(backend.queue('reports').counts().waiting).toBe(1);
  });

  it('replaces a schedule with the same id and removes one', async () => {
    backend = createMemoryBackend({ now: () => 0 });
    await backend.upsertSchedule('q', { id: 's', jobName: 'a', everyMs: 1000 });
    const replaced = await backend.upsertSchedule('q', {
      id: 's',
      jobName: 'b',
      pattern: '*/5 * * * *',
    });
    expect(replaced).toMatchObject({ jobName: 'b', everyMs: null, nextRunAt: 300_000 });
    expect(await backend.listSchedules('q')).toHaveLength(1);
    await backend.removeSchedule('q', 's');
    expect(await backend.listSchedules('q')).toEqual([]);
    await expect(backend.removeSchedule('q', 's')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses invalid patterns, time zones and inputs', async () => {
    backend = createMemoryBackend();
    const bad = [
      { id: 'a', jobName: 'x', pattern: 'not a cron' },
      { id: 'b', jobName: 'x', pattern: '* * * * *', timezone: 'Mars/Olympus' },
      { id: 'c', jobName: 'x', pattern: '* * * * *', everyMs: 1000 },
      { id: 'd', jobName: 'x' },
      { id: 'e', jobName: 'x', everyMs: 0 },
      { id: 'f', jobName: 'x', everyMs: 1000, options: { attempts: 'many' } },
    ];
    for (const input of bad) {
      await expect(backend.upsertSchedule('q', input)).rejects.toMatchObject({ status: 400 });
    }
  });

  it('runs on real timers, and stops when the queue closes', async () => {
    backend = createMemoryBackend();
    const queue = backend.queue('ticking');
    const runs: string[] = [];
    queue.process('tick', async (job) => {
      runs.push(job.id);
    });
    // The queue API accepts short intervals; the dashboard API asks for >= 1000 ms.
    queue.upsertSchedule({ id: 'fast', jobName: 'tick', everyMs: 10 });
    await vi.waitFor(() => expect(runs.length).toBeGreaterThanOrEqual(2));
    expect(new Set(runs).size).toBe(runs.length);
    await queue.close();
    const schedule = queue.schedules()[0];
    expect(schedule?.lastRunAt).not.toBeNull();
  });
});
