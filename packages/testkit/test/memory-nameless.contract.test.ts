/**
 * The suite's other branches, for a backend shaped like pg-boss 10: jobs named
 * after their queue (`jobNames: false`), schedules that are cron patterns only
 * (`schedules.intervals: false`) and at most one schedule per queue, under
 * DEFAULT_SCHEDULE_ID (`schedules.multiple: false`). The memory backend plays
 * it: every job and schedule named after its queue, no name search, the
 * add-job name ignored, and an interval or another schedule id refused, so a
 * scenario that forgot one of these branches fails here.
 */
import { MEMORY_CAPABILITIES, MemoryBackend } from '@qadmin/backend-memory';
import {
  type AddJobInput,
  type Capabilities,
  DEFAULT_SCHEDULE_ID,
  invalidInput,
  type Job,
  type Schedule,
  type ScheduleInput,
} from '@qadmin/core';
import { seedMemoryQueue } from '@qadmin/test-fixtures';
import { runBackendContract } from '../src/index';

class NamedAfterQueueBackend extends MemoryBackend {
  override readonly capabilities: Capabilities = {
    ...structuredClone(MEMORY_CAPABILITIES),
    jobNames: false,
    search: ['data', 'error'],
    schedules: { read: true, write: true, intervals: false, multiple: false },
  };

  override async addJob(queue: string, input: AddJobInput): Promise<Job> {
    return super.addJob(queue, { ...input, name: queue });
  }

  override async upsertSchedule(queue: string, input: ScheduleInput): Promise<Schedule> {
    if (input.everyMs !== undefined) throw invalidInput('everyMs', 'cron patterns only');
    if (input.id !== DEFAULT_SCHEDULE_ID) {
      throw invalidInput('id', `one schedule per queue, "${DEFAULT_SCHEDULE_ID}"`);
    }
    return super.upsertSchedule(queue, { ...input, jobName: queue });
  }
}

runBackendContract({
  name: 'memory, jobs named after their queue, one cron schedule per queue',
  createBackend: () => new NamedAfterQueueBackend(),
  seed: (backend, queue, spec) => seedMemoryQueue(backend, queue, { ...spec, name: () => queue }),
});
