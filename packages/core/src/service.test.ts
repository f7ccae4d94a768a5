import { describe, expect, it } from 'vitest';
import { createFakeBackend } from './http/test-support';
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
});
